"""In real Chromium, the content security policy refuses nothing on the
portal's own pages, the admin's included."""

import pytest

from .consultations.factories import ConcernFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script; Playwright's init scripts are not subject to
# the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " " + (event.blockedURI || "inline")
  );
});
"""


@pytest.fixture
def watched(page):
    messages = []
    page.on(
        "console",
        lambda message: (
            messages.append(f"{message.type}: {message.text}")
            if message.type in {"error", "warning"}
            else None
        ),
    )
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)
    return page, messages


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


def test_no_page_breaks_the_policy(
    live_server, watched, superuser, compound, serving_contract
):
    page, messages = watched
    concern = ConcernFactory(compound=compound)
    base = live_server.url
    public = [
        "/",
        f"/concerns/new/?compound={compound.pk}",
        f"/concerns/track/{concern.tracking_code}/",
    ]
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", "pass-word-123")
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"{base}/my-tasks/")
    staff = [
        "/my-tasks/",
        "/admin/",
        "/admin/org/orgunit/",
        "/admin/compounds/compound/",
        "/admin/compounds/compound/reports/",
        "/admin/compounds/propertycompany/",
        f"/admin/compounds/compound/{compound.pk}/change/",
        "/admin/consultations/concern/",
        f"/admin/consultations/concern/{concern.pk}/change/",
        "/admin/axes/accessattempt/",
        f"/posters/compound/{compound.pk}/",
        f"/posters/community/{compound.community_id}/",
        "/concerns/staff/places/",
        "/api/docs/",
        "/api/redoc/",
        "/api/v1/",
    ]

    violations = {url: visit(page, base + url) for url in public + staff}

    # Redoc's "API docs by Redocly" logo comes from its CDN; the policy
    # keeps it out on purpose.
    expected = {url: [] for url in public + staff}
    expected["/api/redoc/"] = ["img-src https://cdn.redoc.ly/redoc/logo-mini.svg"]
    assert violations == expected
    assert [
        m
        for m in messages
        if "Content Security Policy" in m and "cdn.redoc.ly" not in m
    ] == []
    # The docs work under their policy: Swagger UI draws the operations.
    visit(page, f"{base}/api/docs/")
    assert page.locator(".opblock").count() > 10

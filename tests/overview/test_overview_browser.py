"""In Chromium, the street office of the demo street opens the overview:
every figure of the article is on it, the charts are drawn, and each
figure's link opens the list behind it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.org import DEMO_PASSWORD

from ..test_csp_browser import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The article's figures as the demo street reproduces them (the demo's
# own checks are in tests/test_demo.py).
ARTICLE = {
    "grids": "30",  # 改选30个网格党支部
    "committees": "33",  # 业委会（自管会）33个
    "self-management": "13",  # 自管会13个 (in three-without compounds)
    "chargers": "47",  # 47组电动车充电桩…
    "gas-lanes": "3",  # 3条街巷液化气罐改管道
    "access-control": "100.0%",  # 智能门禁全覆盖
    "social-social_org": "34",  # 社会组织34个
    "prizes": "3",  # 一二三等奖
}
FIGURES = [
    "tier-street",
    "tier-community",
    "tier-group",
    "seats",
    "owners",
    "three-without",
    "terms-ending",
    "companies",
    "organisation",
    "instructor",
    "breaking",
    "compounds",
    "covered-company",
    "covered-committee",
    "covered-building-heads",
    "covered",
    "no-one",
    "packages",
    "inspections",
    "inspections-previous",
    "ranking",
    "ladder",
    "concerns-open",
    "concerns-overdue",
    "response-rate",
    "resolution-rate",
    "satisfaction-rate",
    "resolved",
    "through-meetings",
    "visit-days",
    "social-social_worker",
    "social-volunteer",
    *ARTICLE,
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def demo_street(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", verbosity=0)


def sign_in(page, base, username):
    page.goto(f"{base}/admin/login/?next=/overview/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"{base}/overview/")


def test_every_article_figure_is_on_the_overview_and_opens_its_list(
    live_server, page, demo_street
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    sign_in(page, base, "street_admin")

    expect(page.locator("h1")).to_contain_text("济阳街道红色物业总览")
    for name, value in ARTICLE.items():
        figure = page.locator(f'[data-figure="{name}"] b')
        expect(figure).to_have_text(value)
    resolved = int(page.locator('[data-figure="resolved"] b').inner_text())
    assert resolved >= 40  # 40余件 (wall insulation, enclosure, parking, hygiene)
    themes = page.locator('[data-figure="theme"]')
    for theme in ("外墙保温", "小区封闭", "车辆停放", "卫生提升"):
        expect(themes.filter(has_text=theme)).to_have_count(1)
    # The charts are drawn (SVG, by the vendored ECharts), not left empty.
    for chart in ("chart-concerns", "chart-scores", "chart-facilities"):
        expect(page.locator(f"#{chart} svg")).to_have_count(1)
    assert errors == []
    # No inline script: the policy (default-src 'self') refuses nothing.
    assert page.evaluate("window.__cspViolations") == []

    links = {}
    for name in FIGURES:
        figure = page.locator(f'[data-figure="{name}"]')
        expect(figure).to_have_count(1)
        assert re.search(r"\d|—", figure.locator("b").inner_text()), name
        links[name] = figure.get_attribute("href")
    links["theme"] = themes.first.get_attribute("href")
    links["drill-down"] = page.locator(".ov-drill").first.get_attribute("href")

    for name, href in links.items():
        response = page.goto(base + href)
        assert response.status == 200, (name, href)
        # The admin sends a lookup it does not allow back with ?e=1.
        assert "e=1" not in page.url, (name, href)
        expect(page.locator("body")).not_to_contain_text("Traceback")
        if "/admin/" in href and "/reports/" not in href:
            expect(page.locator("#changelist")).to_have_count(1)


def test_community_staff_drills_down_to_a_grid_and_prints(
    live_server, page, demo_street
):
    base = live_server.url
    sign_in(page, base, "community_staff")

    expect(page.locator("h1")).to_contain_text("济阳大街社区")
    # No street tier below the street.
    expect(page.locator('[data-figure="tier-street"]')).to_have_count(0)
    # Every list behind a figure opens for community staff too.
    hrefs = page.locator("[data-figure]").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    for href in set(hrefs):
        response = page.request.get(base + href, max_redirects=0)
        assert response.status == 200, href
    page.locator(".ov-drill").first.click()
    expect(page.locator(".ov-trail a")).to_have_text(["济阳大街社区"])
    expect(page.locator("h1")).to_contain_text("网格")
    page.get_by_role("link", name="会议打印版").click()
    expect(page.locator("body.print-view")).to_have_count(1)
    expect(page.locator("[data-print]")).to_be_visible()

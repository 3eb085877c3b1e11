"""In real Chromium on a phone: the login lands on 我的待办, which fits."""

import pytest

from consultations import services

from .consultations.factories import category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 390, "height": 844},
    }


def test_a_phone_login_lands_on_my_tasks_and_reaches_the_list(
    live_server, page, compound, community_staff
):
    concern = services.submit_concern(
        compound=compound, category=category("sanitation"), description="楼道堆物"
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "community_staff")
    page.fill("#id_password", "pass-word-123")
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/my-tasks/")

    assert page.locator("h1").inner_text() == "我的待办"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "nothing runs off the side of the phone"
    )
    page.get_by_role("link", name="待受理的诉求").click()
    page.wait_for_url("**/concerns/staff/?status=submitted")
    assert concern.formatted_code in page.locator("main").inner_text()

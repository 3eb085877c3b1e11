"""In Chromium, community staff close a concern that went through a 流动茶桌
meeting: the concern page lists the meeting's action item, which they mark
done there, and the concern then closes (no superuser). The walk is
described in docs/walks.md."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civic.models import ActionItem, Meeting
from consultations import services as concern_services
from consultations.models import Concern, ConcernCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 1366, "height": 900},
    }


def test_community_staff_close_a_tea_table_concern(
    live_server, page, community_staff, compound, tmp_path
):
    parking, _ = ConcernCategory.objects.get_or_create(
        code="parking",
        defaults={"name": "停车管理", "name_en": "Parking", "sla_working_days": 5},
    )
    concern = concern_services.submit_concern(
        compound=compound,
        category=parking,
        description="小区停车位不够，夜里车辆乱停",
        source=Concern.Source.TEA_TABLE,
        actor=community_staff,
    )
    concern_services.accept(concern=concern, actor=community_staff)
    page.goto(f"{live_server.url}/meetings/new/")
    page.fill("#id_username", "community_staff")
    page.fill("#id_password", "pass-word-123")
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/meetings/new/")

    # Plan the tea table with the concern on its agenda.
    page.select_option("#id_kind", Meeting.Kind.TEA_TABLE)
    page.fill("#id_title", "流动茶桌：停车难")
    page.select_option("#id_compound", str(compound.pk))
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_place", "小区广场")
    page.fill("#id_host", "社区书记")
    page.click("form.form-card button[type=submit]")
    page.wait_for_url("**/meetings/*/")
    meeting_url = page.url
    page.select_option("#id_concern", str(concern.pk))
    page.click("form.form-card button[type=submit]")
    page.wait_for_load_state()

    # Close it with a decision that puts an action item on the concern.
    page.click("a[href$='/close/']")
    page.wait_for_url("**/close/")
    page.fill("#id_minutes", "居民与物业现场协商停车位划线。")
    page.fill("#id_attendee_count", "15")
    page.fill("#id_d-0-text", "物业两周内完成停车位划线。")
    page.select_option("#id_d-0-concern", str(concern.pk))
    page.fill("#id_d-0-owner", "物业公司")
    deadline = timezone.localdate() + timedelta(days=14)
    page.fill("#id_d-0-deadline", deadline.isoformat())
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(meeting_url)
    item = ActionItem.objects.get(concern=concern)

    # Answer the concern; closing is refused while the item is open.
    page.goto(f"{live_server.url}/concerns/staff/{concern.pk}/")
    page.locator("form.action-respond textarea[name=note]").fill("已商定划线方案。")
    page.locator("form.action-respond button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("form.action-close textarea[name=note]").fill("办结")
    page.locator("form.action-close button[type=submit]").click()
    page.wait_for_load_state()
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESPONDED

    # The concern page lists the blocking item and its meeting.
    holds = page.locator("#holds")
    assert "办结前须完成" in holds.inner_text()
    assert "物业两周内完成停车位划线。" in holds.inner_text()
    assert holds.locator(f"a[href^='/meetings/{item.decision.meeting_id}/']").count()
    page.screenshot(path=tmp_path / "concern-held.png", full_page=True)
    holds.locator("input[name=note]").fill("车位线已划好")
    holds.locator("button[type=submit]").click()
    page.wait_for_url(f"**/concerns/staff/{concern.pk}/")
    assert "落实事项已完成。" in page.locator(".messages").inner_text()
    assert page.locator("#holds").count() == 0

    page.locator("form.action-close textarea[name=note]").fill("办结")
    page.locator("form.action-close button[type=submit]").click()
    page.wait_for_load_state()
    concern.refresh_from_db()
    item.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert item.done_by == community_staff
    assert page.locator("#concern-status").inner_text() == "已办结"

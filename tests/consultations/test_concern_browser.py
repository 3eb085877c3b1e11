"""In real Chromium on a phone: a resident submits with a photo and tracks
it; staff dispatch and answer; the resident is dissatisfied and it reopens."""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Concern

from .factories import ensure_categories
from .images import jpeg_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    }


def click_action(page, action, note=""):
    form = page.locator(f"form.action-{action}")
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_resident_submits_tracks_staff_answer_and_dissatisfied_reopens(
    live_server, page, compound, serving_contract, grid_secretary, tmp_path
):
    ensure_categories()
    # The resident, on a phone, finds the compound by typing part of its name.
    page.goto(f"{live_server.url}/concerns/new/")
    page.fill("#compound-search", "水景")
    page.locator("#compound-options li", has_text="水景花苑").click()
    expect(page.locator("select[name=compound]")).to_have_value(str(compound.pk))
    page.select_option("select[name=category]", label="环境卫生")
    page.locator("label.chip", has_text="投诉").click()
    page.fill("textarea[name=description]", "5号楼楼道堆满纸箱，存在消防隐患")
    page.set_input_files(
        "input[name=photos]",
        files=[
            {
                "name": "corridor.jpg",
                "mimeType": "image/jpeg",
                "buffer": jpeg_bytes((800, 600), gps=True),
            }
        ],
    )
    page.locator("details.contact summary").click()
    page.fill("input[name=phone]", "13812345678")
    page.screenshot(path=tmp_path / "form.png", full_page=True)
    page.get_by_role("button", name="提交").click()

    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    concern = Concern.objects.get()
    assert concern.photos.count() == 1
    # The receipt carries the resident's own rating link.
    rating_link = page.locator("#rate-link a").get_attribute("href")
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.locator(".status")).to_have_text("已提交")
    assert "13812345678" not in page.content()

    # Staff accept, dispatch to the serving company and answer.
    staff = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/admin/login/?next=/concerns/staff/")
    desk.fill("#id_username", "grid_secretary")
    desk.fill("#id_password", "pass-word-123")
    desk.click("#login-form [type=submit]")
    desk.wait_for_url("**/concerns/staff/")
    desk.locator(".concern-row", has_text=code).click()
    click_action(desk, "accept")
    click_action(desk, "dispatch")
    expect(desk.locator("#concern-status")).to_have_text("已派单")
    click_action(desk, "sign")
    click_action(desk, "start")
    click_action(desk, "respond", note="纸箱已清运，已提醒住户不要堆放")
    expect(desk.locator("#concern-status")).to_have_text("已答复")
    staff.close()

    # The resident reads the answer and, through the rating link, is
    # dissatisfied.
    page.reload()
    expect(page.locator(".answer")).to_contain_text("纸箱已清运")
    expect(page.locator("#rating-form")).to_have_count(0)
    page.goto(f"{live_server.url}{rating_link}")
    page.locator("#rating-form label.chip", has_text="不满意").click()
    page.fill("textarea[name=comment]", "楼道还有纸箱")
    page.get_by_role("button", name="提交评价").click()

    expect(page.locator(".status")).to_have_text("重办")
    expect(page.locator(".message.success")).to_be_visible()
    concern.refresh_from_db()
    assert concern.status == Concern.Status.REOPENED
    # The reopened round starts unrated; the rating stays on the timeline.
    assert concern.rating == ""
    assert concern.events.get(action="rate").note == "不满意：楼道还有纸箱"

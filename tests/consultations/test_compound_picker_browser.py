"""In real Chromium on a phone: the compound picker sends the compound the
box shows (issue 13), says when nothing matches, and works without
JavaScript."""

import pytest
from playwright.sync_api import expect

from consultations.models import Concern
from tests.factories import CompoundFactory

from .factories import ensure_categories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {
    "locale": "zh-CN",
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE}


@pytest.fixture
def compounds(grid, compound):
    ensure_categories()
    return {
        "水景花苑": compound,
        "京杭佳苑": CompoundFactory(grid=grid, name="京杭佳苑"),
        "阳光丽景": CompoundFactory(grid=grid, name="阳光丽景"),
    }


def fill_the_rest(page):
    page.select_option("select[name=category]", label="环境卫生")
    page.fill("textarea[name=description]", "楼道灯坏了一个星期")


def submit(page):
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()


def test_retyping_another_name_after_a_pick_files_the_new_compound(
    live_server, page, compounds
):
    page.goto(f"{live_server.url}/concerns/new/")
    page.fill("#compound-search", "京杭")
    page.locator("#compound-options li", has_text="京杭佳苑").click()
    select = page.locator("select[name=compound]")
    expect(select).to_have_value(str(compounds["京杭佳苑"].pk))

    # Edited without tapping a suggestion: the first choice is gone at once,
    page.fill("#compound-search", "阳光")
    expect(select).to_have_value("")
    # and the full name typed chooses its compound.
    page.fill("#compound-search", "阳光丽景")
    expect(select).to_have_value(str(compounds["阳光丽景"].pk))
    fill_the_rest(page)
    submit(page)

    expect(page.locator("#tracking-code")).to_be_visible()
    assert Concern.objects.get().compound == compounds["阳光丽景"]


def test_a_partial_name_without_a_tap_is_not_sent(live_server, page, compounds):
    page.goto(f"{live_server.url}/concerns/new/")
    page.fill("#compound-search", "京杭")
    page.locator("#compound-options li", has_text="京杭佳苑").click()
    page.fill("#compound-search", "水景")
    fill_the_rest(page)
    submit(page)

    expect(page.locator("#compound-status")).to_have_text(
        "请从下方建议中点选您的小区。"
    )
    expect(page.locator("#compound-options li", has_text="水景花苑")).to_be_visible()
    assert Concern.objects.count() == 0


def test_an_exact_name_typed_without_a_tap_is_chosen(
    live_server, page, compounds, tmp_path
):
    page.goto(f"{live_server.url}/concerns/new/")
    fill_the_rest(page)
    # Typed last and sent at once: the form looks the name up before sending.
    page.fill("#compound-search", "水景花苑")
    page.screenshot(path=tmp_path / "picker-exact.png", full_page=True)
    submit(page)

    expect(page.locator("#tracking-code")).to_be_visible()
    assert Concern.objects.get().compound == compounds["水景花苑"]


def test_no_match_says_so_in_chinese(live_server, page, compounds, tmp_path):
    page.goto(f"{live_server.url}/concerns/new/")
    page.fill("#compound-search", "不存在花园")

    expect(page.locator("#compound-status")).to_contain_text("没有找到该小区")
    expect(page.locator("select[name=compound]")).to_have_value("")
    page.screenshot(path=tmp_path / "picker-not-found.png")


def test_without_javascript_a_search_fills_the_select(
    live_server, browser, compounds, tmp_path
):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/concerns/new/")
    expect(page.locator("#compound-search")).to_be_hidden()
    page.fill("#compound-q", "阳光")
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()

    select = page.locator("select[name=compound]")
    expect(select).to_have_value(str(compounds["阳光丽景"].pk))
    page.screenshot(path=tmp_path / "picker-no-js.png", full_page=True)
    fill_the_rest(page)
    submit(page)

    expect(page.locator("#tracking-code")).to_be_visible()
    assert Concern.objects.get().compound == compounds["阳光丽景"]
    context.close()


def test_no_match_offers_not_in_the_list_and_files_the_place(
    live_server, page, compounds, community
):
    page.goto(f"{live_server.url}/concerns/new/")
    page.fill("#compound-search", "老粮站家属院")
    expect(page.locator("#compound-status")).to_contain_text("没有找到")
    offer = page.locator("#compound-options li.not-listed-option")
    expect(offer).to_have_text("不在列表中，手动填写地点")
    offer.click()

    expect(page.locator("#not-listed")).to_have_attribute("open", "")
    expect(page.locator("input[name=place]")).to_have_value("老粮站家属院")
    page.select_option("#not-listed select[name=community]", label=community.name)
    fill_the_rest(page)
    submit(page)

    expect(page.locator("#tracking-code")).to_be_visible()
    concern = Concern.objects.get()
    assert (concern.compound, concern.place, concern.community) == (
        None,
        "老粮站家属院",
        community,
    )


def test_picking_a_compound_after_not_in_the_list_sends_the_compound(
    live_server, page, compounds
):
    page.goto(f"{live_server.url}/concerns/new/")
    page.fill("#compound-search", "老粮站")
    page.locator("#compound-options li.not-listed-option").click()
    page.fill("#compound-search", "京杭")
    page.locator("#compound-options li", has_text="京杭佳苑").click()
    expect(page.locator("input[name=place]")).to_have_value("")
    fill_the_rest(page)
    submit(page)

    assert Concern.objects.get().compound == compounds["京杭佳苑"]

"""In real Chromium: a clerk uploads a workbook, reads the report, fixes
the file and imports it; the pages fit a phone and a desktop."""

import os
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook

from compounds.models import Compound

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = ["小区名称", "社区", "网格", "类型", "管理方式", "户数", "楼栋数"]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def _file(tmp_path: Path, grid, households) -> str:
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(
        ["幸福家园", grid.parent.name, grid.name, "老旧小区", "楼长", households, 6]
    )
    book.active.append(
        ["和平里", grid.parent.name, "第九网格", "老旧小区", "楼长", 90, 3]
    )
    path = tmp_path / f"compounds-{households}.xlsx"
    out = BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def _shot(page, name: str) -> None:
    # Screenshots for a reviewer's eyes, only when asked for.
    folder = os.environ.get("LEDGER_SHOTS_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.parametrize(
    "viewport", [(390, 844), (1366, 900)], ids=["phone", "desktop"]
)
def test_dry_run_report_then_fixed_file_then_import(
    live_server, page, community_staff, grid, tmp_path, viewport
):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "community_staff")
    page.fill("#id_password", "pass-word-123")
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/my-tasks/")

    page.goto(f"{live_server.url}/ledgers/")
    _shot(page, f"index-{width}")
    compounds = page.locator(".ledger-card").filter(
        has=page.get_by_role("heading", name="小区", exact=True)
    )
    compounds.get_by_role("link", name="上传并检查").click()
    page.set_input_files("#id_workbook", _file(tmp_path, grid, "三百"))
    page.get_by_role("button", name="上传并试导入").click()

    report = page.locator("main").inner_text()
    assert "不是整数" in report and "该社区没有这个网格" in report
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, f"report-{width}")
    assert not Compound.objects.exists()

    fixed = _file(tmp_path, grid, 300).replace(".xlsx", "-fixed.xlsx")
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(
        ["幸福家园", grid.parent.name, grid.name, "老旧小区", "楼长", 300, 6]
    )
    book.save(fixed)
    page.set_input_files("#id_workbook", fixed)
    page.get_by_role("button", name="上传并试导入").click()
    assert "所有行均有效" in page.locator("main").inner_text()
    _shot(page, f"dry-run-ok-{width}")
    page.get_by_role("button", name="确认导入").click()

    assert "导入完成" in page.locator("main").inner_text()
    _shot(page, f"done-{width}")
    assert Compound.objects.filter(name="幸福家园", households=300).exists()

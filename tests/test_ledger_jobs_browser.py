"""In real Chromium, as the street office: a job's page follows its
progress by itself and shows the report once the job ends; an export's
page offers its file. The pages fit a phone and a desktop."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from org.jobs import finish_job, report_progress
from org.models import LedgerJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def _shot(page, name: str) -> None:
    # Screenshots for a reviewer's eyes, only when asked for.
    folder = os.environ.get("LEDGER_SHOTS_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def width(request, page, live_server, street_admin):
    """The street office signed in, at a phone's and a desktop's width."""
    width, height = request.param
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", street_admin.username)
    page.fill("#id_password", "pass-word-123")
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/my-tasks/")
    return width


def _job(user, **fields):
    fields.setdefault("title", "小区")
    return LedgerJob.objects.create(
        user=user, expires_at=timezone.now() + timedelta(hours=24), **fields
    )


def test_the_job_page_follows_progress_then_shows_the_report(
    live_server, page, street_admin, width
):
    job = _job(
        street_admin,
        kind=LedgerJob.Kind.IMPORT,
        ledger="compounds",
        state=LedgerJob.State.RUNNING,
        rows_total=1000,
    )
    report_progress(job.pk, 250, 1000)

    page.goto(f"{live_server.url}{job.get_absolute_url()}")

    status = page.locator(".job-progress")
    assert "进行中" in status.inner_text()
    assert "已处理 250 / 共 1,000 行" in status.inner_text()
    assert page.locator("progress").get_attribute("value") == "25"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, f"job-running-{width}")

    # The script polls: the page follows without a reload …
    report_progress(job.pk, 700, 1000)
    expect(status).to_contain_text("已处理 700 / 共 1,000 行", timeout=15000)
    expect(page.locator("progress")).to_have_attribute("value", "70")

    # … and reloads once the job is done, to show the report.
    finish_job(
        job,
        rows_done=1000,
        report={
            "applied": True,
            "ok": True,
            "file_error": "",
            "rows": 1000,
            "created": 990,
            "updated": 10,
            "unchanged": 0,
            "problem_count": 0,
            "problems": [],
            "changed_count": 1,
            "changed": [
                {
                    "row": 2,
                    "label": "幸福家园",
                    "action": "update",
                    "changes": "户数：300 → 320",
                }
            ],
        },
    )
    page.wait_for_selector("text=导入完成", timeout=15000)
    assert page.locator(".job-progress").count() == 0
    assert "户数：300 → 320" in page.locator("main").inner_text()
    _shot(page, f"job-done-{width}")


def test_an_export_page_offers_its_file_and_my_tasks_links_it(
    live_server, page, street_admin, width
):
    job = _job(
        street_admin,
        kind=LedgerJob.Kind.EXPORT,
        ledger="concerns",
        title="居民说事台账",
        scope="济阳街道",
        filename="concerns.xlsx",
        rows_total=120000,
    )
    job.result.save("concerns.xlsx", ContentFile(b"PK\x03\x04 not really"), save=False)
    finish_job(job, rows_done=120000)

    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    main = page.locator("main").inner_text()
    assert "工作簿已生成：共 120,000 行" in main
    assert page.get_by_role("link", name="下载工作簿").is_visible()
    _shot(page, f"export-done-{width}")

    page.goto(f"{live_server.url}/my-tasks/")
    page.get_by_role("link", name="可下载的导出工作簿").first.click()
    page.wait_for_url("**/jobs/")
    assert "居民说事台账" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, f"job-list-{width}")

"""A real Celery worker on Redis runs ledger jobs to the end: the page
polls their progress while the worker reads or writes the rows."""

import time
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from compounds.models import Compound
from org.models import LedgerJob

from .consultations.factories import ConcernFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HEADERS = ["小区名称", "社区", "网格", "类型", "管理方式", "户数", "楼栋数"]
ROWS = 1500


@pytest.fixture
def worker_files(settings, celery_worker_process):
    settings.LEDGER_JOB_DIR = celery_worker_process.job_dir
    return celery_worker_process


def compounds_file(grid, rows: int) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(HEADERS)
    for n in range(rows):
        book.active.append(
            [f"小区{n:04d}", grid.parent.name, grid.name, "老旧小区", "楼长", 100, 3]
        )
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("compounds.xlsx", out.getvalue())


def follow(client, job_id: int, timeout: float = 120) -> list[dict]:
    """Poll the status as the page's script does, until the job ends."""
    seen = []
    url = reverse("ledger-job-status", args=[job_id])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(url).json()
        seen.append(status)
        if status["finished"]:
            return seen
        time.sleep(0.05)
    pytest.fail(f"job {job_id} did not finish: {seen[-1]}")


def moved(seen: list[dict]) -> bool:
    """Some poll saw the job part of the way through."""
    return any(
        s["state"] == "running" and 0 < s["rows_done"] < (s["rows_total"] or ROWS)
        for s in seen
    )


def test_a_worker_checks_then_imports_a_workbook_with_progress(
    postgres_and_redis, worker_files, client, street_admin, grid
):
    client.force_login(street_admin)
    url = reverse("compounds:ledger-import", args=["compounds"])

    response = client.post(url, {"workbook": compounds_file(grid, ROWS)})

    job = LedgerJob.objects.get()
    assert response.status_code == 302
    seen = follow(client, job.pk)
    job.refresh_from_db()
    assert job.state == LedgerJob.State.DONE, job.error
    assert job.report["ok"] and job.report["created"] == ROWS
    assert seen[-1]["percent"] == 100
    assert moved(seen), seen
    assert not Compound.objects.exists()

    confirm = reverse("compounds:ledger-job-confirm", args=["compounds", job.pk])
    assert client.post(confirm).status_code == 302
    seen = follow(client, job.pk)

    job.refresh_from_db()
    assert job.state == LedgerJob.State.DONE and job.report["applied"]
    assert Compound.objects.filter(grid=grid).count() == ROWS
    assert not job.upload
    page = client.get(job.get_absolute_url()).content.decode()
    assert "导入完成" in page


def test_a_worker_fails_a_bad_file_and_stores_nothing(
    postgres_and_redis, worker_files, client, street_admin
):
    client.force_login(street_admin)
    url = reverse("compounds:ledger-import", args=["compounds"])

    client.post(url, {"workbook": SimpleUploadedFile("a.xlsx", b"not a workbook")})

    job = LedgerJob.objects.get()
    follow(client, job.pk)
    job.refresh_from_db()
    assert job.state == LedgerJob.State.FAILED
    assert "不是 Excel 工作簿" in job.error
    assert not job.upload
    assert not Compound.objects.exists()


def test_a_worker_writes_a_large_export_for_download(
    postgres_and_redis, worker_files, client, community_staff, compound, settings
):
    settings.LEDGER_EXPORT_JOB_ROWS = 10
    concerns = [
        ConcernFactory(compound=compound, description=f"第{n}件") for n in range(30)
    ]
    client.force_login(community_staff)

    response = client.post(
        reverse("admin:consultations_concern_changelist"),
        {
            "action": "export_xlsx",
            "index": "0",
            "_selected_action": [c.pk for c in concerns],
        },
    )

    job = LedgerJob.objects.get()
    assert response.status_code == 302
    follow(client, job.pk)
    job.refresh_from_db()
    assert job.state == LedgerJob.State.DONE, job.error
    assert job.rows_done == 30
    download = client.get(reverse("ledger-job-download", args=[job.pk]))
    book = load_workbook(BytesIO(b"".join(download.streaming_content)))
    assert book["诉求"].max_row == 3 + 30
    assert (worker_files.job_dir / job.result.name).is_file()

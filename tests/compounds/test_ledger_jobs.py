"""A ledger import through the page, as a job: upload → dry run → confirm.

Celery runs eagerly here (as in the demo), once the request's transaction
commits; tests/test_ledger_jobs_worker.py runs the same jobs on a real
worker.
"""

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from compounds.models import Compound
from org.jobs import purge_expired_jobs, report_progress
from org.models import AuditEvent, LedgerJob

pytestmark = pytest.mark.django_db

HEADERS = ["小区名称", "社区", "网格", "类型", "管理方式", "户数", "楼栋数"]


def row(grid, name="幸福家园", households=320):
    return [name, grid.parent.name, grid.name, "商品房小区", "物业公司", households, 8]


def upload(*rows) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(HEADERS)
    for values in rows:
        book.active.append(values)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("ledger.xlsx", out.getvalue())


IMPORT_URL = reverse("compounds:ledger-import", args=["compounds"])


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """POST as the browser does, the queued job running as the request
    commits (the demo's in-process Celery), then follow the redirect."""

    def send(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {})
        if response.status_code == 302:
            return client.get(response["Location"])
        return response

    return send


def job_files(settings) -> list[Path]:
    folder = Path(settings.LEDGER_JOB_DIR)
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_upload_checks_as_a_job_then_confirm_imports(
    client, community_staff, grid, send, settings
):
    client.force_login(community_staff)

    dry = send(
        IMPORT_URL,
        {"workbook": upload(row(grid))},
    )

    job = LedgerJob.objects.get()
    assert dry.status_code == 200
    assert dry.request["PATH_INFO"] == job.get_absolute_url()
    assert "试导入" in dry.content.decode() and "确认导入" in dry.content.decode()
    assert job.state == LedgerJob.State.DONE and not job.confirmed
    assert job.report["ok"] and job.report["created"] == 1
    assert not Compound.objects.exists()
    assert len(job_files(settings)) == 1  # the upload, held for the confirmation

    confirm = reverse("compounds:ledger-job-confirm", args=["compounds", job.pk])
    done = send(confirm)

    job.refresh_from_db()
    assert "导入完成" in done.content.decode()
    assert job.confirmed and job.report["applied"]
    assert Compound.objects.filter(name="幸福家园", grid=grid).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_IMPORT).exists()
    # Imported: the upload is gone, and the job cannot be confirmed twice.
    assert job_files(settings) == []
    again = send(confirm)
    assert "无法再确认" in again.content.decode()
    assert Compound.objects.count() == 1


def test_the_confirmed_import_checks_every_row_again(
    client, community_staff, grid, send
):
    client.force_login(community_staff)
    send(
        IMPORT_URL,
        {"workbook": upload(row(grid), row(grid, "和平里"))},
    )
    job = LedgerJob.objects.get()
    # Between the dry run and the confirmation the grid is renamed: no row
    # of the file names a known grid any more.
    grid.name = "改名后的网格"
    grid.save()

    send(
        reverse("compounds:ledger-job-confirm", args=["compounds", job.pk]),
    )

    job.refresh_from_db()
    assert job.state == LedgerJob.State.DONE
    assert not job.report["applied"] and job.report["problem_count"] == 2
    assert not Compound.objects.exists()


def test_row_problems_are_reported_with_row_column_value_and_reason(
    client, street_admin, grid, send, settings
):
    client.force_login(street_admin)

    response = send(
        IMPORT_URL,
        {"workbook": upload(row(grid, households="很多"))},
    )

    html = response.content.decode()
    assert "很多" in html and "不是整数" in html and "户数" in html
    assert "确认导入" not in html
    job = LedgerJob.objects.get()
    assert job.report["problems"][0]["row"] == 2
    assert not Compound.objects.exists()
    # Nothing to confirm: the upload is not kept.
    assert job_files(settings) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("小区名称,社区\n甲,乙\n".encode(), "不是 Excel 工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "密码"),
        (b"", "不是 Excel 工作簿"),
    ],
    ids=["csv", "password", "empty-file"],
)
def test_a_bad_file_fails_the_job_with_a_chinese_message_and_stores_nothing(
    client, street_admin, content, message, send, settings
):
    client.force_login(street_admin)

    response = send(
        IMPORT_URL,
        {"workbook": SimpleUploadedFile("a.xlsx", content)},
    )

    job = LedgerJob.objects.get()
    assert response.status_code == 400
    assert message in response.content.decode()
    assert job.state == LedgerJob.State.FAILED and message in job.error
    assert not Compound.objects.exists()
    assert job_files(settings) == []


def test_too_many_rows_fail_the_job_with_the_limit(
    client, street_admin, grid, settings, send
):
    settings.LEDGER_IMPORT_MAX_ROWS = 3
    client.force_login(street_admin)

    response = send(
        IMPORT_URL,
        {"workbook": upload(*(row(grid, f"小区{n}") for n in range(4)))},
    )

    assert response.status_code == 400
    assert "超过 3 行" in response.content.decode()
    assert not Compound.objects.exists()


def test_no_file_is_a_chinese_error(client, street_admin):
    client.force_login(street_admin)

    response = client.post(IMPORT_URL, {})

    assert response.status_code == 400
    assert "请选择" in response.content.decode()
    assert not LedgerJob.objects.exists()


# Who sees a job ------------------------------------------------------------------


@pytest.fixture
def checked_job(client, community_staff, grid, send):
    client.force_login(community_staff)
    send(
        IMPORT_URL,
        {"workbook": upload(row(grid))},
    )
    client.logout()
    return LedgerJob.objects.get()


def _job_urls(job):
    return [
        job.get_absolute_url(),
        reverse("ledger-job-status", args=[job.pk]),
        reverse("ledger-job", args=[job.pk]),
    ]


def test_another_clerk_gets_404_for_the_job(client, checked_job, other_community):
    from ..conftest import staff_with_post

    other = staff_with_post(other_community, username="other_clerk")
    client.force_login(other)

    for url in _job_urls(checked_job):
        assert client.get(url).status_code == 404, url
    confirm = reverse(
        "compounds:ledger-job-confirm", args=["compounds", checked_job.pk]
    )
    assert client.post(confirm).status_code == 404
    checked_job.refresh_from_db()
    assert not checked_job.confirmed


def test_the_street_office_of_the_street_sees_the_job_but_does_not_confirm_it(
    client, checked_job, street_admin
):
    client.force_login(street_admin)

    assert client.get(checked_job.get_absolute_url()).status_code == 200
    assert (
        client.get(reverse("ledger-job-status", args=[checked_job.pk])).json()["state"]
        == "done"
    )
    confirm = reverse(
        "compounds:ledger-job-confirm", args=["compounds", checked_job.pk]
    )
    assert client.post(confirm).status_code == 403
    assert not Compound.objects.exists()


def test_a_company_user_is_refused_the_import_and_does_not_see_jobs(
    client, checked_job, property_manager
):
    client.force_login(property_manager)

    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"workbook": upload()}).status_code == 403
    assert (
        client.get(reverse("ledger-job-status", args=[checked_job.pk])).status_code
        == 404
    )
    assert LedgerJob.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(client, checked_job):
    response = client.get(reverse("ledger-job-status", args=[checked_job.pk]))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


# Progress -------------------------------------------------------------------------


def test_a_running_job_shows_its_progress_from_the_cache(client, checked_job):
    LedgerJob.objects.filter(pk=checked_job.pk).update(
        state=LedgerJob.State.RUNNING, rows_total=1000
    )
    report_progress(checked_job.pk, 400, 1000)
    client.force_login(checked_job.user)

    status = client.get(reverse("ledger-job-status", args=[checked_job.pk])).json()
    page = client.get(checked_job.get_absolute_url()).content.decode()

    assert status["state"] == "running" and status["finished"] is False
    assert (status["rows_done"], status["rows_total"], status["percent"]) == (
        400,
        1000,
        40,
    )
    assert status["rows_label"] == "已处理 400 / 共 1,000 行"
    assert 'value="40"' in page and "js/job_progress.js" in page
    # Without script the page refreshes itself.
    assert 'http-equiv="refresh"' in page


# Expiry -----------------------------------------------------------------------------


def test_expired_jobs_go_with_their_files(checked_job, settings):
    assert len(job_files(settings)) == 1
    fresh = LedgerJob.objects.create(
        kind=LedgerJob.Kind.EXPORT,
        ledger="compounds",
        user=checked_job.user,
        expires_at=timezone.now() + timedelta(hours=48),
    )

    assert purge_expired_jobs(now=timezone.now() + timedelta(hours=23)) == 0
    assert purge_expired_jobs(now=timezone.now() + timedelta(hours=25)) == 1

    assert list(LedgerJob.objects.all()) == [fresh]
    assert job_files(settings) == []


def test_an_expired_upload_cannot_be_confirmed(client, checked_job, send):
    LedgerJob.objects.filter(pk=checked_job.pk).update(expires_at=timezone.now())
    client.force_login(checked_job.user)

    response = send(
        reverse("compounds:ledger-job-confirm", args=["compounds", checked_job.pk]),
    )

    assert "请重新上传" in response.content.decode()
    assert not Compound.objects.exists()


def test_the_purge_task_runs_on_the_beat_schedule(settings):
    from org.tasks import purge_ledger_jobs_task

    entry = settings.CELERY_BEAT_SCHEDULE["purge-ledger-jobs"]
    assert entry["task"] == purge_ledger_jobs_task.name
    assert purge_ledger_jobs_task.delay().get() == 0


# The demo's settings: SQLite and no broker -----------------------------------------

DEMO_SCRIPT = """
import django
django.setup()
from io import BytesIO
from django.conf import settings
from django.core.management import call_command
from openpyxl import Workbook
from compounds.import_runs import queue_import_job
from compounds.ledgers import LEDGERS
from org.models import OrgUnit, User
from jiyang.celery import app

call_command("migrate", verbosity=0)
street = OrgUnit.objects.create(kind="street", name="济阳街道", code="370811012")
community = OrgUnit.objects.create(kind="community", name="运河社区", parent=street)
grid = OrgUnit.objects.create(kind="grid", name="第一网格", parent=community)
user = User.objects.create_superuser("demo", password="demo-demo-1")
book = Workbook()
book.active.append(%(headers)r)
book.active.append(["幸福家园", "运河社区", "第一网格", "老旧小区", "楼长", 90, 3])
upload = BytesIO()
book.save(upload)
job = queue_import_job(user=user, ledger=LEDGERS["compounds"], upload=upload)
job.refresh_from_db()
print(settings.DATABASES["default"]["ENGINE"], app.conf.task_always_eager,
      job.state, job.report["created"])
"""


def test_without_a_broker_the_demo_runs_the_job_in_process(tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DATABASE_URL="sqlite://:memory:",
        DJANGO_SETTINGS_MODULE="jiyang.settings",
        SECRET_KEY="demo",
        LEDGER_JOB_DIR=str(tmp_path),
    )

    done = subprocess.run(
        [sys.executable, "-c", DEMO_SCRIPT % {"headers": HEADERS}],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["django.db.backends.sqlite3", "True", "done", "1"]

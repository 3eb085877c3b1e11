"""An export of more rows than LEDGER_EXPORT_JOB_ROWS runs as a job: the
user is sent to its page, the worker (in-process here, as in the demo)
streams the workbook into private storage, and the page, the job list and
我的待办 link to it; smaller exports stay immediate."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from consultations.models import Concern
from jiyang.my_tasks import my_tasks
from org.downloads import queue_export_job
from org.exports import ledger_named
from org.jobs import dump_query, load_query
from org.models import AuditEvent, LedgerJob

from .consultations.factories import ConcernFactory
from .factories import CompoundFactory, GridFactory, PropertyCompanyFactory

pytestmark = pytest.mark.django_db

PHONE = "+8613700001111"


@pytest.fixture
def small_threshold(settings):
    settings.LEDGER_EXPORT_JOB_ROWS = 2


def admin_export(client, user, pks, capture):
    client.force_login(user)
    with capture(execute=True):
        return client.post(
            reverse("admin:consultations_concern_changelist"),
            {"action": "export_xlsx", "index": "0", "_selected_action": pks},
        )


def rows_of(content: bytes, sheet="诉求") -> list[tuple]:
    book = load_workbook(BytesIO(content))
    return list(book[sheet].iter_rows(min_row=4, values_only=True))


def test_a_large_admin_export_runs_as_a_job_with_a_download_link(
    client,
    community_staff,
    compound,
    small_threshold,
    django_capture_on_commit_callbacks,
):
    concerns = [
        ConcernFactory(compound=compound, description=f"楼道灯坏了{n}", phone=PHONE)
        for n in range(3)
    ]

    response = admin_export(
        client,
        community_staff,
        [c.pk for c in concerns],
        django_capture_on_commit_callbacks,
    )

    job = LedgerJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger-job", args=[job.pk])
    assert job.kind == LedgerJob.Kind.EXPORT and job.state == LedgerJob.State.DONE
    assert (job.rows_done, job.rows_total) == (3, 3)
    page = client.get(response["Location"]).content.decode()
    assert "工作簿已生成：共 3 行" in page and "下载工作簿" in page
    assert "后台导出" in page  # the message the redirect carried

    download = client.get(reverse("ledger-job-download", args=[job.pk]))

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content)
    rows = rows_of(body)
    assert len(rows) == 3
    text = repr(rows)
    assert "楼道灯坏了0" in text and "13700001111" not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == community_staff and "诉求 3" in event.detail


def test_a_small_export_is_still_immediate(
    client, community_staff, compound, django_capture_on_commit_callbacks
):
    concern = ConcernFactory(compound=compound)

    response = admin_export(
        client, community_staff, [concern.pk], django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not LedgerJob.objects.exists()


def test_the_job_keeps_the_scope_of_the_list(
    client,
    community_staff,
    compound,
    other_community,
    small_threshold,
    django_capture_on_commit_callbacks,
):
    far = CompoundFactory(grid=GridFactory(parent=other_community), name="柳行小区")
    own = [
        ConcernFactory(compound=compound, description=f"本社区{n}") for n in range(3)
    ]
    foreign = ConcernFactory(compound=far, description="别的社区")

    admin_export(
        client,
        community_staff,
        [c.pk for c in [*own, foreign]],
        django_capture_on_commit_callbacks,
    )

    job = LedgerJob.objects.get()
    content = client.get(reverse("ledger-job-download", args=[job.pk]))
    text = repr(rows_of(b"".join(content.streaming_content)))
    assert "本社区0" in text and "别的社区" not in text


def test_the_ranking_page_export_above_the_threshold_is_a_job(
    client, street_admin, street, settings, django_capture_on_commit_callbacks
):
    from .test_ledger_exports import ranking

    settings.LEDGER_EXPORT_JOB_ROWS = 0
    ranking(PropertyCompanyFactory(registered_with=street, name="甲物业"), street)
    client.force_login(street_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("assessments:ranking-export"), {"quarter": "2026Q3"}
        )

    job = LedgerJob.objects.get()
    assert response.status_code == 302
    assert job.ledger == "rankings" and job.state == LedgerJob.State.DONE
    assert job.filename == "ranking-2026Q3.xlsx"


@pytest.fixture
def done_export(
    client,
    community_staff,
    compound,
    small_threshold,
    django_capture_on_commit_callbacks,
):
    concerns = [ConcernFactory(compound=compound) for _ in range(3)]
    admin_export(
        client,
        community_staff,
        [c.pk for c in concerns],
        django_capture_on_commit_callbacks,
    )
    client.logout()
    return LedgerJob.objects.get()


def test_another_user_gets_404_for_the_export_and_its_file(
    client, done_export, grid_secretary, property_manager
):
    for user in (grid_secretary, property_manager):
        client.force_login(user)
        for name in ("ledger-job", "ledger-job-status", "ledger-job-download"):
            assert client.get(reverse(name, args=[done_export.pk])).status_code == 404


def test_the_street_office_of_the_street_may_fetch_a_clerks_export(
    client, done_export, street_admin
):
    client.force_login(street_admin)

    response = client.get(reverse("ledger-job-download", args=[done_export.pk]))

    assert response.status_code == 200


def test_my_tasks_and_the_job_list_link_the_ready_file(client, done_export):
    user = done_export.user

    items = {item.key: item for s in my_tasks(user) for item in s.items}
    client.force_login(user)
    listing = client.get(reverse("ledger-jobs")).content.decode()

    assert items["jobs.downloads"].count == 1
    assert items["jobs.downloads"].url == reverse("ledger-jobs")
    assert reverse("ledger-job-download", args=[done_export.pk]) in listing
    assert "我的导入与导出" in listing


def test_an_expired_file_is_no_longer_served(client, done_export):
    from django.utils import timezone

    LedgerJob.objects.filter(pk=done_export.pk).update(expires_at=timezone.now())
    client.force_login(done_export.user)

    assert (
        client.get(reverse("ledger-job-download", args=[done_export.pk])).status_code
        == 404
    )
    assert (
        "已过期"
        in client.get(reverse("ledger-job", args=[done_export.pk])).content.decode()
    )


def test_a_tampered_query_fails_the_job_instead_of_loading(
    community_staff, compound, django_capture_on_commit_callbacks
):
    ConcernFactory(compound=compound)
    queryset = Concern.objects.visible_to(community_staff)
    stored = dump_query(queryset)
    assert load_query(Concern, stored).count() == 1
    with pytest.raises(ValueError, match="signature"):
        load_query(Concern, stored[:-1] + b"x")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = queue_export_job(
            user=community_staff,
            ledger=ledger_named("concerns"),
            queryset=queryset,
            filename="concerns.xlsx",
            total=1,
        )
    LedgerJob.objects.filter(pk=job.pk).update(query=stored[:-1] + b"x")
    for callback in queued:
        callback()

    job.refresh_from_db()
    assert job.state == LedgerJob.State.FAILED
    assert job.error == "导出失败。请重新导出，或联系管理员。"
    assert not job.result


def test_every_ledger_is_found_by_name():
    names = [
        "compounds",
        "companies",
        "committees",
        "concerns",
        "inspections",
        "monthly-scores",
        "rankings",
        "rewards",
        "exit-cases",
        "meetings",
        "disclosures",
        "visit-reports",
    ]
    for name in names:
        assert ledger_named(name).name == name


def test_a_broker_that_does_not_answer_fails_the_job_not_the_request(
    client,
    community_staff,
    compound,
    small_threshold,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from org import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.export_ledger_task, "delay", refuse)
    concerns = [ConcernFactory(compound=compound) for _ in range(3)]

    response = admin_export(
        client,
        community_staff,
        [c.pk for c in concerns],
        django_capture_on_commit_callbacks,
    )

    job = LedgerJob.objects.get()
    assert response.status_code == 302
    assert job.state == LedgerJob.State.FAILED
    assert job.error == "任务队列暂时无响应，请稍后再试。"
    assert "任务队列暂时无响应" in client.get(response["Location"]).content.decode()


def test_every_admin_list_with_a_ledger_can_be_stored_for_a_job(rf, street_admin):
    """The changelist's queryset (annotations, joins, scope) survives the
    signed pickle a job stores."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = street_admin
    with_ledger = [
        model_admin
        for model_admin in admin.site._registry.values()
        if getattr(model_admin, "ledger", None) is not None
    ]
    assert len(with_ledger) >= 10
    for model_admin in with_ledger:
        queryset = model_admin.get_queryset(request)
        loaded = load_query(model_admin.model, dump_query(queryset))
        assert str(loaded.query) == str(queryset.query), model_admin
        assert loaded.count() == queryset.count()


def test_the_export_task_may_run_longer_than_other_tasks(settings):
    from org.tasks import export_ledger_task

    assert export_ledger_task.time_limit > settings.CELERY_TASK_TIME_LIMIT
    assert export_ledger_task.soft_time_limit < export_ledger_task.time_limit

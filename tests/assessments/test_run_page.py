"""The street office starts a month's scoring or a quarter's ranking from
the run page; the run is queued on Celery and the page follows it."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse

from assessments.models import MonthlyCompoundScore, ScoringRun
from common.periods import Month, Quarter
from org.models import Post
from tests.conftest import staff_with_post
from tests.factories import CommunityFactory, GridFactory, StreetFactory

from .score_data import compound_in, inspect, serve, small_scheme

pytestmark = pytest.mark.django_db


def wait_for_run(run_id: int, timeout: float = 60) -> ScoringRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ScoringRun.objects.get(pk=run_id)
        if not run.is_pending:
            return run
        time.sleep(0.2)
    pytest.fail(f"scoring run {run_id} still pending after {timeout} s")


def post_run(client, **data):
    return client.post(reverse("assessments:runs"), data)


def test_a_run_is_queued_after_commit_and_runs_in_process_without_a_broker(
    client, street_admin, street, compound, django_capture_on_commit_callbacks
):
    month = Month.current().previous()
    scheme = small_scheme()
    serve(compound)
    inspect(compound, scheme, month.start + timedelta(days=4), {"A1": 1})
    client.force_login(street_admin)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_run(client, kind="month", period=str(month), street=street.pk)
    run = ScoringRun.objects.get()
    # Nothing ran inside the request: the run waits for its commit.
    assert run.outcome == ScoringRun.Outcome.QUEUED
    assert run.started_by == street_admin
    assert run.street == street
    assert not MonthlyCompoundScore.objects.exists()
    assert response["Location"] == reverse("assessments:run", args=[run.pk])
    assert len(callbacks) == 1

    # The task sends its street chord after its own commit, too.
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()

    run.refresh_from_db()
    assert run.outcome == ScoringRun.Outcome.OK, run.error
    assert (run.parts, run.parts_done) == (1, 1)
    assert run.rows_written == 2
    assert MonthlyCompoundScore.objects.filter(month=month.start).count() == 1


def test_a_street_office_scores_only_its_own_street(
    client, street_admin, django_capture_on_commit_callbacks
):
    other = StreetFactory()
    client.force_login(street_admin)

    response = post_run(
        client, kind="month", period=str(Month.current().previous()), street=other.pk
    )

    assert response.status_code == 200
    assert "street" in response.context["form"].errors
    assert not ScoringRun.objects.exists()


@pytest.mark.parametrize(
    ("kind", "period", "words"),
    [
        ("month", lambda: str(Month.current()), "尚未结束"),
        ("month", lambda: str(Month.current().next()), "未来"),
        ("month", lambda: "2026-13", "不是有效"),
        ("quarter", lambda: str(Quarter.current()), "尚未结束"),
    ],
)
def test_unfinished_or_bad_periods_are_refused_in_chinese(
    client, street_admin, street, kind, period, words
):
    client.force_login(street_admin)

    response = post_run(client, kind=kind, period=period(), street=street.pk)

    assert response.status_code == 200
    assert words in response.content.decode()
    assert not ScoringRun.objects.exists()


def test_run_page_refreshes_while_a_run_is_pending(client, street_admin, street):
    run = ScoringRun.objects.create(
        kind="quarter", period="2026Q3", street=street, outcome="queued"
    )
    client.force_login(street_admin)

    detail = client.get(reverse("assessments:run", args=[run.pk])).content.decode()
    listing = client.get(reverse("assessments:runs")).content.decode()

    assert 'http-equiv="refresh"' in detail
    assert "排队中" in detail
    assert 'http-equiv="refresh"' in listing
    run.outcome = "ok"
    run.save()
    detail = client.get(reverse("assessments:run", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' not in detail


def test_runs_are_not_added_in_the_admin(client, street_admin):
    client.force_login(street_admin)

    assert client.get(reverse("admin:assessments_scoringrun_add")).status_code == 403
    assert client.get(
        reverse("admin:assessments_scoringrun_changelist")
    ).status_code == (200)


def test_company_staff_read_the_runs_without_the_form(client, property_manager):
    client.force_login(property_manager)

    response = client.get(reverse("assessments:runs"))

    assert response.status_code == 200
    assert 'id="run-form"' not in response.content.decode()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_queued_ranking_and_month(
    client, postgres_and_redis, celery_worker_process
):
    street = StreetFactory()
    admin = staff_with_post(street, Post.Role.FULL_TIME_STAFF)
    month = Month.current().previous()
    scheme = small_scheme()
    compound = compound_in(GridFactory(parent=CommunityFactory(parent=street)))
    serve(compound)
    inspect(compound, scheme, month.start + timedelta(days=2), {"A1": 2})
    client.force_login(admin)

    post_run(client, kind="month", period=str(month), street=street.pk)
    month_run = wait_for_run(ScoringRun.objects.get(period=str(month)).pk)
    quarter = Quarter.current().previous()
    post_run(client, kind="quarter", period=str(quarter), street=street.pk)
    quarter_run = wait_for_run(ScoringRun.objects.get(period=str(quarter)).pk)

    assert month_run.outcome == ScoringRun.Outcome.OK, month_run.error
    assert month_run.started_by_id == admin.pk
    assert month_run.parts_done == 1
    assert quarter_run.outcome == ScoringRun.Outcome.OK, quarter_run.error
    log = celery_worker_process.log_path.read_text()
    assert "score_street_month_task" in log
    assert "rank_quarter_task" in log

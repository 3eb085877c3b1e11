"""A real Celery worker runs the monthly job through Redis on PostgreSQL."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import MonthlyCompanyScore, MonthlyCompoundScore, ScoringRun
from assessments.services.scoring import score_month
from assessments.tasks import score_month_task
from common.periods import Month
from tests.factories import CommunityFactory, GridFactory, StreetFactory

from .score_data import compound_in, inspect, serve, small_scheme

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for_run(run_id: int, timeout: float = 60) -> ScoringRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ScoringRun.objects.get(pk=run_id)
        if run.outcome != ScoringRun.Outcome.RUNNING:
            return run
        time.sleep(0.2)
    pytest.fail(f"scoring run {run_id} still running after {timeout} s")


def test_worker_scores_the_month_one_task_per_street(
    postgres_and_redis, celery_worker_process
):
    month = Month.current().previous()
    day = month.start + timedelta(days=9)
    scheme = small_scheme()
    compounds = []
    for n in range(3):
        grid = GridFactory(parent=CommunityFactory(parent=StreetFactory()))
        compound = compound_in(grid)
        serve(compound)
        inspect(compound, scheme, day, {"A1": n})
        compounds.append(compound)

    run_id = score_month_task.delay(str(month)).get(timeout=60)
    run = wait_for_run(run_id)

    assert run.outcome == ScoringRun.Outcome.OK, run.error
    assert run.parts == 3
    assert run.rows_written == 6
    assert MonthlyCompoundScore.objects.filter(month=month.start).count() == 3
    assert MonthlyCompanyScore.objects.filter(month=month.start).count() == 3
    log = celery_worker_process.log_path.read_text()
    assert log.count("score_street_month_task") >= 3
    assert "finish_scoring_run_task" in log
    assert run.finished_at <= timezone.now()


def test_two_runs_at_once_leave_one_consistent_set_of_rows(postgres_and_redis):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    month = Month.current().previous()
    scheme = small_scheme()
    street = StreetFactory()
    for n in range(6):
        grid = GridFactory(parent=CommunityFactory(parent=street))
        compound = compound_in(grid)
        serve(compound)
        inspect(compound, scheme, month.start + timedelta(days=3), {"A1": n % 3})

    def run(_):
        try:
            return score_month(month).outcome
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run, range(2)))

    assert outcomes == [ScoringRun.Outcome.OK, ScoringRun.Outcome.OK]
    assert MonthlyCompoundScore.objects.filter(month=month.start).count() == 6
    assert MonthlyCompanyScore.objects.filter(month=month.start).count() == 6

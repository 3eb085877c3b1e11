"""The scoring tasks: beat schedule, eager fan-out and its join."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings

from assessments.models import (
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    QuarterlyRanking,
    ScoringRun,
)
from assessments.services.scoring import score_month
from assessments.tasks import rank_quarter_task, score_month_task
from common.periods import Month
from tests.factories import CommunityFactory, GridFactory, StreetFactory

from .score_data import compound_in, inspect, serve, small_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel("2026-04-01 02:00 +0800", tick=False):
        yield


def test_beat_runs_the_month_before_at_two_on_the_first():
    entry = settings.CELERY_BEAT_SCHEDULE["score-previous-month"]
    assert entry["task"] == "assessments.tasks.score_month_task"
    assert entry["schedule"] == crontab(minute=0, hour=2, day_of_month=1)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_beat_ranks_the_quarter_before_on_the_first_of_each_quarter():
    entry = settings.CELERY_BEAT_SCHEDULE["rank-previous-quarter"]
    assert entry["task"] == "assessments.tasks.rank_quarter_task"
    assert entry["schedule"] == crontab(
        minute=0, hour=3, day_of_month=1, month_of_year="1,4,7,10"
    )


def two_streets_with_inspections(scheme):
    compounds = []
    for n in range(2):
        street = StreetFactory()
        grid = GridFactory(parent=CommunityFactory(parent=street))
        compound = compound_in(grid)
        serve(compound)
        inspect(compound, scheme, date(2026, 3, 10), {"A1": n})
        compounds.append(compound)
    return compounds


def test_monthly_task_fans_out_per_street_and_joins_eagerly(
    django_capture_on_commit_callbacks,
):
    scheme = small_scheme()
    compounds = two_streets_with_inspections(scheme)

    with django_capture_on_commit_callbacks(execute=True):
        run_id = score_month_task.delay().get()

    run = ScoringRun.objects.get(pk=run_id)
    assert run.period == "2026-03"
    assert run.parts == 2
    assert run.outcome == ScoringRun.Outcome.OK
    assert run.rows_written == 4
    assert set(MonthlyCompoundScore.objects.values_list("compound", flat=True)) == {
        c.pk for c in compounds
    }
    assert MonthlyCompoundScore.objects.get(compound=compounds[1]).score == Decimal(
        "86.67"
    )


def test_failed_street_task_marks_the_run_failed(
    django_capture_on_commit_callbacks, monkeypatch
):
    scheme = small_scheme()
    two_streets_with_inspections(scheme)

    def boom(*args, **kwargs):
        raise RuntimeError("lost connection")

    monkeypatch.setattr("assessments.services.scoring.write_month", boom)

    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        score_month_task.delay("2026-03")

    run = ScoringRun.objects.get()
    assert run.outcome == ScoringRun.Outcome.FAILED
    assert "lost connection" in run.error


def test_quarterly_task_ranks_the_quarter_before(street):
    small_scheme()
    compound = compound_in(
        GridFactory(parent=CommunityFactory(parent=street)), households=10
    )
    serve(compound)
    score_month(Month(2026, 1))  # nothing inspected yet: no rows
    MonthlyCompanyScore.objects.create(
        company=compound.contract_on(date(2026, 1, 5)).company,
        street=street,
        month=date(2026, 1, 1),
        score=Decimal("88"),
        inspections=3,
    )

    run_id = rank_quarter_task.delay().get()

    assert ScoringRun.objects.get(pk=run_id).period == "2026Q1"
    assert QuarterlyRanking.objects.get().rank == 1


def test_a_fanned_out_run_keeps_its_first_failure():
    run = ScoringRun.objects.create(kind=ScoringRun.Kind.MONTH, period="2026-03")

    run.fail(RuntimeError("first"))
    ScoringRun.objects.get(pk=run.pk).fail(RuntimeError("second"))

    run.refresh_from_db()
    assert run.outcome == ScoringRun.Outcome.FAILED
    assert run.error == "RuntimeError: first"
    assert run.duration_ms is not None

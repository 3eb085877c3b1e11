"""Monthly scoring: compound and company rows computed in SQL."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from assessments import scoring_sql
from assessments.models import (
    Inspection,
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    ScoringRun,
)
from assessments.scoring import ItemInput, Poll, inspection_score
from assessments.services.scoring import score_month, score_street_month
from common.periods import Month

from .score_data import compound_in, inspect, serve, small_scheme

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = Month(2026, 3)
TODAY = date(2026, 5, 10)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel("2026-05-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def scheme():
    return small_scheme()


def test_compound_score_follows_the_inspection_formula(grid, scheme):
    compound = compound_in(grid)
    serve(compound)
    # A1: 10 − 2×2 = 6; A2 N/A; G1: 5 × 9/12 = 3.75 → 100 × 9.75 / 15 = 65
    inspect(compound, scheme, date(2026, 3, 5), {"A1": 2}, na=("A2",), poll=(6, 3, 3))

    score_month(MARCH)

    row = MonthlyCompoundScore.objects.get(compound=compound, month=MARCH.start)
    assert row.score == D("65.00")
    assert row.inspections == 1
    assert (row.poll_positive, row.poll_total) == (9, 12)


def test_sql_score_equals_the_pure_function(grid, scheme):
    compound = compound_in(grid)
    serve(compound)
    inspect(compound, scheme, date(2026, 3, 5), {"A1": 1, "A2": 7}, poll=(4, 3, 4))
    items = [
        ItemInput("A1", D("10"), D("2"), 1),
        ItemInput("A2", D("5"), D("1"), 7),
        ItemInput("G1", D("5"), is_satisfaction_poll=True),
    ]
    expected = inspection_score(items, poll=Poll(4, 3, 4), min_sample=10).score

    score_month(MARCH)

    assert MonthlyCompoundScore.objects.get(compound=compound).score == expected


def test_deduction_never_goes_below_zero_and_small_poll_counts_as_na(grid, scheme):
    compound = compound_in(grid)
    serve(compound)
    # A1 capped at 0; A2 = 5; poll of 5 households < 10 → N/A: 100 × 5 / 15
    inspect(compound, scheme, date(2026, 3, 5), {"A1": 9}, poll=(5, 0, 0))

    score_month(MARCH)

    row = MonthlyCompoundScore.objects.get(compound=compound)
    assert row.score == D("33.33")
    assert row.poll_total == 0


def test_veto_gives_the_scheme_veto_score_and_month_is_the_mean(grid, scheme):
    compound = compound_in(grid)
    serve(compound)
    inspect(compound, scheme, date(2026, 3, 5))  # 100 (poll invalid, N/A)
    inspect(compound, scheme, date(2026, 3, 20), veto=True)  # 0

    score_month(MARCH)

    row = MonthlyCompoundScore.objects.get(compound=compound)
    assert row.score == D("50.00")
    assert row.inspections == 2
    assert row.vetoed is True


def test_only_current_submitted_inspections_count(grid, scheme):
    compound = compound_in(grid)
    serve(compound)
    old = inspect(compound, scheme, date(2026, 3, 5), {"A1": 5})
    Inspection.objects.filter(pk=old.pk).update(is_current=False)
    inspect(compound, scheme, date(2026, 3, 6), {"A1": 1})
    inspect(compound, scheme, date(2026, 3, 7), {"A1": 5}, status="draft")

    score_month(MARCH)

    row = MonthlyCompoundScore.objects.get(compound=compound)
    assert row.inspections == 1
    assert row.score == D("86.67")  # 100 × (8 + 5) / 15


def test_company_score_is_household_weighted(grid, other_grid, scheme):
    big = compound_in(grid, households=300)
    small = compound_in(other_grid, households=100)
    company = serve(big)
    serve(small, company)
    inspect(big, scheme, date(2026, 3, 5))  # 100
    inspect(small, scheme, date(2026, 3, 5), {"A1": 5, "A2": 5})  # 0

    score_month(MARCH)

    row = MonthlyCompanyScore.objects.get(company=company, month=MARCH.start)
    assert row.score == D("75.00")
    assert (row.compounds, row.households) == (2, 400)


def test_when_two_contracts_overlap_the_month_the_last_day_company_counts(grid, scheme):
    compound = compound_in(grid)
    leaving = serve(compound, start=date(2025, 1, 1), end=date(2026, 3, 10))
    arriving = serve(compound, start=date(2026, 3, 11))
    inspect(compound, scheme, date(2026, 3, 5))

    score_month(MARCH)

    assert MonthlyCompoundScore.objects.get(compound=compound).company == arriving
    assert not MonthlyCompanyScore.objects.filter(company=leaving).exists()
    assert MonthlyCompanyScore.objects.filter(company=arriving).count() == 1


def test_rerun_overwrites_rows_and_drops_rows_without_inspections(grid, scheme):
    kept = compound_in(grid)
    dropped = compound_in(grid)
    serve(kept)
    serve(dropped)
    inspect(kept, scheme, date(2026, 3, 5), {"A1": 1})
    gone = inspect(dropped, scheme, date(2026, 3, 5))
    score_month(MARCH)
    first = list(
        MonthlyCompoundScore.objects.filter(compound=kept).values(
            "score", "inspections"
        )
    )

    Inspection.objects.filter(pk=gone.pk).update(is_current=False)
    score_month(MARCH)

    assert (
        list(
            MonthlyCompoundScore.objects.filter(compound=kept).values(
                "score", "inspections"
            )
        )
        == first
    )
    assert MonthlyCompoundScore.objects.filter(month=MARCH.start).count() == 1
    assert MonthlyCompanyScore.objects.filter(month=MARCH.start).count() == 1


def test_rerun_gives_identical_rows(grid, other_grid, scheme):
    for g in (grid, other_grid):
        c = compound_in(g)
        serve(c)
        inspect(c, scheme, date(2026, 3, 5), {"A1": 2}, poll=(8, 2, 2))
    score_month(MARCH)
    fields = ["compound_id", "score", "inspections", "company_id", "poll_total"]
    before = list(MonthlyCompoundScore.objects.order_by("pk").values(*fields))
    companies = list(MonthlyCompanyScore.objects.order_by("pk").values("pk", "score"))

    score_month(MARCH)

    assert list(MonthlyCompoundScore.objects.order_by("pk").values(*fields)) == before
    assert list(MonthlyCompanyScore.objects.order_by("pk").values("pk", "score")) == (
        companies
    )


def test_each_run_is_recorded(grid, scheme):
    compound = compound_in(grid)
    serve(compound)
    inspect(compound, scheme, date(2026, 3, 5))

    run = score_month(MARCH)

    run.refresh_from_db()
    assert run.outcome == ScoringRun.Outcome.OK
    assert run.period == "2026-03"
    assert run.rows_written == 2
    assert run.finished_at is not None and run.duration_ms is not None


def test_failed_run_records_the_error_and_reraises(grid, scheme, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scoring_sql, "_write_company_scores", boom)

    with pytest.raises(RuntimeError):
        score_month(MARCH)

    run = ScoringRun.objects.get()
    assert run.outcome == ScoringRun.Outcome.FAILED
    assert "disk full" in run.error
    assert not MonthlyCompoundScore.objects.exists()


@pytest.mark.parametrize(
    ("month", "message"), [("2026-06", "未来"), ("2026-05", "尚未结束")]
)
def test_future_or_unfinished_month_is_refused_in_chinese(month, message):
    with pytest.raises(ValidationError) as info:
        score_month(Month.parse(month))
    assert message in " ".join(info.value.messages)
    assert not ScoringRun.objects.exists()


def test_command_refuses_a_future_month_in_chinese():
    with pytest.raises(CommandError, match="未来"):
        call_command("score_month", "2027-01")


def test_command_scores_the_month_before_by_default(grid, scheme):
    compound = compound_in(grid)
    serve(compound)
    inspect(compound, scheme, date(2026, 4, 5))

    call_command("score_month")

    assert MonthlyCompoundScore.objects.get().month == date(2026, 4, 1)


def test_street_month_scores_only_that_street(grid, scheme, outsider):
    here = compound_in(grid)
    serve(here)
    inspect(here, scheme, date(2026, 3, 5))
    elsewhere = compound_in(outsider.person.unit)
    serve(elsewhere)
    inspect(elsewhere, scheme, date(2026, 3, 5))

    score_street_month(here.street_id, MARCH)

    assert list(MonthlyCompoundScore.objects.values_list("compound", flat=True)) == [
        here.pk
    ]

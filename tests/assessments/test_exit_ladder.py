"""The exit ladder: warning, interview, exit case; runs across years."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from assessments.models import (
    ExitCase,
    ExitLadderStep,
    MonthlyCompanyScore,
    QuarterlyRanking,
)
from assessments.services.scoring import rank_quarter
from common.periods import Quarter
from tests.factories import PropertyCompanyFactory

from .score_data import small_scheme

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel("2026-11-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def scheme():
    # 7 companies, bottom 3, exit after 3 in a row.
    return small_scheme(min_inspections_per_quarter=1)


@pytest.fixture
def companies(street):
    return [
        PropertyCompanyFactory(registered_with=street, name=f"物业{i}")
        for i in range(7)
    ]


def score_quarter(street, companies, quarter: str, weak: set[int], strong=()):
    """Weak companies score 50, strong 99, the others 90 minus their index."""
    q = Quarter.parse(quarter)
    for i, company in enumerate(companies):
        score = D(50 + i) if i in weak else D(90 - i)
        if i in strong:
            score = D(99)
        for month in q.months:
            MonthlyCompanyScore.objects.create(
                company=company,
                street=street,
                month=month.start,
                score=score,
                inspections=1,
            )
    rank_quarter(q)


def ranking(company, quarter):
    return QuarterlyRanking.objects.get(company=company, quarter=quarter)


def test_bottom_once_is_a_warning_twice_an_interview_thrice_an_exit_case(
    street, scheme, companies
):
    laggard = companies[6]
    for quarter in ["2025Q3", "2025Q4", "2026Q1"]:
        score_quarter(street, companies, quarter, weak={6})

    steps = list(
        ExitLadderStep.objects.filter(company=laggard)
        .order_by("quarter")
        .values_list("quarter", "kind", "consecutive")
    )
    assert steps == [
        ("2025Q3", "warning", 1),
        ("2025Q4", "interview", 2),
        ("2026Q1", "exit", 3),
    ]
    case = ExitCase.objects.get(company=laggard)
    assert case.opened_quarter == "2026Q1"
    assert case.run_start == date(2025, 7, 1)
    assert case.status == ExitCase.Status.OPENED


def test_count_runs_across_the_year_boundary(street, scheme, companies):
    for quarter in ["2025Q4", "2026Q1"]:
        score_quarter(street, companies, quarter, weak={6})

    assert ranking(companies[6], "2026Q1").consecutive_bottom == 2


def test_a_quarter_out_of_the_bottom_resets_the_count(street, scheme, companies):
    score_quarter(street, companies, "2025Q4", weak={6})
    score_quarter(street, companies, "2026Q1", weak=set(), strong={6})
    score_quarter(street, companies, "2026Q2", weak={6})

    assert ranking(companies[6], "2026Q1").consecutive_bottom == 0
    assert ranking(companies[6], "2026Q2").consecutive_bottom == 1
    assert (
        ExitLadderStep.objects.get(company=companies[6], quarter="2026Q2").kind
        == ExitLadderStep.Kind.WARNING
    )


def test_exit_case_is_opened_once_per_run_and_rerun(street, scheme, companies):
    for quarter in ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]:
        score_quarter(street, companies, quarter, weak={6})
    rank_quarter(Quarter(2026, 3))
    rank_quarter(Quarter(2026, 2))

    assert ranking(companies[6], "2026Q3").consecutive_bottom == 4
    assert ExitCase.objects.filter(company=companies[6]).count() == 1


def test_bottom_group_is_the_last_n_ranked_and_never_a_prize_winner(
    street, scheme, companies
):
    score_quarter(street, companies, "2026Q1", weak=set())

    bottom = set(
        QuarterlyRanking.objects.filter(quarter="2026Q1", is_bottom=True).values_list(
            "rank", flat=True
        )
    )
    assert bottom == {5, 6, 7}

    few = companies[:4]
    QuarterlyRanking.objects.all().delete()
    MonthlyCompanyScore.objects.exclude(company__in=few).delete()
    rank_quarter(Quarter(2026, 1))
    assert set(
        QuarterlyRanking.objects.filter(is_bottom=True).values_list("rank", flat=True)
    ) == {4}


def test_exit_case_moves_along_its_ladder_and_refuses_skips(street, scheme, companies):
    for quarter in ["2025Q4", "2026Q1", "2026Q2"]:
        score_quarter(street, companies, quarter, weak={6})
    case = ExitCase.objects.get(company=companies[6])

    with pytest.raises(ValidationError):
        case.move_to(ExitCase.Status.CLOSED)
    case.move_to(ExitCase.Status.OWNERS_CONSULTED)
    case.move_to(ExitCase.Status.HANDOVER)
    case.move_to(ExitCase.Status.CLOSED)

    case.refresh_from_db()
    assert case.status == ExitCase.Status.CLOSED
    assert not case.is_open


def test_pure_rules_match_the_documented_bottom_group_and_ladder():
    from assessments.scoring import bottom_ranks, ladder_step

    assert bottom_ranks(7, 3, 3) == [5, 6, 7]
    assert bottom_ranks(4, 3, 3) == [4]
    assert [ladder_step(n, 3) for n in range(5)] == [
        "",
        "warning",
        "interview",
        "exit",
        "exit",
    ]

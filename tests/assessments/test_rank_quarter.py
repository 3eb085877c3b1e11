"""Quarterly ranking within a street: formula, ties, prizes, not ranked."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from assessments.models import (
    MonthlyCompanyScore,
    QuarterlyBonus,
    QuarterlyRanking,
    Reward,
    ScoringRun,
)
from assessments.services.scoring import rank_quarter
from common.periods import Quarter
from tests.factories import PropertyCompanyFactory

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = Quarter(2026, 1)
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel("2026-05-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def scheme():
    from .score_data import small_scheme

    return small_scheme(min_inspections_per_quarter=2)


def month_rows(company, street, scores, *, inspections=1, polls=(0, 0), **extra):
    """Monthly company rows for Jan–Mar (None: no row that month)."""
    for month, score in zip(MONTHS, scores, strict=False):
        if score is None:
            continue
        MonthlyCompanyScore.objects.create(
            company=company,
            street=street,
            month=month,
            score=D(score),
            inspections=inspections,
            poll_positive=polls[0],
            poll_total=polls[1],
            compounds=extra.get("compounds", 1),
            vetoes=extra.get("vetoes", 0),
        )


def company(street, name):
    return PropertyCompanyFactory(registered_with=street, name=name)


def test_quarter_score_is_weighted_average_plus_satisfaction(street, scheme):
    scheme.poll_role = "term"
    scheme.save()
    c = company(street, "甲物业")
    # inspection average 80, satisfaction 100 × 27/30 = 90
    month_rows(c, street, ["70", "80", "90"], polls=(9, 10))

    rank_quarter(Q1)

    r = QuarterlyRanking.objects.get(company=c, quarter=Q1)
    assert r.inspection_average == D("80.00")
    assert r.satisfaction == D("90.00")
    assert r.score == D("83.00")  # 0.7 × 80 + 0.3 × 90
    assert r.rank == 1


def test_missing_months_average_the_months_that_exist(street, scheme):
    c = company(street, "甲物业")
    month_rows(c, street, ["70", None, "90"])

    rank_quarter(Q1)

    r = QuarterlyRanking.objects.get(company=c)
    assert (r.months, r.inspection_average) == (2, D("80.00"))
    # No valid poll: the satisfaction weight falls back on the average.
    assert r.satisfaction is None
    assert r.score == D("80.00")


def test_bonus_is_capped_by_the_scheme(street, scheme):
    c = company(street, "甲物业")
    month_rows(c, street, ["80", "80", "80"])
    QuarterlyBonus.objects.create(
        company=c, street=street, quarter=Q1, points=4, reason="表扬信"
    )
    QuarterlyBonus.objects.create(
        company=c, street=street, quarter=Q1, points=3, reason="媒体表扬"
    )

    rank_quarter(Q1)

    r = QuarterlyRanking.objects.get(company=c)
    assert r.bonus == D("5.00")
    assert r.score == D("85.00")


def test_too_few_inspections_is_listed_not_ranked_with_reason(street, scheme):
    ranked = company(street, "甲物业")
    month_rows(ranked, street, ["80", "80", "80"])
    thin = company(street, "乙物业")
    month_rows(thin, street, ["99", None, None])

    rank_quarter(Q1)

    r = QuarterlyRanking.objects.get(company=thin)
    assert r.rank is None
    assert r.not_ranked_reason == "too_few_inspections"
    assert "2" in r.not_ranked_message
    assert QuarterlyRanking.objects.get(company=ranked).rank == 1
    assert QuarterlyRanking.objects.get(company=ranked).ranked_count == 1


def test_ties_go_to_the_higher_inspection_average_then_fewer_vetoes(street, scheme):
    # Both score 83: a = 0.7×80 + 0.3×90; b = 0.7×83 + 0.3×83 (no poll).
    a = company(street, "甲物业")
    month_rows(a, street, ["80", "80", "80"], polls=(9, 10))
    b = company(street, "乙物业")
    month_rows(b, street, ["83", "83", "83"])
    c = company(street, "丙物业")
    month_rows(c, street, ["83", "83", "83"], vetoes=1)

    rank_quarter(Q1)

    ranks = dict(
        QuarterlyRanking.objects.filter(quarter=Q1).values_list("company__name", "rank")
    )
    assert ranks == {"乙物业": 1, "丙物业": 2, "甲物业": 3}


def test_full_tie_falls_back_to_more_compounds_then_name(street, scheme):
    a = company(street, "B物业")
    b = company(street, "A物业")
    c = company(street, "C物业")
    month_rows(a, street, ["80", "80", "80"])
    month_rows(b, street, ["80", "80", "80"])
    month_rows(c, street, ["80", "80", "80"], compounds=3)

    rank_quarter(Q1)

    order = list(
        QuarterlyRanking.objects.filter(quarter=Q1)
        .order_by("rank")
        .values_list("company__name", flat=True)
    )
    assert order == ["C物业", "A物业", "B物业"]


def test_ranks_one_to_three_get_prizes_in_the_ledger(street, scheme):
    for i, score in enumerate(["95", "90", "85", "70"]):
        month_rows(company(street, f"物业{i}"), street, [score] * 3)

    rank_quarter(Q1)

    rewards = Reward.objects.order_by("ranking__rank")
    assert [(r.ranking.rank, r.title, r.amount) for r in rewards] == [
        (1, "一等奖", D("5000.00")),
        (2, "二等奖", D("3000.00")),
        (3, "三等奖", D("2000.00")),
    ]
    assert all(r.approved_at is None and r.paid_on is None for r in rewards)


def test_rerun_keeps_rows_and_never_rewrites_an_approved_reward(
    street, scheme, superuser
):
    for i, score in enumerate(["95", "90", "85"]):
        month_rows(company(street, f"物业{i}"), street, [score] * 3)
    rank_quarter(Q1)
    reward = Reward.objects.get(ranking__rank=1)
    reward.approved_by = superuser
    reward.approved_at = reward.created_at
    reward.payment_reference = "PAY-1"
    reward.save()
    ids = sorted(QuarterlyRanking.objects.values_list("pk", flat=True))

    rank_quarter(Q1)

    assert sorted(QuarterlyRanking.objects.values_list("pk", flat=True)) == ids
    assert Reward.objects.count() == 3
    reward.refresh_from_db()
    assert reward.payment_reference == "PAY-1"


def test_rankings_are_per_street(street, scheme, outsider):
    far_street = outsider.person.unit.parent.parent
    here = company(street, "甲物业")
    there = company(far_street, "乙物业")
    month_rows(here, street, ["80"] * 3)
    month_rows(there, far_street, ["60"] * 3)

    rank_quarter(Q1)

    assert QuarterlyRanking.objects.get(company=here).rank == 1
    assert QuarterlyRanking.objects.get(company=there).rank == 1


def test_run_is_recorded(street, scheme):
    month_rows(company(street, "甲物业"), street, ["80"] * 3)

    run = rank_quarter(Q1)

    assert run.kind == ScoringRun.Kind.QUARTER
    assert run.period == str(Q1)
    assert run.outcome == ScoringRun.Outcome.OK
    assert run.rows_written >= 1
    assert Reward.objects.count() == 1


def test_unfinished_quarter_is_refused(scheme):
    with pytest.raises(ValidationError):
        rank_quarter(Quarter(2026, 2))


def test_command_ranks_a_quarter_and_refuses_bad_input(street, scheme):
    month_rows(company(street, "甲物业"), street, ["80"] * 3)

    call_command("rank_quarter", Q1)

    assert QuarterlyRanking.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("rank_quarter", "2026-Q9")


def test_rerun_drops_the_ranking_and_open_reward_of_withdrawn_scores(street, scheme):
    companies = [company(street, f"物业{i}") for i in range(4)]
    for firm, score in zip(companies, ["95", "90", "85", "70"], strict=True):
        month_rows(firm, street, [score] * 3)
    rank_quarter(Q1)
    assert Reward.objects.filter(ranking__company=companies[0]).exists()

    MonthlyCompanyScore.objects.filter(company=companies[0]).delete()
    rank_quarter(Q1)

    assert not QuarterlyRanking.objects.filter(company=companies[0]).exists()
    assert not Reward.objects.filter(ranking__company=companies[0]).exists()
    ranked = QuarterlyRanking.objects.filter(rank__isnull=False).order_by("rank")
    assert [r.company for r in ranked] == companies[1:]

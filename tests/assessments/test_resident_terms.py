"""The quarter's resident terms: ratings, timeliness, reopens, visit days.

The ranking job (SQL) is checked against hand-worked figures and, on
random quarters, against the plain-Python rules (`scoring.quarter_score`).
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from assessments import scoring
from assessments.models import MonthlyCompanyScore, QuarterlyRanking
from assessments.scoring import ResidentFigures, TermRule
from assessments.services.scoring import rank_quarter, score_month
from common.periods import Quarter
from consultations.models import Concern
from tests.civic.civic_factories import VisitReportFactory
from tests.consultations.factories import ConcernFactory
from tests.factories import PropertyCompanyFactory

from .score_data import compound_in, inspect, serve, small_scheme

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = Quarter(2026, 1)
MONTHS = [m.start for m in Q1.months]
RATINGS = ["", Concern.Rating.SATISFIED, Concern.Rating.BASIC, "dissatisfied"]


@pytest.fixture(autouse=True)
def _after_the_quarter():
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        yield


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def concern(compound, company, *, answered=None, due=None, rating="", reopened=0):
    """A concern handled by `company`; answered and due on the days given."""
    created = at(date(2025, 12, 20))
    return ConcernFactory(
        compound=compound,
        handler_company=company,
        created_at=created,
        responded_at=at(answered) if answered else None,
        due_at=at(due, 18) if due else None,
        rating=rating,
        reopened_count=reopened,
        status=Concern.Status.CLOSED if answered else Concern.Status.DISPATCHED,
    )


def month_rows(company, street, scores, *, polls=(0, 0)):
    for month, score in zip(MONTHS, scores, strict=False):
        MonthlyCompanyScore.objects.create(
            company=company,
            street=street,
            month=month,
            score=D(score),
            inspections=1,
            compounds=1,
            poll_positive=polls[0],
            poll_total=polls[1],
        )


def ranking(company) -> QuarterlyRanking:
    rank_quarter(Q1)
    return QuarterlyRanking.objects.get(company=company, quarter=str(Q1))


@pytest.fixture
def company(street):
    return PropertyCompanyFactory(registered_with=street, name="甲物业")


@pytest.fixture
def served(grid, company):
    compound = compound_in(grid, households=200, name="水景花苑")
    serve(compound, company)
    return compound


def test_ratings_of_answered_concerns_are_the_satisfaction_term(
    street, company, served
):
    scheme = small_scheme(poll_role="item")
    month_rows(company, street, ["80", "80", "80"], polls=(9, 10))
    concern(served, company, answered=date(2026, 1, 5), rating="satisfied")
    concern(served, company, answered=date(2026, 2, 5), rating="basic")
    concern(served, company, answered=date(2026, 3, 5), rating="dissatisfied")
    concern(served, company, answered=date(2026, 3, 6))  # not rated
    # answered before the quarter, or by another company: not counted
    concern(served, company, answered=date(2025, 12, 30), rating="dissatisfied")
    concern(served, None, answered=date(2026, 1, 5), rating="dissatisfied")

    r = ranking(company)

    # The poll counts as an item only: 2 of the 3 ratings, not the 9 of 10.
    assert (r.satisfaction_positive, r.satisfaction_answers) == (2, 3)
    assert r.satisfaction == D("66.67")
    assert r.score == D("76.00")  # 0.7 × 80 + 0.3 × 66.67 = 76.001
    assert scheme.poll_role == "item"


def test_poll_as_term_leaves_the_item_and_joins_the_ratings(
    street, grid, company, served
):
    scheme = small_scheme(poll_role="term")
    inspect(served, scheme, date(2026, 1, 8), {"A1": 2, "A2": 1}, poll=(8, 3, 1))
    concern(served, company, answered=date(2026, 1, 20), rating="dissatisfied")

    for month in Q1.months:
        score_month(month)
    r = ranking(company)

    # A1 6/10 + A2 4/5 without G1: 10 / 15 → 66.67, not 72.92 with it.
    assert r.inspection_average == D("66.67")
    # The poll's 11 of 12 and the 0 of 1 rating, each counted once.
    assert (r.satisfaction_positive, r.satisfaction_answers) == (11, 13)
    assert r.satisfaction == D("84.62")


def test_former_versions_count_the_poll_in_item_and_term(street, company, served):
    small_scheme(poll_role="item_and_term")
    month_rows(company, street, ["80", "80", "80"], polls=(9, 10))
    concern(served, company, answered=date(2026, 1, 5), rating="dissatisfied")

    r = ranking(company)

    assert r.satisfaction == D("90.00")
    assert r.score == D("83.00")


def test_timeliness_counts_the_concerns_due_in_the_quarter(street, company, served):
    small_scheme(
        weight_inspection=D("0.60"),
        weight_satisfaction=D("0.20"),
        weight_concern_timeliness=D("0.20"),
    )
    month_rows(company, street, ["80", "80", "80"])
    concern(served, company, answered=date(2026, 1, 5), due=date(2026, 1, 6))
    concern(served, company, answered=date(2026, 2, 9), due=date(2026, 2, 6))
    concern(served, company, due=date(2026, 3, 20))  # never answered: late
    concern(served, company, answered=date(2026, 3, 2), due=date(2026, 3, 2))
    concern(served, company, due=date(2026, 4, 20))  # due next quarter

    r = ranking(company)

    assert (r.concerns_due, r.concerns_on_time) == (4, 2)
    assert r.concern_timeliness == D("50.00")
    # no rating: satisfaction is neutral (the inspection average stands in)
    assert r.score == D("74.00")  # 0.6 × 80 + 0.2 × 80 + 0.2 × 50


def test_reopened_concerns_lower_the_reopen_term(street, company, served):
    small_scheme(
        weight_inspection=D("0.60"),
        weight_satisfaction=D("0.30"),
        weight_reopen_rate=D("0.10"),
    )
    month_rows(company, street, ["90", "90", "90"])
    for reopened in (0, 0, 0, 1):
        concern(served, company, answered=date(2026, 2, 1), reopened=reopened)

    r = ranking(company)

    assert (r.concerns_answered, r.concerns_reopened) == (4, 1)
    assert r.reopen_rate == D("25.00")
    assert r.score == D("88.50")  # 0.6 × 90 + 0.3 × 90 + 0.1 × 75


def test_visit_days_are_counted_per_compound_month_served(
    street, grid, other_grid, company, served
):
    small_scheme(
        weight_inspection=D("0.50"),
        weight_satisfaction=D("0.30"),
        weight_visit_day=D("0.20"),
    )
    # A second compound served from February: five compound months in all.
    later = compound_in(other_grid, name="运河小区")
    serve(later, company, start=date(2026, 2, 1))
    month_rows(company, street, ["80", "80", "80"])
    VisitReportFactory(compound=served, company=company, date=date(2026, 1, 10))
    VisitReportFactory(compound=served, company=company, date=date(2026, 2, 14))
    VisitReportFactory(compound=later, company=company, date=date(2026, 3, 14))
    # filed by no company, or before the quarter: not the company's visit day
    VisitReportFactory(compound=served, company=None, date=date(2026, 3, 14))
    VisitReportFactory(compound=later, company=company, date=date(2025, 12, 13))

    r = ranking(company)

    assert (r.visit_days_due, r.visit_days_done) == (5, 3)
    assert r.visit_day_completion == D("60.00")
    assert r.score == D("76.00")  # 0.5 × 80 + 0.3 × 80 + 0.2 × 60


@pytest.mark.parametrize(
    ("rule", "score"),
    [
        # 0.6 × 70 + 0.2 × 70 (no rating: neutral) + 0.2 × stand-in
        ("neutral", D("70.00")),
        ("full", D("76.00")),
        # dropped: (0.6 × 70 + 0.2 × 70) / 0.8 × 1.0
        ("drop", D("70.00")),
    ],
)
def test_a_term_short_of_its_minimum_follows_the_scheme_rule(
    street, company, served, rule, score
):
    small_scheme(
        weight_inspection=D("0.60"),
        weight_satisfaction=D("0.20"),
        weight_concern_timeliness=D("0.20"),
        concern_timeliness_min_answers=3,
        concern_timeliness_short_rule=rule,
    )
    month_rows(company, street, ["70", "70", "70"])
    concern(served, company, answered=date(2026, 1, 5), due=date(2026, 1, 9))
    concern(served, company, answered=date(2026, 1, 5), due=date(2026, 1, 9))

    r = ranking(company)

    assert r.concerns_due == 2
    assert r.concern_timeliness is None
    assert r.score == score


def test_dropping_a_term_renormalises_the_others(street, company, served):
    small_scheme(
        weight_inspection=D("0.50"),
        weight_satisfaction=D("0.25"),
        satisfaction_short_rule="drop",
        weight_concern_timeliness=D("0.25"),
    )
    month_rows(company, street, ["80", "80", "80"])
    concern(served, company, answered=date(2026, 1, 5), due=date(2026, 1, 9))
    concern(served, company, due=date(2026, 1, 9))

    r = ranking(company)

    # no rating: satisfaction leaves, 0.5 and 0.25 share the whole weight
    assert r.satisfaction is None
    assert r.score == D("70.00")  # (0.5 × 80 + 0.25 × 50) / 0.75


# SQL == Python on random quarters -------------------------------------------


def random_weights(rnd: random.Random) -> list[Decimal]:
    """Five weights in steps of 0.05 adding up to 1."""
    cuts = sorted(rnd.sample(range(1, 20), 4))
    steps = [b - a for a, b in zip([0, *cuts], [*cuts, 20], strict=True)]
    return [D(s) * D("0.05") for s in steps]


@pytest.mark.parametrize("seed", range(20))
def test_sql_ranking_equals_the_python_rules_on_random_quarters(
    seed, street, grid, other_grid
):
    rnd = random.Random(seed)
    w = random_weights(rnd)
    rules = {}
    fields = {}
    for term, weight in zip(scoring_terms(), w[1:], strict=True):
        rules[term] = TermRule(weight, rnd.randint(0, 4), rnd.choice(SHORT_RULES))
        fields[f"{term}_min_answers"] = rules[term].min_sample
        fields[f"{term}_short_rule"] = rules[term].short_rule
    poll_role = rnd.choice(["item", "term", "item_and_term"])
    small_scheme(
        poll_role=poll_role,
        weight_inspection=w[0],
        weight_satisfaction=w[1],
        weight_concern_timeliness=w[2],
        weight_reopen_rate=w[3],
        weight_visit_day=w[4],
        quarterly_bonus_cap=D("0"),
        **fields,
    )
    expected = {}
    for n in range(3):
        company = PropertyCompanyFactory(registered_with=street, name=f"物业{n}")
        compound = compound_in(rnd.choice([grid, other_grid]), name=f"小区{n}")
        serve(compound, company)
        scores = [D(rnd.randint(4000, 10000)) / 100 for _ in MONTHS]
        poll = rnd.randint(0, 12)
        polls = (rnd.randint(0, poll), poll)
        month_rows(company, street, scores, polls=polls)
        figures = random_concerns(rnd, compound, company)
        done = 0
        for month in MONTHS:
            if rnd.random() < 0.6:
                done += 1
                VisitReportFactory(
                    compound=compound, company=company, date=month + timedelta(9)
                )
        figures = ResidentFigures(**figures, visit_days_due=3, visit_days_done=done)
        expected[company.pk] = scoring.quarter_score(
            monthly_scores=scores,
            # every month row carries the poll counts
            poll_positive=3 * polls[0],
            poll_total=3 * polls[1],
            weight_inspection=w[0],
            bonus_cap=D("0"),
            poll_role=poll_role,
            residents=figures,
            rules=rules,
        )

    rank_quarter(Q1)

    for r in QuarterlyRanking.objects.filter(quarter=str(Q1)):
        e = expected[r.company_id]
        assert (
            r.inspection_average,
            r.satisfaction,
            r.concern_timeliness,
            r.reopen_rate,
            r.visit_day_completion,
            r.score,
        ) == (
            e.inspection_average,
            e.satisfaction,
            e.concern_timeliness,
            e.reopen_rate,
            e.visit_day_completion,
            e.score,
        ), seed


SHORT_RULES = ["neutral", "full", "drop"]


def scoring_terms():
    return ["satisfaction", "concern_timeliness", "reopen_rate", "visit_day"]


def random_concerns(rnd: random.Random, compound, company) -> dict[str, int]:
    """Random concerns of the company; the counts the rules read."""
    counts = dict.fromkeys(
        ["rating_positive", "rated", "answered", "due", "on_time", "reopened"], 0
    )
    for _ in range(rnd.randint(0, 8)):
        answered = rnd.choice([None, date(2026, 1, 1) + timedelta(rnd.randint(0, 95))])
        due = rnd.choice([None, date(2025, 12, 25) + timedelta(rnd.randint(0, 110))])
        rating = rnd.choice(RATINGS) if answered else ""
        reopened = rnd.choice([0, 0, 1, 2]) if answered else 0
        concern(
            compound,
            company,
            answered=answered,
            due=due,
            rating=rating,
            reopened=reopened,
        )
        answered_in = answered is not None and Q1.contains(answered)
        due_in = due is not None and Q1.contains(due)
        if answered_in:
            counts["answered"] += 1
            counts["rated"] += rating != ""
            counts["rating_positive"] += rating in ("satisfied", "basic")
            counts["reopened"] += reopened > 0
        if due_in:
            counts["due"] += 1
            # answered at 10:00, due at 18:00: on time up to the due day
            counts["on_time"] += answered is not None and answered <= due
    return counts

"""The worked example of assessments/SCORING.md equals the code's output."""

import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from assessments import scoring
from assessments.models import (
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    QuarterlyBonus,
    QuarterlyRanking,
)
from assessments.scoring import ItemInput, Poll, ResidentFigures, TermRule
from assessments.services.scoring import rank_quarter, score_month
from common.periods import Quarter
from consultations.models import Concern
from tests.civic.civic_factories import VisitReportFactory
from tests.consultations.factories import ConcernFactory
from tests.factories import PropertyCompanyFactory

from .score_data import compound_in, inspect, serve, small_scheme

D = Decimal

EXAMPLE_SCHEME = {
    "poll_role": "item",
    "weight_inspection": D("0.60"),
    "weight_satisfaction": D("0.20"),
    "weight_concern_timeliness": D("0.10"),
    "weight_reopen_rate": D("0.05"),
    "weight_visit_day": D("0.05"),
    "satisfaction_min_answers": 3,
    "concern_timeliness_min_answers": 3,
    "reopen_rate_min_answers": 3,
    "visit_day_min_answers": 1,
}
# (answered on, due on, rating, times reopened) of the example's concerns
EXAMPLE_CONCERNS = [
    (date(2026, 1, 6), date(2026, 1, 9), "satisfied", 0),
    (date(2026, 1, 20), date(2026, 1, 23), "satisfied", 0),
    (date(2026, 2, 3), date(2026, 2, 6), "satisfied", 0),
    (date(2026, 2, 17), date(2026, 2, 20), "satisfied", 0),
    (date(2026, 3, 3), date(2026, 3, 6), "basic", 0),
    (date(2026, 3, 10), date(2026, 3, 13), "basic", 0),
    (date(2026, 3, 18), date(2026, 3, 13), "dissatisfied", 1),
    (date(2026, 3, 24), date(2026, 3, 20), "", 0),
    (None, date(2026, 3, 27), "", 0),
]

pytestmark = pytest.mark.django_db

SCORING_MD = Path(__file__).resolve().parents[2] / "assessments" / "SCORING.md"


def documented_results() -> dict[str, Decimal]:
    text = SCORING_MD.read_text(encoding="utf-8")
    table = text.split("**Results**", 1)[1].split("How they come about", 1)[0]
    rows = re.findall(r"^\| ([^|]+?) \| ([\d.]+) \|$", table, flags=re.MULTILINE)
    return {label: D(value) for label, value in rows}


def test_documented_example_has_the_thirteen_figures():
    assert len(documented_results()) == 13


def example_concerns(compound, company):
    def at(day, hour):
        return timezone.make_aware(datetime.combine(day, time(hour)))

    for answered, due, rating, reopened in EXAMPLE_CONCERNS:
        ConcernFactory(
            compound=compound,
            handler_company=company,
            created_at=at(date(2025, 12, 28), 9),
            responded_at=at(answered, 10) if answered else None,
            due_at=at(due, 18),
            rating=rating,
            reopened_count=reopened,
            status=Concern.Status.CLOSED if answered else Concern.Status.DISPATCHED,
        )


def test_worked_example_through_the_scoring_jobs(street, grid, other_grid):
    scheme = small_scheme(**EXAMPLE_SCHEME)
    shuijing = compound_in(grid, households=300, name="水景花苑")
    yunhe = compound_in(other_grid, households=100, name="运河小区")
    company = PropertyCompanyFactory(registered_with=street, name="甲物业")
    serve(shuijing, company)
    serve(yunhe, company)
    inspect(shuijing, scheme, date(2026, 1, 8), {"A1": 2, "A2": 1}, poll=(8, 3, 1))
    inspect(shuijing, scheme, date(2026, 1, 22), na=("A2",), poll=(4, 1, 1))
    inspect(yunhe, scheme, date(2026, 1, 15), veto=True)
    inspect(shuijing, scheme, date(2026, 2, 12), {"A1": 1}, poll=(7, 2, 1))
    inspect(yunhe, scheme, date(2026, 2, 12), {"A1": 3, "A2": 2})
    example_concerns(shuijing, company)
    for compound, day in [
        (shuijing, date(2026, 1, 10)),
        (shuijing, date(2026, 2, 14)),
        (shuijing, date(2026, 3, 14)),
        (yunhe, date(2026, 1, 10)),
        (yunhe, date(2026, 2, 14)),
    ]:
        VisitReportFactory(compound=compound, company=company, date=day)
    QuarterlyBonus.objects.create(
        company=company, street=street, quarter="2026Q1", points=3, reason="表扬信"
    )
    QuarterlyBonus.objects.create(
        company=company, street=street, quarter="2026Q1", points=4, reason="媒体表扬"
    )

    with time_machine.travel("2026-04-02 10:00 +0800", tick=False):
        for month in Quarter(2026, 1).months:
            score_month(month)
        rank_quarter(Quarter(2026, 1))

    def month(model, month_no, **kw):
        return model.objects.get(month=date(2026, month_no, 1), **kw).score

    ranking = QuarterlyRanking.objects.get(company=company, quarter="2026Q1")
    computed = {
        "水景花苑, January": month(MonthlyCompoundScore, 1, compound=shuijing),
        "运河小区, January": month(MonthlyCompoundScore, 1, compound=yunhe),
        "甲物业, January": month(MonthlyCompanyScore, 1, company=company),
        "水景花苑, February": month(MonthlyCompoundScore, 2, compound=shuijing),
        "运河小区, February": month(MonthlyCompoundScore, 2, compound=yunhe),
        "甲物业, February": month(MonthlyCompanyScore, 2, company=company),
        "甲物业, quarter inspection average": ranking.inspection_average,
        "甲物业, quarter satisfaction": ranking.satisfaction,
        "甲物业, quarter concern timeliness": ranking.concern_timeliness,
        "甲物业, quarter reopen rate": ranking.reopen_rate,
        "甲物业, quarter visit-day completion": ranking.visit_day_completion,
        "甲物业, quarter bonus": ranking.bonus,
        "甲物业, quarter score": ranking.score,
    }
    assert computed == documented_results()


def test_worked_example_through_the_pure_functions():
    def items(a1, a2, *, a2_na=False):
        return [
            ItemInput("A1", D("10"), D("2"), a1),
            ItemInput("A2", D("5"), D("1"), a2, not_applicable=a2_na),
            ItemInput("G1", D("5"), is_satisfaction_poll=True),
        ]

    exact = scoring.exact_inspection_score
    shuijing_jan = scoring.compound_month_score(
        [
            exact(items(2, 1), poll=Poll(8, 3, 1)),
            exact(items(0, 0, a2_na=True), poll=Poll(4, 1, 1)),
        ]
    )
    yunhe_jan = scoring.compound_month_score([exact(items(0, 0), vetoed=True)])
    shuijing_feb = scoring.compound_month_score(
        [exact(items(1, 0), poll=Poll(7, 2, 1))]
    )
    yunhe_feb = scoring.compound_month_score([exact(items(3, 2))])
    jan = scoring.company_month_score([(shuijing_jan, 300), (yunhe_jan, 100)])
    feb = scoring.company_month_score([(shuijing_feb, 300), (yunhe_feb, 100)])
    rules = {
        term: TermRule(
            EXAMPLE_SCHEME[f"weight_{term}"], EXAMPLE_SCHEME[f"{term}_min_answers"]
        )
        for term in ("satisfaction", "concern_timeliness", "reopen_rate", "visit_day")
    }
    residents = ResidentFigures(
        rating_positive=6,
        rated=7,
        answered=8,
        due=9,
        on_time=6,
        reopened=1,
        visit_days_due=6,
        visit_days_done=5,
    )
    quarter = scoring.quarter_score(
        monthly_scores=[jan, feb],
        poll_positive=20,
        poll_total=22,
        bonus_points=D(7),
        weight_inspection=D("0.60"),
        poll_role="item",
        residents=residents,
        rules=rules,
    )
    former_rule = scoring.quarter_score(
        monthly_scores=[jan, feb], poll_positive=20, poll_total=22, bonus_points=D(7)
    )

    expected = documented_results()
    assert shuijing_jan == expected["水景花苑, January"]
    assert jan == expected["甲物业, January"]
    assert feb == expected["甲物业, February"]
    assert quarter.score == expected["甲物业, quarter score"]
    assert quarter.satisfaction == expected["甲物业, quarter satisfaction"]
    assert quarter.concern_timeliness == expected["甲物业, quarter concern timeliness"]
    assert quarter.reopen_rate == expected["甲物业, quarter reopen rate"]
    assert (
        quarter.visit_day_completion == expected["甲物业, quarter visit-day completion"]
    )
    # SCORING.md: "the same quarter scored 82.02" under the former rule
    assert former_rule.score == D("82.02")

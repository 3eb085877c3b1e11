"""The overview's figures of the assessment cycle and the visit day:
inspections against the draw, the latest ranking with prizes and the exit
ladder, packages and visit-day reports."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments.models import (
    ExitLadderStep,
    InspectionPlan,
    PlannedVisit,
    PrizeTier,
    QuarterlyRanking,
)
from civic import services as civic_services
from civic.models import VisitReport
from common.periods import Month, Quarter
from jiyang import overview

from ..assessments.factories import cadre, default_scheme, submitted_inspection
from ..compounds.factories import PackageMembershipFactory, ServicePackageFactory
from ..factories import CompoundFactory, ServiceContractFactory

pytestmark = pytest.mark.django_db


def test_inspections_done_of_those_drawn_this_month(street, grid):
    today = timezone.localdate()
    drawn, other, not_done = (CompoundFactory(grid=grid) for _ in range(3))
    plan = InspectionPlan.objects.create(
        street=street, month=Month.of(today).start, seed="s", plan_hash="h"
    )
    for compound in (drawn, not_done):
        PlannedVisit.objects.create(
            plan=plan, compound=compound, window_start=today, window_end=today
        )
    inspector = cadre(street)
    for compound in (drawn, other):
        submitted_inspection(compound, inspector, on=today)
    street.refresh_from_db()

    figures = overview.compute(street, today=today)["inspections"]

    assert (figures["planned"], figures["planned_done"], figures["done"]) == (2, 1, 2)
    assert str(figures["percent"]) == "50.0"
    assert figures["previous"]["done"] == 0


def test_the_latest_ranked_quarter_with_prizes_and_the_exit_ladder(street, grid):
    scheme = default_scheme()
    today = timezone.localdate()
    latest, before = Quarter.of(today).previous(), Quarter.of(today).shifted(-2)
    prize = PrizeTier.objects.filter(scheme=scheme).order_by("rank").first() or (
        PrizeTier.objects.create(scheme=scheme, rank=1, title="一等奖", amount=5000)
    )
    companies = [
        ServiceContractFactory(compound=CompoundFactory(grid=grid)).company
        for _ in range(2)
    ]
    for quarter in (before, latest):
        for rank, company in enumerate(companies, start=1):
            row = QuarterlyRanking.objects.create(
                company=company,
                street=street,
                quarter=str(quarter),
                quarter_start=quarter.start,
                scheme=scheme,
                inspection_average=90 - rank,
                score=90 - rank,
                rank=rank,
                ranked_count=2,
                is_bottom=rank == 2,
                prize=prize if rank == 1 else None,
            )
            if rank == 2 and quarter == latest:
                ExitLadderStep.objects.create(
                    ranking=row,
                    company=company,
                    street=street,
                    quarter=str(quarter),
                    kind=ExitLadderStep.Kind.WARNING,
                    consecutive=1,
                )

    ranking = overview.compute(street, today=today)["ranking"]

    assert ranking["quarter"] == str(latest)
    assert [row["rank"] for row in ranking["rows"]] == [1, 2]
    assert (ranking["prizes"], ranking["ladder"]) == (1, 1)
    assert ranking["quarters"] == [str(before), str(latest)]
    assert ranking["history"][companies[0].name] == {
        str(before): 89,
        str(latest): 89,
    }


def test_packages_and_the_compounds_they_bundle(street, grid):
    package = ServicePackageFactory(lead_compound=CompoundFactory(grid=grid))
    for _ in range(3):
        PackageMembershipFactory(package=package, compound=CompoundFactory(grid=grid))
    ended = ServicePackageFactory(
        lead_compound=CompoundFactory(grid=grid),
        start=date(2020, 1, 1),
        end=date(2021, 1, 1),
    )
    PackageMembershipFactory(
        package=ended, compound=CompoundFactory(grid=grid), end=date(2021, 1, 1)
    )

    packages = overview.compute(street, today=timezone.localdate())["packages"]

    assert packages == {"packages": 1, "compounds": 3}


def test_visit_day_compliance_of_the_latest_visit_day_passed(street, grid):
    today = timezone.localdate()
    month = Month.of(today)
    day = civic_services.visit_day(month.year, month.number, street_id=street.pk)
    if day >= today:
        month = month.previous()
        day = civic_services.visit_day(month.year, month.number, street_id=street.pk)
    start = month.start - timedelta(days=400)
    served = [
        ServiceContractFactory(compound=CompoundFactory(grid=grid), start=start)
        for _ in range(4)
    ]
    CompoundFactory(grid=grid)  # no company: no visit day due
    for contract in served[:3]:
        VisitReport.objects.create(
            compound=contract.compound,
            company=contract.company,
            date=day,
            households_visited=10,
        )

    visits = overview.compute(street, today=today)["visits"]

    assert (visits["due"], visits["filed"], visits["missing"]) == (4, 3, 1)
    assert visits["day"] == day
    assert str(visits["percent"]) == "75.0"

"""The overview's figures, counted on the database from factories."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compounds.models import BuildingHead, Committee, Compound, Facility
from consultations.models import Concern, Theme
from jiyang import overview
from org.models import CrossAppointment, LinkagePartner

from ..compounds.factories import (
    CrossAppointmentFactory,
    FacilityFactory,
    PartyOrganisationFactory,
)
from ..consultations.factories import ConcernFactory
from ..factories import (
    CommitteeFactory,
    CompoundFactory,
    GridFactory,
    GroupFactory,
    PersonFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
)

pytestmark = pytest.mark.django_db


def three_without(grid, **kwargs):
    return CompoundFactory(
        grid=grid,
        kind=Compound.Kind.OLD,
        management_mode=Compound.ManagementMode.SELF,
        lacks_supervising_unit=True,
        lacks_property_service=True,
        lacks_security=True,
        **kwargs,
    )


def test_tiers_and_grid_branches_count_the_subtree(street, community, grid):
    GroupFactory(parent=grid)
    community.refresh_from_db()
    GridFactory(parent=community)
    GridFactory()  # another street's
    street.refresh_from_db()  # the tree grew under it

    data = overview.compute(street, today=timezone.localdate())

    assert data["tiers"] == {"street": 1, "community": 1, "grid": 2, "group": 1}
    assert overview.compute(grid, today=timezone.localdate())["tiers"]["grid"] == 1


def test_committees_count_the_self_managed_ones_in_three_without_compounds(
    street, grid
):
    today = timezone.localdate()
    CommitteeFactory(compound=CompoundFactory(grid=grid))
    CommitteeFactory(compound=three_without(grid), kind=Committee.Kind.SELF_MANAGEMENT)
    CommitteeFactory(
        compound=CompoundFactory(grid=grid),
        kind=Committee.Kind.SELF_MANAGEMENT,
        term_start=today - timedelta(days=300),
        term_end=today + timedelta(days=30),
    )
    ended = CommitteeFactory(compound=CompoundFactory(grid=grid))
    Committee.objects.filter(pk=ended.pk).update(
        term_start=today - timedelta(days=900), term_end=today - timedelta(days=1)
    )

    committees = overview.compute(street, today=today)["committees"]

    assert committees == {
        "total": 3,
        "owners": 1,
        "self_management": 2,
        "self_in_three_without": 1,
        "with_party_organisation": 0,
        "ending_soon": 1,
    }


def test_companies_by_party_building_compliance(street, grid):
    keeping = ServiceContractFactory(
        compound=CompoundFactory(grid=grid),
        company=PropertyCompanyFactory(registered_with=street, party_member_count=5),
    ).company
    PartyOrganisationFactory(company=keeping)
    ServiceContractFactory(
        compound=CompoundFactory(grid=grid),
        company=PropertyCompanyFactory(registered_with=street, party_member_count=4),
    )

    companies = overview.compute(street, today=timezone.localdate())["companies"]

    assert companies == {
        "total": 2,
        "organisation": 1,
        "instructor": 0,
        "breaking": 1,
    }


def test_coverage_and_compounds_governed_by_no_one(street, grid):
    today = timezone.localdate()
    ServiceContractFactory(compound=CompoundFactory(grid=grid))
    CommitteeFactory(compound=three_without(grid))
    heads = CompoundFactory(
        grid=grid, management_mode=Compound.ManagementMode.BUILDING_HEADS
    )
    BuildingHead.objects.create(compound=heads, person=PersonFactory())
    CompoundFactory(grid=grid)  # company-managed, nobody at all
    grid.refresh_from_db()
    CompoundFactory(grid=grid, party_group=GroupFactory(parent=grid))  # a group only

    compounds = overview.compute(street, today=today)["compounds"]

    counted = ("total", "company", "committee", "building_heads", "covered")
    assert [compounds[k] for k in counted] == [5, 1, 1, 1, 3]
    assert str(compounds["covered_percent"]) == "60.0"
    # The group-only compound has no company although its mode says so.
    assert (compounds["no_one"], compounds["gaps"]) == (1, 2)
    assert compounds["three_without"] == 1


def test_cross_appointment_seats_expected_and_filled(street, grid, other_grid):
    ServiceContractFactory(compound=CompoundFactory(grid=grid))
    CrossAppointmentFactory(branch=grid, seat=CrossAppointment.Seat.COMMUNITY)
    CrossAppointmentFactory(branch=grid, seat=CrossAppointment.Seat.COMPANY)
    CrossAppointmentFactory(
        branch=other_grid,
        seat=CrossAppointment.Seat.COMMUNITY,
        end=timezone.localdate() - timedelta(days=1),
    )
    street.refresh_from_db()

    seats = overview.compute(street, today=timezone.localdate())["seats"]

    assert seats == {"expected": 3, "filled": 2, "branches_with_gap": 1}


def test_facilities_chargers_per_community_lanes_and_access_control(
    street, community, other_community, grid
):
    here = CompoundFactory(grid=grid)
    CompoundFactory(grid=grid)
    FacilityFactory(compound=here, kind=Facility.Kind.EV_CHARGER, count=7)
    FacilityFactory(compound=here, kind=Facility.Kind.ACCESS_CONTROL)
    for lane in ("竹竿巷", "纸坊街"):
        FacilityFactory(
            compound=None,
            community=other_community,
            location=lane,
            kind=Facility.Kind.GAS_PIPELINE,
            count=10,
        )

    data = overview.compute(street, today=timezone.localdate())

    facilities = data["facilities"]
    assert facilities["chargers"] == {"groups": 7, "communities": 1}
    gas = next(k for k in facilities["kinds"] if k["kind"] == "gas_pipeline")
    assert (gas["places"], gas["total"]) == (2, 20)
    assert data["compounds"]["access_control"] == 1
    assert str(data["compounds"]["access_control_percent"]) == "50.0"
    by_community = {row["pk"]: row for row in facilities["by_community"]}
    assert by_community[community.pk]["chargers"] == 7
    assert str(by_community[community.pk]["access_percent"]) == "50.0"


def test_concerns_open_overdue_and_the_three_rates_this_month(street, grid):
    compound = CompoundFactory(grid=grid)
    now = timezone.now()
    ConcernFactory(compound=compound, due_at=now - timedelta(hours=1))
    ConcernFactory(compound=compound)
    ConcernFactory(
        compound=compound,
        status=Concern.Status.CLOSED,
        dispatched_at=now,
        sign_due_at=now + timedelta(hours=8),
        signed_at=now + timedelta(hours=1),
        is_resolved=True,
        rating=Concern.Rating.SATISFIED,
    )
    ConcernFactory(
        compound=compound,
        status=Concern.Status.CLOSED,
        dispatched_at=now,
        sign_due_at=now,
        signed_at=now + timedelta(hours=1),
        is_resolved=False,
        rating=Concern.Rating.DISSATISFIED,
    )

    concerns = overview.compute(street, today=timezone.localdate())["concerns"]

    assert (concerns["open"], concerns["overdue"]) == (2, 1)
    month = concerns["month"]
    assert month["total"] == 4
    assert [str(month[k]) for k in ("response", "resolution", "satisfaction")] == [
        "50.0",
        "50.0",
        "50.0",
    ]
    assert len(concerns["trend"]) == overview.TREND_MONTHS


def test_resolved_issues_by_theme(street, grid):
    wall, _ = Theme.objects.get_or_create(name="外墙保温")
    compound = CompoundFactory(grid=grid)
    for status in (Concern.Status.CLOSED, Concern.Status.CLOSED, "in_progress"):
        ConcernFactory(compound=compound, status=status).themes.add(wall)
    ConcernFactory(
        compound=compound,
        status=Concern.Status.CLOSED,
        source=Concern.Source.TEA_TABLE,
    ).themes.add(wall)

    themes = overview.compute(street, today=timezone.localdate())["themes"]

    assert {t["name"]: t["resolved"] for t in themes["themes"]}["外墙保温"] == 3
    assert themes["resolved"] == 3
    assert themes["through_tea_table"] == 1


def test_social_partners_by_kind(street, community):
    for kind, n in (("social_org", 2), ("volunteer", 1)):
        for i in range(n):
            LinkagePartner.objects.create(
                community=community, kind=kind, name=f"{kind}{i}"
            )

    social = overview.compute(street, today=timezone.localdate())["social"]

    assert social == {"social_org": 2, "social_worker": 0, "volunteer": 1}

"""Party rule, cross-appointment gaps, terms and facilities, per user."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compounds import reports
from compounds.models import Facility, PropertyCompany
from org.models import CrossAppointment

from ..factories import (
    CommitteeFactory,
    CompoundFactory,
    GridFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
)
from .factories import (
    CrossAppointmentFactory,
    FacilityFactory,
    PartyInstructorFactory,
    PartyOrganisationFactory,
)

pytestmark = pytest.mark.django_db

C = PropertyCompany.Compliance
Seat = CrossAppointment.Seat


@pytest.fixture
def companies(street):
    with_org = PropertyCompanyFactory(registered_with=street, party_member_count=5)
    PartyOrganisationFactory(company=with_org)
    without_org = PropertyCompanyFactory(registered_with=street, party_member_count=3)
    with_instructor = PropertyCompanyFactory(
        registered_with=street, party_member_count=1
    )
    PartyInstructorFactory(company=with_instructor)
    alone = PropertyCompanyFactory(registered_with=street, party_member_count=2)
    ended = PropertyCompanyFactory(registered_with=street, party_member_count=0)
    PartyInstructorFactory(
        company=ended,
        start=timezone.localdate() - timedelta(days=400),
        end=timezone.localdate() - timedelta(days=1),
    )
    return with_org, without_org, with_instructor, alone, ended


def test_compliance_follows_the_three_member_rule(companies):
    with_org, without_org, with_instructor, alone, ended = companies
    annotated = dict(
        PropertyCompany.objects.with_compliance().values_list("pk", "party_compliance")
    )
    assert annotated[with_org.pk] == C.ORGANISATION
    assert annotated[without_org.pk] == C.NEEDS_ORGANISATION
    assert annotated[with_instructor.pk] == C.INSTRUCTOR
    assert annotated[alone.pk] == C.NEEDS_INSTRUCTOR
    assert annotated[ended.pk] == C.NEEDS_INSTRUCTOR
    for company in companies:
        fresh = PropertyCompany.objects.get(pk=company.pk)
        assert fresh.party_compliance == annotated[company.pk]


def test_party_rule_report_lists_the_breakers_the_user_may_see(
    companies, street_admin, outsider
):
    _, without_org, _, alone, ended = companies
    breakers = set(reports.party_rule_breakers(user=street_admin))
    assert breakers == {without_org, alone, ended}
    assert not reports.party_rule_breakers(user=outsider).exists()


def test_company_changelist_filters_on_compliance(companies, client, superuser):
    client.force_login(superuser)
    response = client.get(
        "/admin/compounds/propertycompany/", {"compliance": "breaking"}
    )
    shown = set(response.context["cl"].queryset)
    assert shown == {companies[1], companies[3], companies[4]}


def test_gap_report_names_missing_seats_per_branch(
    grid, other_grid, compound, serving_contract, street_admin
):
    # grid: a company serves it and an owners' committee sits -> 3 seats.
    CommitteeFactory(compound=compound)
    CrossAppointmentFactory(branch=grid, seat=Seat.COMMUNITY)
    CrossAppointmentFactory(
        branch=grid,
        seat=Seat.COMPANY,
        end=timezone.localdate() - timedelta(days=1),
        start=timezone.localdate() - timedelta(days=100),
    )
    # other_grid: nothing served, no committee, community seat held -> full.
    CrossAppointmentFactory(branch=other_grid, seat=Seat.COMMUNITY)

    gaps = reports.cross_appointment_gaps(user=street_admin)

    assert [gap.branch for gap in gaps] == [grid]
    assert gaps[0].expected == (Seat.COMMUNITY, Seat.COMPANY, Seat.OWNERS_COMMITTEE)
    assert gaps[0].missing == (Seat.COMPANY, Seat.OWNERS_COMMITTEE)


def test_a_branch_without_a_community_seat_is_a_gap(grid, other_grid, community_staff):
    gaps = reports.cross_appointment_gaps(user=community_staff)
    assert {gap.branch for gap in gaps} == {grid, other_grid}
    assert all(gap.missing == (Seat.COMMUNITY,) for gap in gaps)


def test_gap_report_stays_in_the_users_scope(grid, other_grid, grid_secretary):
    GridFactory()  # a branch in another street, also without seats
    gaps = reports.cross_appointment_gaps(user=grid_secretary)
    assert [gap.branch for gap in gaps] == [grid]


def test_facility_summary_counts_piles_compounds_and_communities(
    community, other_community, street_admin, grid_secretary, compound
):
    other = CompoundFactory(grid=GridFactory(parent=other_community))
    FacilityFactory(compound=compound, count=20)
    FacilityFactory(compound=other, count=27)
    FacilityFactory(compound=other, kind=Facility.Kind.BIKE_SHED, count=2)

    summary = {line.kind: line for line in reports.facility_summary(user=street_admin)}
    piles = summary[Facility.Kind.EV_CHARGER]
    assert (piles.total, piles.compounds, piles.communities) == (47, 2, 2)
    assert summary[Facility.Kind.BIKE_SHED].total == 2

    mine = reports.facility_summary(user=grid_secretary)
    assert [(line.kind, line.total) for line in mine] == [
        (Facility.Kind.EV_CHARGER, 20)
    ]


def test_terms_report_is_scoped(compound, other_compound, grid_secretary):
    today = timezone.localdate()
    soon = {
        "established": today - timedelta(days=900),
        "term_start": today - timedelta(days=900),
        "term_end": today + timedelta(days=20),
    }
    mine = CommitteeFactory(compound=compound, **soon)
    CommitteeFactory(compound=other_compound, **soon)
    assert list(reports.terms_ending_soon(user=grid_secretary)) == [mine]


def test_reports_page_shows_only_the_users_rows(
    client, grid_secretary, compound, other_compound
):
    from django.contrib.auth.models import Permission

    grid_secretary.user_permissions.add(
        Permission.objects.get(codename="view_compound")
    )
    FacilityFactory(compound=compound, count=3)
    FacilityFactory(compound=other_compound, count=44)
    ServiceContractFactory(compound=other_compound)
    client.force_login(grid_secretary)
    response = client.get("/admin/compounds/compound/reports/")
    assert response.status_code == 200
    assert [line.total for line in response.context["facilities"]] == [3]
    assert [gap.branch for gap in response.context["gaps"]] == [compound.grid]

"""The gap report: compounds governed by no one or missing their governor,
and cross-appointment seats filled from it."""

import pytest
from django.urls import reverse

from compounds import reports
from compounds.models import BuildingHead, Compound
from compounds.reports import Gap
from org.models import CrossAppointment

from ..factories import (
    CommitteeFactory,
    CompoundFactory,
    GroupFactory,
    PersonFactory,
    ServiceContractFactory,
)

pytestmark = pytest.mark.django_db

Mode = Compound.ManagementMode
Seat = CrossAppointment.Seat


def gaps_by_name(**kwargs):
    return {row.compound.name: row.gaps for row in reports.governance_gaps(**kwargs)}


def test_each_compound_with_a_gap_and_why(grid):
    ServiceContractFactory(compound=CompoundFactory(grid=grid, name="有物业"))
    CompoundFactory(grid=grid, name="无人管")
    grid.refresh_from_db()
    CompoundFactory(grid=grid, name="只有党小组", party_group=GroupFactory(parent=grid))
    CommitteeFactory(
        compound=CompoundFactory(grid=grid, name="自管有会", management_mode=Mode.SELF)
    )
    CompoundFactory(grid=grid, name="自管无会", management_mode=Mode.SELF)
    heads = CompoundFactory(grid=grid, name="楼长", management_mode=Mode.BUILDING_HEADS)
    BuildingHead.objects.create(compound=heads, person=PersonFactory())

    assert gaps_by_name() == {
        "无人管": (Gap.NO_ONE, Gap.NO_COMPANY),
        "只有党小组": (Gap.NO_COMPANY,),
        "自管无会": (Gap.NO_ONE, Gap.NO_SELF_GOVERNMENT),
    }


def test_the_report_is_cut_to_the_user(grid, other_grid, grid_secretary):
    CompoundFactory(grid=grid, name="本网格")
    CompoundFactory(grid=other_grid, name="别的网格")
    assert set(gaps_by_name(user=grid_secretary)) == {"本网格"}


def test_the_report_page_links_each_gap_to_where_it_is_fixed(
    client, street_admin, grid
):
    orphan = CompoundFactory(grid=grid, name="无人管")
    client.force_login(street_admin)

    body = client.get(reverse("admin:compounds_reports")).content.decode()

    assert "存在治理空白的小区" in body
    assert reverse("admin:compounds_compound_change", args=[orphan.pk]) in body
    assert f"{reverse('admin:compounds_committee_add')}?compound={orphan.pk}" in body
    assert f"{reverse('admin:compounds_buildinghead_add')}?compound={orphan.pk}" in body


def test_a_missing_seat_is_filled_from_the_gap_report(client, street_admin, grid):
    client.force_login(street_admin)
    body = client.get(reverse("admin:compounds_reports")).content.decode()
    add = reverse("admin:org_crossappointment_add")
    link = f"{add}?branch={grid.pk}&amp;seat={Seat.COMMUNITY}"
    assert link in body

    form = client.get(f"{add}?branch={grid.pk}&seat={Seat.COMMUNITY}")
    assert form.status_code == 200
    initial = form.context["adminform"].form.initial
    assert (int(initial["branch"]), initial["seat"]) == (grid.pk, Seat.COMMUNITY)

    person = PersonFactory(unit=grid.parent)
    response = client.post(
        f"{add}?branch={grid.pk}&seat={Seat.COMMUNITY}",
        {
            "branch": grid.pk,
            "seat": Seat.COMMUNITY,
            "person": person.pk,
            "source_organisation": "运河社区党委",
            "start": "",
            "end": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert CrossAppointment.objects.filter(
        branch=grid, seat=Seat.COMMUNITY, person=person
    ).exists()
    assert reports.cross_appointment_gaps(user=street_admin) == []
    body = client.get(reverse("admin:compounds_reports")).content.decode()
    assert link not in body


def test_a_role_that_may_not_add_seats_sees_no_fill_link(client, inspector, grid):
    client.force_login(inspector)
    body = client.get(reverse("admin:compounds_reports")).content.decode()
    assert 'class="seat-gap"' in body  # the gap is shown…
    assert "fill-seat" not in body  # …without the link to fill it

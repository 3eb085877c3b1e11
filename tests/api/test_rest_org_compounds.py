"""Org units, compounds, companies, packages, committees and facilities."""

import pytest
from django.utils import timezone

from compounds.models import Facility, PackageMembership, ServicePackage
from tests.clients import token_client
from tests.factories import CommitteeFactory, CompoundFactory, PropertyCompanyFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_org_units_filter_by_subtree_and_kind(
    superuser, street, community, grid, other_grid, other_community
):
    client = token_client(superuser)

    under_community = ids(client.get(f"{API}/org-units/", {"subtree": community.pk}))
    grids = ids(client.get(f"{API}/org-units/", {"subtree": street.pk, "kind": "grid"}))

    assert under_community == {community.pk, grid.pk, other_grid.pk}
    assert grids == {grid.pk, other_grid.pk}


def test_a_grid_token_sees_its_own_unit_only(grid_secretary, grid, other_grid):
    assert ids(token_client(grid_secretary).get(f"{API}/org-units/")) == {grid.pk}


def test_compounds_filter_by_subtree_kind_and_company(
    street_admin, compound, other_compound, serving_contract, community, grid
):
    old = CompoundFactory(grid=grid, kind="old")
    client = token_client(street_admin)

    assert ids(client.get(f"{API}/compounds/", {"subtree": grid.pk})) == {
        compound.pk,
        old.pk,
    }
    assert ids(client.get(f"{API}/compounds/", {"kind": "old"})) == {old.pk}
    by_company = client.get(
        f"{API}/compounds/", {"company": serving_contract.company.pk}
    )
    assert ids(by_company) == {compound.pk}
    assert by_company.json()["results"][0]["current_company_name"] == (
        serving_contract.company.name
    )


def test_three_without_compounds_can_be_listed(street_admin, grid, compound):
    bare = CompoundFactory(
        grid=grid,
        kind="old",
        lacks_supervising_unit=True,
        lacks_property_service=True,
        lacks_security=True,
    )

    response = token_client(street_admin).get(
        f"{API}/compounds/", {"three_without": "true"}
    )

    assert ids(response) == {bare.pk}
    assert response.json()["results"][0]["is_three_without"] is True


def test_companies_show_their_party_compliance(street_admin, street):
    big = PropertyCompanyFactory(registered_with=street, party_member_count=5)
    client = token_client(street_admin)

    response = client.get(f"{API}/companies/", {"breaking_party_rule": "true"})

    row = next(r for r in response.json()["results"] if r["id"] == big.pk)
    assert row["party_compliance"] == "needs_organisation"


def test_packages_committees_and_facilities_are_listed_in_scope(
    grid_secretary, compound, other_compound, serving_contract
):
    today = timezone.localdate()
    package = ServicePackage.objects.create(
        name="运河片区",
        company=serving_contract.company,
        lead_compound=compound,
        start=today,
    )
    PackageMembership.objects.create(package=package, compound=compound, start=today)
    committee = CommitteeFactory(compound=compound)
    CommitteeFactory(compound=other_compound)
    client = token_client(grid_secretary)

    packages = client.get(f"{API}/service-packages/").json()["results"]
    assert [p["compounds"] for p in packages] == [[compound.pk]]
    assert ids(client.get(f"{API}/committees/", {"current": "true"})) == {committee.pk}


def test_facilities_filter_by_kind_for_the_community(community_staff, compound):
    charger = Facility.objects.create(kind="ev_charger", compound=compound, count=3)
    Facility.objects.create(kind="bike_shed", compound=compound, count=1)

    found = ids(
        token_client(community_staff).get(f"{API}/facilities/", {"kind": "ev_charger"})
    )

    assert found == {charger.pk}

"""One company, one package and one committee per compound at a time."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compounds.models import Committee, PackageMembership, ServiceContract

from ..factories import CommitteeFactory, PropertyCompanyFactory
from .factories import PackageMembershipFactory, ServicePackageFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_a_compound_in_two_active_packages_is_refused(compound):
    PackageMembershipFactory(compound=compound)
    second = ServicePackageFactory()
    membership = PackageMembership(package=second, compound=compound, start=TODAY())
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "已在打包片区" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError):
        membership.save()
    assert PackageMembership.objects.filter(compound=compound).count() == 1


def test_a_compound_may_change_package_once_the_first_membership_ends(compound):
    first = PackageMembershipFactory(
        compound=compound, start=TODAY() - timedelta(days=400)
    )
    first.end = TODAY() - timedelta(days=1)
    first.save()
    PackageMembershipFactory(compound=compound, start=TODAY())
    assert PackageMembership.objects.filter(compound=compound).count() == 2


def test_overlapping_committee_terms_are_refused_and_nothing_is_stored(compound):
    first = CommitteeFactory(compound=compound)
    overlapping = Committee(
        compound=compound,
        kind=Committee.Kind.SELF_MANAGEMENT,
        name="重叠的自管会",
        established=first.term_start,
        term_start=first.term_end - timedelta(days=10),
        term_end=first.term_end + timedelta(days=300),
    )
    with pytest.raises(ValidationError):
        overlapping.full_clean()
    with pytest.raises(ValidationError):
        overlapping.save()
    assert list(Committee.objects.filter(compound=compound)) == [first]


def test_a_committee_term_may_follow_the_previous_one(compound):
    first = CommitteeFactory(compound=compound)
    CommitteeFactory(
        compound=compound,
        established=first.term_end + timedelta(days=1),
        term_start=first.term_end + timedelta(days=1),
        term_end=first.term_end + timedelta(days=365 * 5),
    )
    assert Committee.objects.filter(compound=compound).count() == 2


def test_overlapping_service_contracts_are_refused_even_outside_forms(
    serving_contract,
):
    other = PropertyCompanyFactory(registered_with=serving_contract.compound.street)
    contract = ServiceContract(
        compound=serving_contract.compound,
        company=other,
        start=serving_contract.start + timedelta(days=30),
    )
    with pytest.raises(ValidationError):
        contract.full_clean()
    with pytest.raises(ValidationError):
        contract.save()
    assert serving_contract.compound.service_contracts.count() == 1


def test_a_contract_may_start_the_day_after_the_last_one_ended(serving_contract):
    serving_contract.end = TODAY()
    serving_contract.save()
    ServiceContract.objects.create(
        compound=serving_contract.compound,
        company=PropertyCompanyFactory(),
        start=TODAY() + timedelta(days=1),
    )
    assert serving_contract.compound.current_company == serving_contract.company


def test_terms_ending_within_90_days(compound, other_compound):
    soon = CommitteeFactory(
        compound=compound,
        term_start=TODAY() - timedelta(days=1000),
        established=TODAY() - timedelta(days=1000),
        term_end=TODAY() + timedelta(days=30),
    )
    CommitteeFactory(compound=other_compound)
    assert list(Committee.objects.terms_ending_within(90)) == [soon]

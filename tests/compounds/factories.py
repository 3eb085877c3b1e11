"""Factories for the compounds tests, beside the shared ones."""

import factory
from django.utils import timezone

from compounds.models import (
    Facility,
    PackageMembership,
    PartyInstructor,
    PartyOrganisation,
    ServicePackage,
)
from org.models import CrossAppointment

from ..factories import CompoundFactory, PersonFactory, PropertyCompanyFactory


class ServicePackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePackage

    name = factory.Sequence(lambda n: f"测试片区{n}")
    company = factory.SubFactory(PropertyCompanyFactory)
    lead_compound = factory.SubFactory(CompoundFactory)
    start = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))


class PackageMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageMembership

    package = factory.SubFactory(ServicePackageFactory)
    compound = factory.SubFactory(CompoundFactory)
    start = factory.SelfAttribute("package.start")


class PartyOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganisation

    company = factory.SubFactory(PropertyCompanyFactory)
    name = factory.LazyAttribute(lambda o: f"{o.company.name}党支部")


class PartyInstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyInstructor

    company = factory.SubFactory(PropertyCompanyFactory)
    person = factory.SubFactory(PersonFactory)
    start = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    kind = Facility.Kind.EV_CHARGER
    compound = factory.SubFactory(CompoundFactory)
    count = 1


class CrossAppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrossAppointment

    person = factory.SubFactory(PersonFactory)
    seat = CrossAppointment.Seat.COMMUNITY
    source_organisation = "社区党委"

"""Factories for the whole suite; apps' tests add their own beside these."""

import factory
from django.utils import timezone
from stdnum.cn import uscc

from compounds.models import (
    Committee,
    CompanyStaff,
    Compound,
    PropertyCompany,
    ServiceContract,
)
from org.models import OrgUnit, Person, Post, User


def credit_code(n: int) -> str:
    """A valid unified social credit code, different for each n."""
    body = f"91370811MA{n:07d}"
    return body + uscc.calc_check_digit(body)


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    kind = OrgUnit.Kind.STREET
    name = factory.Sequence(lambda n: f"测试街道{n}")
    code = factory.Sequence(lambda n: f"{370800000 + n:09d}")
    parent = None


class CommunityFactory(StreetFactory):
    kind = OrgUnit.Kind.COMMUNITY
    name = factory.Sequence(lambda n: f"测试社区{n}")
    parent = factory.SubFactory(StreetFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n % 1000:03d}")


class GridFactory(StreetFactory):
    kind = OrgUnit.Kind.GRID
    name = factory.Sequence(lambda n: f"第{n}网格党支部")
    parent = factory.SubFactory(CommunityFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n % 1000:03d}")


class GroupFactory(StreetFactory):
    kind = OrgUnit.Kind.GROUP
    name = factory.Sequence(lambda n: f"第{n}楼院党小组")
    parent = factory.SubFactory(GridFactory)
    code = ""


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    unit = factory.SubFactory(GridFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    person = factory.SubFactory(PersonFactory)
    unit = factory.SelfAttribute("person.unit")
    role = Post.Role.SECRETARY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    person = factory.SubFactory(PersonFactory)
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PropertyCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyCompany

    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    credit_code = factory.Sequence(credit_code)
    registered_with = factory.SubFactory(StreetFactory)
    party_member_count = 0


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    name = factory.Sequence(lambda n: f"测试小区{n}")
    grid = factory.SubFactory(GridFactory)
    households = 200
    buildings = 6
    kind = Compound.Kind.COMMERCIAL
    management_mode = Compound.ManagementMode.COMPANY


class ServiceContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceContract

    compound = factory.SubFactory(CompoundFactory)
    company = factory.SubFactory(
        PropertyCompanyFactory,
        registered_with=factory.SelfAttribute("..compound.street"),
    )
    start = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))
    end = None


class CompanyStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyStaff

    company = factory.SubFactory(PropertyCompanyFactory)
    person = factory.SubFactory(PersonFactory)
    role = CompanyStaff.Role.MANAGER


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    compound = factory.SubFactory(CompoundFactory)
    kind = Committee.Kind.OWNERS
    name = factory.LazyAttribute(lambda o: f"{o.compound.name}业主委员会")
    established = factory.LazyFunction(
        lambda: timezone.localdate().replace(month=1, day=1)
    )
    term_start = factory.SelfAttribute("established")
    term_end = factory.LazyAttribute(
        lambda o: o.term_start.replace(year=o.term_start.year + 5)
    )

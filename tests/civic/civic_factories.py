"""Factories and helpers for visit days, meetings and disclosures."""

from datetime import timedelta

import factory
from django.utils import timezone

from civic.models import Disclosure, Meeting, VisitReport
from tests.factories import CompoundFactory


class VisitReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitReport

    compound = factory.SubFactory(CompoundFactory)
    date = factory.LazyFunction(timezone.localdate)
    households_visited = 20


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    kind = Meeting.Kind.JOINT_PROPERTY
    title = factory.Sequence(lambda n: f"第{n}次物业联席会议")
    compound = factory.SubFactory(CompoundFactory)
    date = factory.LazyFunction(timezone.localdate)
    place = "社区党群服务中心"
    host = "社区环物委主任"


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclosure

    compound = factory.SubFactory(CompoundFactory)
    kind = Disclosure.Kind.FEES
    title = factory.Sequence(lambda n: f"物业服务收费标准公示{n}")
    content = "住宅物业服务费按建筑面积收取。"
    published_on = factory.LazyFunction(timezone.localdate)
    objection_until = factory.LazyAttribute(
        lambda o: o.published_on + timedelta(days=7) if o.published_on else None
    )

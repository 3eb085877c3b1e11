"""Factories of the consultations app (shared by everyone testing it)."""

import importlib
from datetime import timedelta

import factory
from django.utils import timezone

from consultations.models import Concern, ConcernCategory, ConcernEvent

from ..factories import CompoundFactory


def ensure_categories() -> None:
    """Seed the categories again if a transactional test flushed them."""
    if ConcernCategory.objects.exists():
        return
    from django.apps import apps

    seed = importlib.import_module(
        "consultations.migrations.0002_concern_categories"
    ).seed
    seed(apps, None)


def category(code: str = "sanitation") -> ConcernCategory:
    """A category seeded by the data migration."""
    ensure_categories()
    return ConcernCategory.objects.get(code=code)


class ConcernCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernCategory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"test-category-{n}")
    name = factory.Sequence(lambda n: f"测试类别{n}")
    name_en = factory.Sequence(lambda n: f"Test category {n}")
    default_handler = ConcernCategory.Handler.COMPANY
    sla_working_days = 5


class ConcernFactory(factory.django.DjangoModelFactory):
    """A stored concern without the service's side effects (for lists).

    Tests of behaviour create concerns with `submit_concern`.
    """

    class Meta:
        model = Concern

    compound = factory.SubFactory(CompoundFactory)
    category = factory.LazyFunction(lambda: category("sanitation"))
    description = factory.Sequence(lambda n: f"楼道堆放杂物，第{n}单元")
    kind = Concern.Kind.COMPLAINT
    created_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=5))


class ConcernEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernEvent

    concern = factory.SubFactory(ConcernFactory)
    action = "note"
    note = "内部备注"
    is_public = False

"""The consultations demo: a year of the article's work, safe to load twice."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone

from civic.models import (
    ActionItem,
    Disclosure,
    Meeting,
    MeetingDecision,
    VisitNeed,
    VisitReport,
)
from consultations.models import Concern, ConcernEvent, Notification
from demo import consultations as demo

pytestmark = pytest.mark.django_db

FAST_HASHER = f"{MD5PasswordHasher.__module__}.{MD5PasswordHasher.__name__}"


@pytest.fixture(scope="module", autouse=True)
def demo_street(django_db_setup, django_db_blocker):
    """Load the whole demo once for the module; tests run in savepoints."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("consultations").get_models()
    }


def article_cases():
    q = Q()
    for theme in demo.ARTICLE_EXAMPLES:
        q |= Q(description__contains=theme)
    return Concern.objects.filter(q)


def test_loading_the_demo_again_changes_nothing():
    before = counts()

    demo.load()

    assert counts() == before
    assert before["Concern"] > 250


def test_forty_odd_article_examples_are_resolved():
    resolved = article_cases().filter(status=Concern.Status.CLOSED)

    assert resolved.count() >= 40
    themes = {
        theme
        for theme in demo.ARTICLE_EXAMPLES
        if resolved.filter(description__contains=theme).exists()
    }
    assert themes == {"外墙保温", "小区封闭", "车辆停放", "卫生提升"}


def test_every_concern_has_a_consistent_public_timeline():
    for concern in Concern.objects.annotate(n=Count("events")).filter(n=0)[:1]:
        pytest.fail(f"{concern} has no events")
    mismatched = [
        c.pk
        for c in Concern.objects.prefetch_related("events")
        if list(c.events.all())[-1].to_status != c.status
        or list(c.events.all())[0].action != "submit"
    ]
    assert mismatched == []
    assert not ConcernEvent.objects.filter(created_at__gt=timezone.now()).exists()


def test_a_year_of_concerns_across_categories_and_sources():
    first = Concern.objects.order_by("created_at").first().created_at
    assert (timezone.now() - first).days > 300
    assert Concern.objects.values("category").distinct().count() >= 12
    sources = set(Concern.objects.values_list("source", flat=True))
    assert {"web", "phone", "visit_day", "tea_table", "door_knock"} <= sources
    assert Concern.objects.exclude(status__in=Concern.DONE_STATUSES).exists()


def test_visit_reports_for_each_month_with_some_missing():
    months = {
        d.replace(day=1) for d in VisitReport.objects.values_list("date", flat=True)
    }
    assert len(months) >= 11
    linked = VisitNeed.objects.filter(concern__isnull=False).select_related("concern")
    assert linked.exists()
    assert all(n.concern.source == Concern.Source.VISIT_DAY for n in linked)


def test_meetings_with_published_decisions_and_completed_actions():
    assert Meeting.objects.filter(kind=Meeting.Kind.TEA_TABLE).count() >= 12
    assert Meeting.objects.filter(kind=Meeting.Kind.JOINT_PROPERTY).count() >= 12
    assert MeetingDecision.objects.published().count() >= 50
    assert ActionItem.objects.exists()
    closed_with_open_actions = ActionItem.objects.filter(
        done_at__isnull=True, concern__status=Concern.Status.CLOSED
    )
    assert not closed_with_open_actions.exists()


def test_disclosures_include_one_open_for_objections():
    kinds = set(Disclosure.objects.values_list("kind", flat=True))
    assert {"service_standard", "fees", "public_income", "maintenance_fund"} <= kinds
    assert Disclosure.objects.open_for_objection().exists()


def test_the_demo_queues_no_mail():
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_every_event_is_dated_on_its_concerns_own_timeline():
    # The demo builds a year through the services with the clock stopped at
    # each step; no event may fall before its concern or on today's date
    # for a concern submitted weeks ago.
    assert not ConcernEvent.objects.filter(
        created_at__lt=F("concern__created_at")
    ).exists()
    weeks_ago = timezone.now() - timedelta(days=21)
    old_events = ConcernEvent.objects.filter(concern__created_at__lt=weeks_ago)
    assert old_events.exists()
    assert not old_events.filter(created_at__date=timezone.localdate()).exists()

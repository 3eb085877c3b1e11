from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Concern

from .factories import ConcernFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_of_concerns(compound, serving_contract):
    company = serving_contract.company
    now = timezone.now()
    common = {"compound": compound, "handler_company": company, "created_at": now}
    # Dispatched and signed in time, rated satisfied, resolved.
    ConcernFactory(
        **common,
        dispatched_at=now,
        sign_due_at=now + timedelta(days=1),
        signed_at=now + timedelta(hours=2),
        rating="satisfied",
        is_resolved=True,
        status="closed",
    )
    # Signed late, basically satisfied, resolved.
    ConcernFactory(
        **common,
        dispatched_at=now,
        sign_due_at=now + timedelta(days=1),
        signed_at=now + timedelta(days=2),
        rating="basic",
        is_resolved=True,
        status="closed",
    )
    # Signed in time, dissatisfied, not resolved.
    ConcernFactory(
        **common,
        dispatched_at=now,
        sign_due_at=now + timedelta(days=1),
        signed_at=now + timedelta(hours=1),
        rating="dissatisfied",
        is_resolved=False,
        status="reopened",
    )
    # Dispatched, never signed.
    ConcernFactory(
        **common,
        dispatched_at=now,
        sign_due_at=now + timedelta(days=1),
        status="dispatched",
    )
    return company


def test_three_rates_per_company_and_month(month_of_concerns):
    row = Concern.objects.rates("handler_company").get()

    assert row["handler_company"] == month_of_concerns.pk
    assert (row["dispatched"], row["signed_on_time"]) == (4, 2)
    assert (row["asked"], row["resolved"]) == (3, 2)
    assert (row["rated"], row["satisfied"]) == (3, 2)


def test_rates_page_shows_percentages_per_company_and_community(
    client, month_of_concerns, street_admin, community
):
    client.force_login(street_admin)

    response = client.get("/concerns/staff/rates/")

    html = response.content.decode()
    assert response.status_code == 200
    assert month_of_concerns.name in html
    assert community.name in html
    assert "50.0%" in html  # response rate 2 of 4
    assert "66.7%" in html  # resolution and satisfaction 2 of 3


def test_rates_respect_the_scope(client, month_of_concerns, outsider):
    client.force_login(outsider)

    html = client.get("/concerns/staff/rates/").content.decode()

    assert month_of_concerns.name not in html


def test_a_reopened_concerns_earlier_rating_no_longer_counts(
    compound, serving_contract, community_staff, property_manager
):
    from consultations import services

    from .factories import category

    concern = services.submit_concern(
        compound=compound, category=category(), description="门禁又坏了"
    )
    services.accept(concern=concern, actor=community_staff)
    services.dispatch(concern=concern, actor=community_staff, to="company")
    services.sign(concern=concern, actor=property_manager)
    concern = services.respond(concern=concern, actor=property_manager, note="已修")
    services.follow_up(concern=concern, actor=community_staff, rating="satisfied")
    before = Concern.objects.rates("handler_company").get()

    services.reopen(concern=concern, actor=community_staff, note="两天后又坏")
    after = Concern.objects.rates("handler_company").get()

    assert (before["rated"], before["satisfied"], before["resolved"]) == (1, 1, 1)
    assert (after["rated"], after["satisfied"], after["asked"]) == (0, 0, 0)
    # The earlier rating stays on the timeline.
    assert concern.events.filter(action="follow_up", note="满意").exists()


def test_the_migration_forgets_only_ratings_of_an_earlier_round(
    compound, serving_contract, community_staff, property_manager
):
    import importlib

    from django.apps import apps

    from consultations import services

    from .factories import category

    migration = importlib.import_module(
        "consultations.migrations.0008_ratings_of_reopened_rounds_no_longer_count"
    )

    def rated_then_reopened():
        concern = services.submit_concern(
            compound=compound, category=category(), description="电梯异响"
        )
        services.accept(concern=concern, actor=community_staff)
        services.dispatch(concern=concern, actor=community_staff, to="company")
        services.sign(concern=concern, actor=property_manager)
        concern = services.respond(concern=concern, actor=property_manager, note="修")
        services.follow_up(concern=concern, actor=community_staff, rating="satisfied")
        return services.reopen(concern=concern, actor=community_staff, note="又响")

    stale = rated_then_reopened()
    # As the portal stored it before: the earlier round's rating kept.
    Concern.objects.filter(pk=stale.pk).update(rating="satisfied", is_resolved=True)
    current = rated_then_reopened()
    services.dispatch(concern=current, actor=community_staff, to="company")
    services.sign(concern=current, actor=property_manager)
    current = services.respond(concern=current, actor=property_manager, note="再修")
    services.follow_up(concern=current, actor=community_staff, rating="basic")

    migration.forget_earlier_ratings(apps, None)

    stale.refresh_from_db()
    current.refresh_from_db()
    assert (stale.rating, stale.is_resolved) == ("", None)
    assert (current.rating, current.is_resolved) == ("basic", True)

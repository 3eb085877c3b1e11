"""Concern events carry their concern's street, community and grid: copied
when written, moved with the concern and the tree, and the events API
filters on them instead of joining every concern."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import ConcernEvent
from consultations.services import assign_compound, submit_concern
from tests.clients import make_concern, token_client
from tests.factories import CompoundFactory, GridFactory

from .factories import category

pytestmark = pytest.mark.django_db


def places(concern):
    return set(
        ConcernEvent.objects.filter(concern=concern).values_list(
            "street_id", "community_id", "grid_id"
        )
    )


def test_an_event_is_placed_where_its_concern_is(compound, street, community, grid):
    concern = make_concern(compound)

    assert places(concern) == {(street.pk, community.pk, grid.pk)}


def test_events_move_with_the_concern_when_its_compound_is_assigned(
    compound, street, community, grid
):
    concern = submit_concern(
        compound=None,
        place="东门外的小楼",
        community=community,
        category=category(),
        description="路灯不亮。",
    )
    assert places(concern) == {(street.pk, community.pk, None)}

    assign_compound(concern=concern, compound=compound, actor=None)

    assert places(concern) == {(street.pk, community.pk, grid.pk)}
    assert concern.events.count() == 2


def test_events_follow_their_grid_to_another_community(compound, grid, other_community):
    concern = make_concern(compound)

    grid.parent = other_community
    grid.code = f"{other_community.code}009"
    grid.save()

    assert places(concern) == {(other_community.parent_id, other_community.pk, grid.pk)}


def test_the_migration_copies_every_event_place_from_its_concern(
    compound, other_compound, street, community, grid, other_grid
):
    first, second = make_concern(compound), make_concern(other_compound)
    ConcernEvent.objects.update(grid_id=None)
    migration = importlib.import_module(
        "consultations.migrations.0014_concernevent_place"
    )

    with CaptureQueriesContext(connection) as captured:
        migration.copy_places(apps, SimpleNamespace(connection=connection))

    assert len(captured) == 1
    assert places(first) == {(street.pk, community.pk, grid.pk)}
    assert places(second) == {(street.pk, community.pk, other_grid.pk)}


def test_the_events_api_lists_a_community_from_its_own_column(
    community_staff, community, compound, other_community
):
    mine = make_concern(compound)
    far = make_concern(CompoundFactory(grid=GridFactory(parent=other_community)))
    api = token_client(community_staff)

    with CaptureQueriesContext(connection) as captured:
        response = api.get("/api/v1/concern-events/")

    assert response.status_code == 200
    concerns = {row["concern"] for row in response.json()["results"]}
    assert mine.pk in concerns and far.pk not in concerns
    listing = next(
        q["sql"] for q in captured if 'FROM "consultations_concernevent"' in q["sql"]
    )
    where = listing.split(" WHERE ", 1)[1]
    assert f'"consultations_concernevent"."community_id" = {community.pk}' in where
    assert 'JOIN "consultations_concern"' not in listing

"""Placed rows follow the tree: one mixin, one resync for every app."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Inspection
from civic.models import Meeting
from compounds.models import Compound, Facility
from consultations.models import Concern
from org.place import PlacedInTree, placed_models
from tests.assessments.factories import draft_inspection
from tests.civic.civic_factories import MeetingFactory
from tests.compounds.factories import FacilityFactory
from tests.consultations.factories import ConcernFactory
from tests.factories import CommunityFactory, StreetFactory

pytestmark = pytest.mark.django_db


def test_every_model_with_tree_copies_follows_moves_unless_it_keeps_the_day():
    following = set(placed_models())

    assert {Compound, Concern, Meeting, Facility} <= following
    assert issubclass(Inspection, PlacedInTree)
    assert Inspection not in following


def test_a_saved_row_copies_its_place_from_its_compound(compound):
    concern = ConcernFactory(compound=compound)
    facility = FacilityFactory(compound=compound)

    for row in (compound, concern, facility):
        assert (row.street_id, row.community_id, row.grid_id) == (
            compound.grid.parent.parent_id,
            compound.grid.parent_id,
            compound.grid_id,
        )


def test_work_outside_compounds_is_placed_by_its_community(community):
    lane_work = FacilityFactory(compound=None, community=community, location="竹竿巷")
    meeting = MeetingFactory(compound=None, community=community)

    for row in (lane_work, meeting):
        assert row.grid_id is None
        assert row.street_id == community.parent_id


def test_a_moved_grid_moves_every_placed_row_but_keeps_past_inspections(
    street, compound, street_admin
):
    inspection = draft_inspection(compound, street_admin)
    concern = ConcernFactory(compound=compound)
    facility = FacilityFactory(compound=compound)
    meeting = MeetingFactory(compound=compound)
    old_community = compound.community_id
    new_community = CommunityFactory(parent=street, code="370811012009")
    grid = compound.grid

    grid.parent = new_community
    grid.code = "370811012009001"
    grid.save()

    for row in (compound, concern, facility, meeting):
        row.refresh_from_db()
        assert row.community_id == new_community.pk, row
    inspection.refresh_from_db()
    assert inspection.community_id == old_community


def test_a_community_moved_to_another_street_takes_its_rows_along(community, compound):
    lane_work = FacilityFactory(compound=None, community=community, location="竹竿巷")
    concern = ConcernFactory(compound=compound)
    other_street = StreetFactory(name="南苑街道", code="370811013")

    community.parent = other_street
    community.code = "370811013001"
    community.save()

    for row in (lane_work, concern, compound):
        row.refresh_from_db()
        assert row.street_id == other_street.pk, row


def test_the_resync_updates_every_concern_in_two_statements(street, compound):
    """One for the concerns placed by a grid, one for those with a community
    only (reported as not in the list), however many there are."""
    for _ in range(5):
        ConcernFactory(compound=compound)
    new_community = CommunityFactory(parent=street, code="370811012009")
    grid = compound.grid
    grid.parent = new_community
    grid.code = "370811012009001"

    with CaptureQueriesContext(connection) as queries:
        grid.save()

    updates = [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    table = f'UPDATE "{Concern._meta.db_table}" '
    concern_updates = [q for q in updates if q["sql"].startswith(table)]
    assert len(concern_updates) == 2
    assert Concern.objects.filter(community=new_community).count() == 5

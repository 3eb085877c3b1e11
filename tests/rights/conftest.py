"""One street with a login for every role of the rights table.

Every login works in the same place (the street, the community, the grid and
the compound `compound`, served by the company of `property_manager`), so a
refusal can only come from the rights table, never from the scope.
"""

import pytest

from org.models import Post
from org.rights import Role
from tests.conftest import staff_with_post


@pytest.fixture
def inspector_cadre(street):
    return staff_with_post(street, Post.Role.INSPECTOR, username="inspector_cadre")


@pytest.fixture
def login_of(
    street_admin,
    community_staff,
    grid_secretary,
    inspector_cadre,
    inspector,
    property_manager,
    superuser,
):
    """Role → a login holding only that role."""
    return {
        Role.STREET_OFFICE: street_admin,
        Role.COMMUNITY_STAFF: community_staff,
        Role.GRID_STAFF: grid_secretary,
        Role.INSPECTOR: inspector_cadre,
        Role.RESIDENT_REP: inspector,
        Role.COMPANY_STAFF: property_manager,
        Role.SUPERUSER: superuser,
    }

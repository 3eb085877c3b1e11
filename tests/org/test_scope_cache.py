"""A login's scope is cached between requests and recomputed after any
change to what it is made of: posts, units, company seats, contracts."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compounds.models import ServiceContract
from org.models import Post, User
from org.scope import user_scope
from tests.clients import make_concern, token_client
from tests.factories import CompoundFactory, PostFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/concerns/"


def fresh(user):
    """The login as the next request loads it."""
    return User.objects.get(pk=user.pk)


def ids(api):
    response = api.get(URL)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_next_request_reads_the_scope_without_asking_the_posts(
    community_staff, compound
):
    api = token_client(community_staff)
    api.get(URL)

    with CaptureQueriesContext(connection) as captured:
        assert api.get(URL).status_code == 200

    assert not [q for q in captured if '"org_post"' in q["sql"]]


def test_an_ended_post_narrows_the_next_request(community_staff, compound, sanitation):
    concern = make_concern(compound, sanitation)
    api = token_client(community_staff)
    assert ids(api) == {concern.pk}

    post = Post.objects.get(person=community_staff.person)
    post.end = timezone.localdate() - timedelta(days=1)
    post.save()

    assert user_scope(fresh(community_staff)).units == ()
    assert api.get(URL).status_code == 403


def test_a_new_post_widens_the_next_request(grid_secretary, compound, other_community):
    mine = make_concern(compound)
    far = make_concern(CompoundFactory(grid__parent=other_community))
    api = token_client(grid_secretary)
    assert ids(api) == {mine.pk}

    PostFactory(person=grid_secretary.person, unit=other_community)

    assert ids(api) == {mine.pk, far.pk}


def test_a_contract_that_ends_takes_the_compound_from_the_company(
    property_manager, serving_contract
):
    assert serving_contract.compound_id in user_scope(property_manager).compound_ids

    contract = ServiceContract.objects.get(pk=serving_contract.pk)
    contract.end = timezone.localdate() - timedelta(days=1)
    contract.save()

    assert fresh(property_manager).scope.compound_ids == frozenset()


def test_a_unit_moved_in_the_tree_is_read_again(grid_secretary, grid, other_community):
    before = user_scope(fresh(grid_secretary)).units[0]

    grid.parent = other_community
    grid.code = f"{other_community.code}009"
    grid.save()

    after = user_scope(fresh(grid_secretary)).units[0]
    assert before.parent_id != after.parent_id == other_community.pk


def test_tomorrow_is_a_new_key(community_staff):
    post = Post.objects.get(person=community_staff.person)
    Post.objects.filter(pk=post.pk).update(end=timezone.localdate())
    assert user_scope(fresh(community_staff)).units

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert user_scope(fresh(community_staff)).units == ()

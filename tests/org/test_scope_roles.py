"""The role predicates of a user's scope."""

import pytest

from org.models import Post
from org.scope import user_scope

from ..factories import PostFactory

pytestmark = pytest.mark.django_db


def test_company_staff_without_posts_are_company_users(property_manager):
    scope = user_scope(property_manager)

    assert scope.is_company_user
    assert not scope.is_org_staff
    assert not scope.sees_hidden_originals


def test_posts_in_the_tree_make_org_staff(grid_secretary, street_admin, superuser):
    for user in (grid_secretary, street_admin, superuser):
        scope = user_scope(user)
        assert scope.is_org_staff
        assert not scope.is_company_user


def test_only_the_street_office_and_superusers_read_hidden_originals(
    grid_secretary, community_staff, street_admin, superuser
):
    assert not user_scope(grid_secretary).sees_hidden_originals
    assert not user_scope(community_staff).sees_hidden_originals
    assert user_scope(street_admin).sees_hidden_originals
    assert user_scope(superuser).sees_hidden_originals


def test_street_ids_for_roles_lists_the_streets_of_matching_street_posts(
    street, street_admin, inspector, grid_secretary, superuser, property_manager
):
    roles = (Post.Role.FULL_TIME_STAFF, Post.Role.SECRETARY)

    def streets(user):
        return user_scope(user).street_ids_for_roles(roles)

    assert streets(street_admin) == [street.pk]
    assert streets(inspector) == []  # a street post, in another role
    assert streets(grid_secretary) == []  # the role, not on a street
    assert streets(superuser) is None
    assert streets(property_manager) == []


def test_company_staff_get_no_streets_whatever_posts_they_hold(
    street, property_manager
):
    person = property_manager.person
    PostFactory(person=person, unit=street, role=Post.Role.SECRETARY)
    scope = user_scope(property_manager)

    assert not scope.is_company_user
    assert scope.street_ids_for_roles([Post.Role.SECRETARY]) == []

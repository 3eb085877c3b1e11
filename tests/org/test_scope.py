"""A user's scope: `User.scope`, computed once, from posts and company."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

import org.scope
from org.scope import Scope, user_scope

pytestmark = pytest.mark.django_db


def test_a_street_post_scopes_to_the_street_and_is_computed_once(
    street_admin, street, django_assert_num_queries
):
    scope = street_admin.scope
    with django_assert_num_queries(0):
        assert user_scope(street_admin) is scope

    assert scope.units == (street,)
    assert not scope.everything


def test_company_staff_reach_their_company_and_its_compounds(
    property_manager, serving_contract
):
    scope = property_manager.scope

    assert scope.company_ids == {serving_contract.company_id}
    assert scope.compound_ids == {serving_contract.compound_id}


def test_anonymous_and_inactive_users_see_nothing(street_admin):
    street_admin.is_active = False

    assert user_scope(None).is_empty
    assert user_scope(AnonymousUser()).is_empty
    assert street_admin.scope == Scope()


def test_the_scope_module_imports_no_model():
    # org.models imports org.scope; the other way round would be a cycle.
    imported = set()
    for node in ast.walk(ast.parse(Path(org.scope.__file__).read_text())):
        if isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)

    assert imported <= {
        "collections.abc",
        "dataclasses",
        "django.db",
        "django.db.models",
    }

"""The org tree in the admin: drags obey the placement rules and the scope."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from compounds.models import Compound, Facility
from org.models import OrgUnit

from ..factories import CompoundFactory, GridFactory, GroupFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/org/orgunit/"


def drag(client, node, target, position="last-child"):
    return client.post(
        CHANGELIST,
        {
            "cmd": "move_node",
            "cut_item": node.pk,
            "pasted_on": target.pk,
            "position": position,
        },
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_tree_renders_indented_for_a_superuser(client, superuser, grid):
    client.force_login(superuser)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert 'class="tree-level-2"' in response.content.decode()


def test_dragging_a_grid_under_a_grid_is_refused_with_a_message(
    client, superuser, grid, other_grid
):
    client.force_login(superuser)
    response = drag(client, grid, other_grid)
    assert response.content.startswith(b"FAIL")
    assert any("必须直接隶属于" in m for m in messages_of(response))
    grid.refresh_from_db()
    assert grid.parent_id == other_grid.parent_id


def test_dragging_a_party_group_to_another_grid_moves_it(
    client, superuser, grid, other_grid
):
    group = GroupFactory(parent=grid)
    client.force_login(superuser)
    response = drag(client, group, other_grid)
    assert response.content.startswith(b"OK")
    group.refresh_from_db()
    assert group.parent == other_grid


def test_a_drag_outside_the_users_subtree_is_refused(
    client, grid_secretary, grid, other_grid
):
    grid_secretary.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_orgunit", "change_orgunit"])
    )
    group = GroupFactory(parent=grid)
    client.force_login(grid_secretary)
    response = drag(client, group, other_grid)
    assert response.content.startswith(b"FAIL")
    group.refresh_from_db()
    assert group.parent == grid


def test_moving_a_grid_to_another_community_resyncs_its_compounds(
    community, other_community
):
    grid = GridFactory(parent=community, code="")
    compound = CompoundFactory(grid=grid)
    facility = Facility.objects.create(kind="bike_shed", compound=compound)

    grid.parent = other_community
    grid.save()

    compound = Compound.objects.get(pk=compound.pk)
    assert compound.community == other_community
    assert compound.street == other_community.parent
    facility.refresh_from_db()
    assert facility.community == other_community


def test_a_grid_secretary_sees_only_their_branch_in_the_tree(
    client, grid_secretary, grid, other_grid
):
    grid_secretary.user_permissions.add(Permission.objects.get(codename="view_orgunit"))
    GroupFactory(parent=grid)
    client.force_login(grid_secretary)
    response = client.get(CHANGELIST)
    shown = set(response.context["cl"].queryset)
    assert shown == set(OrgUnit.objects.subtree_of(grid))
    assert other_grid not in shown

"""Who may open the overview of which unit (the scope rule and the rights
table), and what the drill-down offers."""

import pytest
from django.urls import reverse

from org.models import Post

from ..conftest import staff_with_post
from ..factories import CommunityFactory, CompoundFactory

pytestmark = pytest.mark.django_db


def overview_of(client, user, unit=None):
    client.force_login(user)
    query = {} if unit is None else {"unit": unit.pk}
    return client.get(reverse("overview"), query)


def test_street_office_sees_its_street_and_drills_down_to_a_grid(
    client, street_admin, street, community, grid, compound
):
    response = overview_of(client, street_admin)
    assert response.status_code == 200
    assert response.context["unit"] == street
    body = response.content.decode()
    assert f"?unit={community.pk}" in body  # the community row drills down

    response = overview_of(client, street_admin, community)
    assert response.context["unit"] == community
    assert f"?unit={grid.pk}" in response.content.decode()

    response = overview_of(client, street_admin, grid)
    assert response.status_code == 200
    assert [unit.pk for unit in response.context["trail"]] == [street.pk, community.pk]


def test_community_staff_sees_only_its_community(
    client, community_staff, street, community, other_community, grid
):
    CompoundFactory(grid=grid)

    response = overview_of(client, community_staff)
    assert response.context["unit"] == community
    assert response.context["data"]["compounds"]["total"] == 1
    # No way up to the street: the trail starts at the community.
    assert response.context["trail"] == []

    assert overview_of(client, community_staff, street).status_code == 404
    assert overview_of(client, community_staff, other_community).status_code == 404
    assert overview_of(client, community_staff, grid).status_code == 200


def test_grid_secretary_sees_only_its_grid(
    client, grid_secretary, community, grid, other_grid
):
    response = overview_of(client, grid_secretary)
    assert response.context["unit"] == grid
    assert overview_of(client, grid_secretary, other_grid).status_code == 404
    assert overview_of(client, grid_secretary, community).status_code == 404


def test_company_user_inspector_and_outsider_are_refused(
    client, property_manager, inspector, outsider, street
):
    response = overview_of(client, property_manager)
    assert response.status_code == 403
    assert "街道红色物业总览" in response.content.decode()  # the reason, in Chinese
    assert overview_of(client, inspector).status_code == 403
    # A grid secretary elsewhere has an overview, of its own grid only.
    assert overview_of(client, outsider, street).status_code == 404


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(reverse("overview"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    "unit", ["abc", "-1", "99999999", "1.5", "9" * 30, "１２", "1\x00"]
)
def test_a_unit_that_is_not_a_number_or_unknown_is_not_found(
    client, street_admin, unit
):
    client.force_login(street_admin)
    response = client.get(reverse("overview"), {"unit": unit})
    assert response.status_code == 404


def test_a_party_group_has_no_overview_of_its_own(client, street_admin, grid):
    from ..factories import GroupFactory

    group = GroupFactory(parent=grid)
    assert overview_of(client, street_admin, group).status_code == 404


def test_staff_of_two_communities_can_switch_between_them(client, street, community):
    second = CommunityFactory(parent=street)
    user = staff_with_post(community, Post.Role.FULL_TIME_STAFF)
    Post.objects.create(person=user.person, unit=second, role=Post.Role.SECRETARY)
    user = type(user).objects.get(pk=user.pk)  # the scope is read once per user

    response = overview_of(client, user)
    assert response.context["unit"] == community
    assert [home.pk for home in response.context["homes"]] == [second.pk]
    assert overview_of(client, user, second).status_code == 200


def test_the_print_view_marks_the_page_for_paper(client, street_admin, street):
    client.force_login(street_admin)
    response = client.get(reverse("overview"), {"print": "1"})
    assert 'class="overview-page print-view"' in response.content.decode()

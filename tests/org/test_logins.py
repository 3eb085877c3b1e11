"""The street office keeps its own staff's logins; superusers stay apart."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from org import services
from org.models import Post, User
from org.rights import Role, roles_of

from ..factories import PersonFactory, PostFactory, StreetFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_login_holds_the_roles_of_its_persons_posts(street_admin, community):
    person = PersonFactory(unit=community)
    PostFactory(person=person, unit=community, role=Post.Role.FULL_TIME_STAFF)

    login, temporary = services.create_login(
        by=street_admin, person=person, username="clerk"
    )

    assert login.is_staff and not login.is_superuser
    assert roles_of(login) == {Role.COMMUNITY_STAFF}
    assert temporary and User.objects.get(pk=login.pk).check_password(temporary)


def test_a_login_for_a_person_of_another_street_is_refused(street_admin):
    stranger = PersonFactory(unit=StreetFactory())

    with pytest.raises(PermissionDenied):
        services.create_login(by=street_admin, person=stranger, username="x")

    assert not User.objects.filter(username="x").exists()


def test_community_staff_cannot_create_logins(community_staff, grid):
    with pytest.raises(PermissionDenied):
        services.create_login(
            by=community_staff, person=PersonFactory(unit=grid), username="x"
        )


def test_a_weak_password_is_refused_with_the_strong_password_rules(street_admin, grid):
    login = UserFactory(person=PersonFactory(unit=grid))

    with pytest.raises(ValidationError):
        services.reset_password(by=street_admin, login=login, password="12345678")


def test_the_street_office_cannot_touch_a_superuser(street_admin, street):
    boss = UserFactory(person=PersonFactory(unit=street), is_superuser=True)

    with pytest.raises(PermissionDenied):
        services.reset_password(by=street_admin, login=boss)
    with pytest.raises(PermissionDenied):
        services.set_logins_active(by=street_admin, logins=[boss], active=False)


def test_the_superusers_page_is_read_only_for_the_street_office(
    client, street_admin, street
):
    boss = UserFactory(person=PersonFactory(unit=street), is_superuser=True)
    client.force_login(street_admin)

    url = reverse("admin:auth_user_password_change", args=[boss.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        reverse("admin:org_user_change", args=[boss.pk]),
        {"username": boss.username, "person": boss.person_id},
    )
    assert response.status_code == 403


def test_nobody_deactivates_their_own_login(street_admin):
    with pytest.raises(PermissionDenied):
        services.set_logins_active(by=street_admin, logins=[street_admin], active=False)
    street_admin.refresh_from_db()
    assert street_admin.is_active


def test_a_deactivated_login_loses_its_roles(street_admin, grid_secretary):
    services.set_logins_active(by=street_admin, logins=[grid_secretary], active=False)

    grid_secretary.refresh_from_db()
    assert roles_of(grid_secretary) == frozenset()


def test_the_temporary_password_is_shown_once_and_signs_in(
    client, street_admin, grid_secretary
):
    client.force_login(street_admin)

    response = client.post(
        reverse("admin:org_user_changelist"),
        {
            "action": "issue_temporary_passwords",
            "_selected_action": [grid_secretary.pk],
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["issued"][0][1]
    assert password in response.content.decode()
    assert "临时密码" in response.content.decode()
    assert client.login(username="grid_secretary", password=password)


def test_the_login_list_shows_the_roles_from_posts(
    client, street_admin, grid_secretary
):
    client.force_login(street_admin)

    response = client.get(reverse("admin:org_user_changelist"))

    page = response.content.decode()
    assert "grid_secretary" in page
    assert str(Role.GRID_STAFF.label) in page
    assert "网格党支部" not in [g.name for g in grid_secretary.groups.all()]


def test_a_login_made_in_the_admin_is_a_staff_login(client, street_admin, grid):
    person = PersonFactory(unit=grid)
    client.force_login(street_admin)

    response = client.post(
        reverse("admin:org_user_add"),
        {
            "username": "newcomer",
            "person": person.pk,
            "usable_password": "true",
            "password1": "Jiyang-new-2027",
            "password2": "Jiyang-new-2027",
        },
    )

    assert response.status_code == 302
    login = User.objects.get(username="newcomer")
    assert login.is_staff and login.person == person
    assert login.check_password("Jiyang-new-2027")

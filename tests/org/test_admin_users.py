"""Logins in the admin: scoped, and rights come only from a superuser."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from org.admin import PersonAdmin
from org.models import Person, User

from ..factories import PersonFactory, StreetFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_street_office_cannot_make_a_login_superuser(client, street_admin, grid):
    login = UserFactory(person=PersonFactory(unit=grid), username="worker")
    client.force_login(street_admin)
    response = client.post(
        f"/admin/org/user/{login.pk}/change/",
        {
            "username": "worker",
            "person": login.person_id,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    login.refresh_from_db()
    assert not login.is_superuser


def test_a_login_made_by_the_street_office_needs_a_person_in_its_street(
    client, street_admin
):
    stranger = PersonFactory(unit=StreetFactory())
    client.force_login(street_admin)
    data = {
        "username": "newcomer",
        "password1": "a-Long-pass-2024",
        "password2": "a-Long-pass-2024",
        "usable_password": "true",
    }
    response = client.post("/admin/org/user/add/", data)
    assert "person" in response.context["adminform"].form.errors
    response = client.post("/admin/org/user/add/", {**data, "person": stranger.pk})
    assert "person" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newcomer").exists()


def test_the_last_guard_refuses_a_row_outside_the_scope(grid_secretary, other_grid):
    stranger = PersonFactory(unit=other_grid)
    request = RequestFactory().post("/")
    request.user = grid_secretary
    model_admin = PersonAdmin(Person, None)
    with pytest.raises(PermissionDenied):
        model_admin.assert_visible(request, [stranger])
    model_admin.assert_visible(request, [grid_secretary.person])

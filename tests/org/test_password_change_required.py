"""A password someone else chose is changed by its holder before anything else."""

import pytest
from django.urls import reverse

from org import services
from org.models import Post, User

from ..factories import PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "my-own-Choice-2026"


@pytest.fixture
def clerk(street_admin, community):
    person = PersonFactory(unit=community)
    PostFactory(person=person, unit=community, role=Post.Role.FULL_TIME_STAFF)
    login, _temporary = services.create_login(
        by=street_admin, person=person, username="clerk"
    )
    return login


def test_a_new_login_and_a_reset_must_change_the_password(clerk, street_admin):
    assert User.objects.get(pk=clerk.pk).must_change_password

    clerk.must_change_password = False
    clerk.save()
    services.reset_password(by=street_admin, login=clerk)

    assert User.objects.get(pk=clerk.pk).must_change_password


def test_until_changed_pages_lead_to_the_change_and_the_api_refuses(client, clerk):
    client.force_login(clerk)

    page = client.get(reverse("my-tasks"))
    api = client.get("/api/v1/concerns/")

    assert page.status_code == 302
    assert page["Location"] == reverse("admin:password_change")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"
    assert "密码" in api.json()["detail"]
    change_page = client.get(reverse("admin:password_change"))
    assert change_page.status_code == 200
    assert "请先设置您自己的密码" in change_page.content.decode()


def test_choosing_ones_own_password_lifts_it(client, clerk):
    temporary = services.reset_password(
        by=User.objects.get(username="street_admin"), login=clerk
    )
    client.force_login(clerk)

    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": temporary,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.must_change_password and clerk.check_password(NEW_PASSWORD)
    assert client.get(reverse("my-tasks")).status_code == 200


def test_a_password_set_in_the_admin_for_another_login_must_be_changed(
    client, clerk, street_admin
):
    clerk.must_change_password = False
    clerk.save()
    client.force_login(street_admin)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[clerk.pk]),
        {
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content[:300]
    clerk.refresh_from_db()
    assert clerk.must_change_password and clerk.check_password(NEW_PASSWORD)

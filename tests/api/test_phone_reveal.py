"""The concern API masks every resident's number; the full number comes
only from POST /concerns/{id}/reveal-phone/, for the roles that may reveal
it on the pages, and each reveal is one audit entry per reveal window,
the detail page's window (one rule: `services.REVEAL_WINDOW`)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from consultations import services
from org.models import AuditEvent

from ..clients import make_concern, token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"
PHONE = "137 0000 1111"
E164 = "+8613700001111"
MASKED = "137****1111"


@pytest.fixture
def dispatched(compound, serving_contract, community_staff):
    concern = make_concern(compound, name="赵六", phone=PHONE)
    services.accept(concern=concern, actor=community_staff)
    return services.dispatch(concern=concern, actor=community_staff, to="company")


@pytest.fixture
def undispatched(compound, serving_contract):
    return make_concern(compound, name="李女士", phone="13900002222")


def _reveals():
    return AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL_PHONE)


def _reveal(user, concern, **extra):
    return token_client(user).post(
        f"{API}/concerns/{concern.pk}/reveal-phone/", format="json", **extra
    )


def test_lists_and_details_carry_the_masked_number_only(community_staff, dispatched):
    client = token_client(community_staff)

    listed = client.get(f"{API}/concerns/").content.decode()
    detail = client.get(f"{API}/concerns/{dispatched.pk}/")

    assert detail.json()["phone"] == MASKED
    assert MASKED in listed
    for body in (listed, detail.content.decode()):
        assert E164 not in body and "13700001111" not in body
    assert not _reveals().exists()


def test_staff_intake_answers_with_the_masked_number(community_staff, compound):
    response = token_client(community_staff).post(
        f"{API}/concerns/",
        {
            "compound": compound.pk,
            "category": "sanitation",
            "description": "来电反映楼道灯不亮",
            "phone": "13900000000",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["phone"] == "139****0000"


@pytest.mark.parametrize("role", ["community_staff", "street_admin"])
def test_org_staff_reveal_the_number_and_the_reveal_is_recorded_once_per_window(
    request, role, dispatched, street
):
    user = request.getfixturevalue(role)

    with time_machine.travel("2026-06-01 09:00 +0800", tick=False):
        first = _reveal(user, dispatched, REMOTE_ADDR="10.9.8.7")
        again = _reveal(user, dispatched)

    assert first.status_code == again.status_code == 200
    assert first.json() == {
        "id": dispatched.pk,
        "phone": E164,
        "formatted_phone": PHONE,
        "shown_until": "2026-06-01T09:05:00+08:00",
    }
    assert again.json() == first.json()
    events = _reveals().order_by("pk")
    assert events.count() == 1
    event = events.first()
    assert event.actor == user
    assert event.object_id == str(dispatched.pk)
    assert event.street == street
    assert event.address == "10.9.8.7"


def test_the_company_reveals_the_number_of_its_dispatched_concern(
    property_manager, dispatched
):
    response = _reveal(property_manager, dispatched)

    assert response.status_code == 200
    assert response.json()["phone"] == E164
    assert _reveals().get().actor == property_manager


def test_the_company_cannot_reveal_an_undispatched_concern(
    property_manager, undispatched
):
    response = _reveal(property_manager, undispatched)

    assert response.status_code == 404
    assert "13900002222" not in response.content.decode()
    assert not _reveals().exists()


def test_a_resident_representative_is_refused_in_chinese(inspector, dispatched):
    response = _reveal(inspector, dispatched)

    assert response.status_code == 403
    assert "由以下岗位办理" in response.json()["detail"]
    assert "1111" not in response.content.decode()
    assert not _reveals().exists()


def test_staff_outside_the_scope_get_a_404(outsider, dispatched):
    response = _reveal(outsider, dispatched)

    assert response.status_code == 404
    assert not _reveals().exists()


def test_anonymous_callers_cannot_reveal(dispatched):
    response = APIClient().post(
        f"{API}/concerns/{dispatched.pk}/reveal-phone/", format="json"
    )

    assert response.status_code in (401, 403)
    assert E164 not in response.content.decode()
    assert not _reveals().exists()


def test_a_reveal_is_a_post(community_staff, dispatched):
    response = token_client(community_staff).get(
        f"{API}/concerns/{dispatched.pk}/reveal-phone/"
    )

    assert response.status_code == 405
    assert not _reveals().exists()


def test_the_schema_documents_the_reveal(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert "post" in paths["/api/v1/concerns/{id}/reveal-phone/"]


def test_an_id_that_is_not_a_number_is_a_404(community_staff):
    response = token_client(community_staff).post(
        f"{API}/concerns/true/reveal-phone/", format="json"
    )

    assert response.status_code == 404


def test_after_the_window_an_api_reveal_is_recorded_again(community_staff, dispatched):
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False) as traveller:
        _reveal(community_staff, dispatched)
        traveller.shift(services.REVEAL_WINDOW - timedelta(seconds=1))
        _reveal(community_staff, dispatched)
        assert _reveals().count() == 1
        traveller.shift(timedelta(seconds=2))
        later = _reveal(community_staff, dispatched)

    assert later.json()["phone"] == E164
    assert _reveals().count() == 2


def test_the_page_and_the_api_share_one_window(client, community_staff, dispatched):
    """A reveal through the API shows the number on the page without a new
    entry, and the other way round; another login has a window of its own."""
    detail = reverse("consultations:staff-detail", args=[dispatched.pk])
    client.force_login(community_staff)

    with time_machine.travel("2026-06-01 09:00 +0800", tick=False) as traveller:
        _reveal(community_staff, dispatched)
        page = client.get(detail).content.decode()
        client.post(reverse("consultations:reveal-phone", args=[dispatched.pk]))
        assert _reveals().count() == 1
        traveller.shift(services.REVEAL_WINDOW + timedelta(seconds=1))
        client.post(reverse("consultations:reveal-phone", args=[dispatched.pk]))
        _reveal(community_staff, dispatched)

    assert PHONE in page
    assert _reveals().count() == 2


def test_each_login_has_its_own_window(community_staff, street_admin, dispatched):
    _reveal(community_staff, dispatched)
    _reveal(street_admin, dispatched)
    _reveal(community_staff, dispatched)

    assert sorted(_reveals().values_list("actor__username", flat=True)) == [
        "community_staff",
        "street_admin",
    ]

"""A resident's number is masked on the staff pages until a member of staff
who may read the concern reveals it; each reveal is one audit entry."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from common.phones import mask_phone
from consultations import services
from org.models import AuditEvent

from .factories import category

pytestmark = pytest.mark.django_db

PHONE = "13700001111"
FULL = "137 0000 1111"
MASKED = "137****1111"


@pytest.fixture
def concern(compound, serving_contract, community_staff):
    concern = services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="电梯间垃圾堆放",
        name="赵六",
        phone=PHONE,
    )
    services.accept(concern=concern, actor=community_staff)
    return services.dispatch(concern=concern, actor=community_staff, to="company")


def _reveals():
    return AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL_PHONE)


def test_numbers_are_masked_keeping_prefix_or_area_code_and_last_four():
    assert mask_phone("+8613700001111") == MASKED
    assert mask_phone("+865372345678") == "0537***5678"
    assert mask_phone("+861012345678") == "010****5678"
    assert mask_phone("") == ""


def test_the_staff_page_shows_the_number_masked_without_a_call_link(
    client, community_staff, concern
):
    client.force_login(community_staff)

    page = client.get(reverse("consultations:staff-detail", args=[concern.pk]))

    text = page.content.decode()
    assert MASKED in text
    assert FULL not in text and "tel:" not in text
    assert "显示号码" in text
    assert not _reveals().exists()


def test_a_reveal_shows_the_number_and_records_one_event(
    client, community_staff, concern, street
):
    client.force_login(community_staff)

    page = client.post(
        reverse("consultations:reveal-phone", args=[concern.pk]),
        REMOTE_ADDR="10.9.8.7",
        # The trail is kept in Chinese whatever the page's language.
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert f'href="tel:{concern.phone}"' in text and FULL in text
    event = _reveals().get()
    assert event.actor == community_staff
    assert event.object_type == "consultations.concern"
    assert event.object_id == str(concern.pk)
    assert event.street == street
    assert event.address == "10.9.8.7"
    assert event.detail == f"查看居民电话（诉求 {concern.formatted_code}）"
    with translation.override("zh-hans"):
        assert event.get_action_display() == "查看居民电话"
        assert event.object_label == "诉求"


def test_a_reveal_is_a_post(client, community_staff, concern):
    client.force_login(community_staff)

    response = client.get(reverse("consultations:reveal-phone", args=[concern.pk]))

    assert response.status_code == 405
    assert not _reveals().exists()


def test_the_company_handler_reveals_the_number_of_its_dispatched_concern(
    client, property_manager, concern
):
    client.force_login(property_manager)

    masked = client.get(reverse("consultations:manager-detail", args=[concern.pk]))
    revealed = client.post(
        reverse("consultations:reveal-phone", args=[concern.pk]), follow=True
    )

    assert revealed.redirect_chain[-1][0].startswith(
        reverse("consultations:manager-detail", args=[concern.pk])
    )
    assert MASKED in masked.content.decode()
    assert "tel:" not in masked.content.decode()
    assert FULL in revealed.content.decode()
    assert _reveals().get().actor == property_manager


def test_the_company_cannot_reveal_a_concern_not_dispatched_to_it(
    client, property_manager, compound, serving_contract
):
    undispatched = services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="想了解业委会换届选举",
        phone="13900002222",
    )
    client.force_login(property_manager)

    response = client.post(
        reverse("consultations:reveal-phone", args=[undispatched.pk])
    )

    assert response.status_code == 404
    assert not _reveals().exists()


def test_a_resident_representative_cannot_reveal(client, inspector, concern):
    client.force_login(inspector)

    response = client.post(reverse("consultations:reveal-phone", args=[concern.pk]))

    assert response.status_code == 403
    assert FULL not in response.content.decode()
    assert not _reveals().exists()


def test_a_reveal_through_the_service_checks_the_task(inspector, concern):
    with pytest.raises(PermissionDenied):
        services.reveal_phone(concern=concern, actor=inspector)
    assert not _reveals().exists()


def test_a_reveal_redirects_to_the_detail_page_so_a_reload_logs_nothing(
    client, community_staff, concern
):
    client.force_login(community_staff)
    detail = reverse("consultations:staff-detail", args=[concern.pk])

    response = client.post(reverse("consultations:reveal-phone", args=[concern.pk]))
    reloaded = [client.get(detail) for _ in range(3)]

    assert response.status_code == 302
    assert response["Location"] == detail + "#resident"
    for page in reloaded:
        assert FULL in page.content.decode()
    assert _reveals().count() == 1


def test_a_second_tap_within_the_window_logs_nothing(client, community_staff, concern):
    client.force_login(community_staff)
    url = reverse("consultations:reveal-phone", args=[concern.pk])

    client.post(url)
    client.post(url)

    assert _reveals().count() == 1


def test_after_the_window_the_number_is_masked_and_a_reveal_logs_again(
    client, community_staff, concern
):
    client.force_login(community_staff)
    url = reverse("consultations:reveal-phone", args=[concern.pk])
    detail = reverse("consultations:staff-detail", args=[concern.pk])

    with time_machine.travel("2026-06-01 09:00 +0800", tick=False) as traveller:
        client.post(url)
        traveller.shift(services.REVEAL_WINDOW + timedelta(seconds=1))
        masked = client.get(detail).content.decode()
        client.post(url)

    assert MASKED in masked and FULL not in masked
    assert _reveals().count() == 2


def test_a_reveal_shows_only_that_concern_and_only_to_that_login(
    client, community_staff, street_admin, concern, compound
):
    other = services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="楼道灯不亮",
        phone="13900002222",
    )
    client.force_login(community_staff)
    client.post(reverse("consultations:reveal-phone", args=[concern.pk]))

    other_page = client.get(reverse("consultations:staff-detail", args=[other.pk]))
    client.force_login(street_admin)
    colleague = client.get(reverse("consultations:staff-detail", args=[concern.pk]))

    assert "139****2222" in other_page.content.decode()
    assert MASKED in colleague.content.decode()
    assert FULL not in colleague.content.decode()


@pytest.mark.parametrize(
    "phone", ["+8613700001111", "+8619912345678", "+8615000000000", "+8618612340000"]
)
def test_a_mobile_is_masked_as_the_parsed_number_is(phone, monkeypatch):
    import re

    from common import phones

    fast = mask_phone(phone)
    # Without the shortcut the number goes through phonenumbers.
    monkeypatch.setattr(phones, "CN_MOBILE", re.compile(r"(?!)"))

    assert fast == mask_phone(phone)

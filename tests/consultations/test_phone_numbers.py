"""Phone numbers: read as people write them (China by default), stored in
E.164, shown in national format to staff; Open311 never loses a report to
its contact fields."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.phones import format_phone, parse_phone
from consultations.models import Concern
from consultations.services import submit_concern
from tests.clients import PARTNER_KEY

from .factories import category

pytestmark = pytest.mark.django_db

NEW = "/concerns/new/"
OPEN311 = "/open311/v2/requests.json"


@pytest.mark.parametrize(
    "text, e164",
    [
        ("13800138000", "+8613800138000"),
        ("0537-2345678", "+865372345678"),
        ("05372345678", "+865372345678"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("+86-537-2345678", "+865372345678"),
        ("138 0013 8000", "+8613800138000"),
        ("0086 13800138000", "+8613800138000"),
        ("", ""),
    ],
    ids=[
        "mobile",
        "landline-dash",
        "landline",
        "plus86-mobile",
        "plus86-landline",
        "spaces",
        "0086",
        "empty",
    ],
)
def test_parse_phone_gives_e164(text, e164):
    assert parse_phone(text, strict=True) == e164


@pytest.mark.parametrize(
    "text", ["12345", "1380013800", "138001380ab", "call me"], ids=str
)
def test_parse_phone_refuses_what_is_not_a_number(text):
    with pytest.raises(ValidationError) as error:
        parse_phone(text, strict=True)

    assert error.value.code == "phone"
    assert parse_phone(text, strict=False) == ""


@pytest.mark.parametrize(
    "e164, shown",
    [
        ("+8613800138000", "138 0013 8000"),
        ("+865372345678", "0537 234 5678"),
        ("+442079460958", "+44 20 7946 0958"),
        ("ext. 12 of the hotline", "ext. 12 of the hotline"),
        ("", ""),
    ],
)
def test_format_phone_is_national_for_chinese_numbers(e164, shown):
    assert format_phone(e164) == shown


def form_data(compound, phone):
    return {
        "compound": compound.pk,
        "category": category("sanitation").pk,
        "kind": "complaint",
        "description": "楼道灯坏了",
        "phone": phone,
    }


@pytest.mark.parametrize(
    "phone, stored",
    [
        ("0537-2345678", "+865372345678"),
        ("+86 138 0013 8000", "+8613800138000"),
    ],
)
def test_the_form_stores_landlines_and_plus86_numbers_in_e164(
    client, compound, phone, stored
):
    response = client.post(NEW, form_data(compound, phone))

    assert response.status_code == 200
    assert Concern.objects.get().phone == stored


@pytest.mark.parametrize("phone", ["12345", "1380013800a"], ids=["short", "letters"])
def test_the_form_refuses_a_bad_number_in_chinese(client, compound, phone):
    response = client.post(NEW, form_data(compound, phone))

    assert response.status_code == 400
    assert "请填写正确的电话号码" in response.content.decode()
    assert Concern.objects.count() == 0


def test_staff_intake_refuses_a_bad_number(client, compound, grid_secretary):
    client.force_login(grid_secretary)

    response = client.post(
        "/concerns/staff/new/",
        {
            **form_data(compound, "0537-23"),
            "source": "phone",
            "urgency": "normal",
        },
    )

    assert response.status_code == 400
    assert "请填写正确的电话号码" in response.content.decode()
    assert Concern.objects.count() == 0


def test_submit_concern_refuses_a_bad_number_from_the_web(compound):
    with pytest.raises(ValidationError):
        submit_concern(
            compound=compound,
            category=category(),
            description="漏水",
            phone="12345",
        )


def test_staff_see_the_number_masked_then_formatted_with_a_tel_link(
    client, compound, grid_secretary
):
    concern = submit_concern(
        compound=compound,
        category=category(),
        description="漏水",
        phone="0537-2345678",
    )
    client.force_login(grid_secretary)

    masked = client.get(
        reverse("consultations:staff-detail", args=[concern.pk])
    ).content.decode()
    html = client.post(
        reverse("consultations:reveal-phone", args=[concern.pk]), follow=True
    ).content.decode()

    assert "0537***5678" in masked and "tel:" not in masked
    assert 'href="tel:+865372345678"' in html and ">0537 234 5678</a>" in html


def open311_post(client, compound, **changes):
    return client.post(
        OPEN311,
        {
            "api_key": PARTNER_KEY,
            "service_code": "sanitation",
            "attribute[compound]": str(compound.pk),
            "description": "垃圾未清运",
            **changes,
        },
    )


@pytest.mark.parametrize(
    "phone, stored",
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("0537 2345678", "+865372345678"),
        ("12345", "12345"),
        ("ext 8 via   hotline desk 0531-1234", "ext 8 via hotline de"),
    ],
    ids=["international", "landline", "short-as-given", "text-trimmed"],
)
def test_open311_accepts_any_number(client, partner, compound, phone, stored):
    response = open311_post(client, compound, phone=phone)

    assert response.status_code == 200, response.content.decode()
    assert Concern.objects.get().phone == stored


def test_open311_drops_an_invalid_email_instead_of_refusing(client, partner, compound):
    response = open311_post(client, compound, email="not-an-address")

    assert response.status_code == 200, response.content.decode()
    assert Concern.objects.get().email == ""


def test_the_phone_rate_limit_counts_one_number_however_written(
    client, compound, settings
):
    settings.CONCERN_RATE_LIMITS = {"address": "", "phone": "1/86400"}

    first = client.post(NEW, form_data(compound, "13900000000"))
    second = client.post(NEW, form_data(compound, "+86 139-0000-0000"))

    assert first.status_code == 200
    assert second.status_code == 429

import pytest
from django.core.cache import cache
from django.urls import reverse

from consultations.models import Concern

from .factories import category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def post(client, compound, *, phone="", address="10.0.0.1", n=0):
    return client.post(
        reverse("consultations:create"),
        {
            "compound": compound.pk,
            "category": category().pk,
            "kind": "consultation",
            "description": f"第{n}次",
            "phone": phone,
        },
        REMOTE_ADDR=address,
    )


def test_address_limit_refuses_with_429_and_stores_nothing_more(
    client, compound, settings
):
    settings.CONCERN_RATE_LIMITS = {"address": "2/3600", "phone": ""}

    assert post(client, compound, n=1).status_code == 200
    assert post(client, compound, n=2).status_code == 200
    refused = post(client, compound, n=3)

    assert refused.status_code == 429
    assert "稍后" in refused.content.decode()
    assert Concern.objects.count() == 2
    assert post(client, compound, address="10.0.0.2", n=4).status_code == 200


def test_phone_limit_applies_across_addresses(client, compound, settings):
    settings.CONCERN_RATE_LIMITS = {"address": "", "phone": "1/86400"}

    assert (
        post(client, compound, phone="13900000000", address="10.0.0.1").status_code
        == 200
    )
    refused = post(client, compound, phone="139 0000 0000", address="10.0.0.9")

    assert refused.status_code == 429
    assert Concern.objects.count() == 1


def test_limits_come_from_settings(settings):
    from consultations.ratelimit import limits

    settings.CONCERN_RATE_LIMITS = {"address": "7/60"}

    assert limits()["address"] == (7, 60)
    assert limits()["phone"] == (5, 86400)

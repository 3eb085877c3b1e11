"""Partner keys and API tokens in the admin; Open311 concerns in the admin;
the demo partner key."""

import re

import pytest
from django.contrib.messages import get_messages
from rest_framework.authtoken.models import Token

from consultations.models import Concern
from demo import open311 as partners_demo
from open311.models import PartnerApp
from tests.clients import PARTNER_KEY

pytestmark = pytest.mark.django_db


def test_issuing_a_partner_shows_its_key_once_and_stores_a_hash(client, superuser):
    client.force_login(superuser)

    response = client.post(
        "/admin/open311/partnerapp/add/",
        {"name": "网格通", "contact": "", "is_active": "on", "notes": ""},
        follow=True,
    )

    partner = PartnerApp.objects.get(name="网格通")
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    [key] = re.findall(r"\b[0-9a-f]{40}\b", text)
    assert PartnerApp.objects.by_key(key) == partner
    assert key not in partner.key_hash
    assert partner.created_by == superuser


def test_a_request_posted_through_open311_shows_in_the_admin_with_its_partner(
    client, superuser, partner, compound
):
    client.post(
        "/open311/v2/requests.json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "parking",
            "attribute[compound]": str(compound.pk),
            "description": "车辆乱停。",
        },
    )
    concern = Concern.objects.get()
    client.force_login(superuser)

    listing = client.get("/admin/consultations/concern/", {"source__exact": "open311"})
    detail = client.get(f"/admin/consultations/concern/{concern.pk}/change/")
    submissions = client.get("/admin/open311/open311submission/")

    assert concern.formatted_code in listing.content.decode()
    assert "12345热线" in detail.content.decode()
    assert "12345热线" in submissions.content.decode()


def test_api_tokens_are_managed_by_superusers_only(client, street_admin, superuser):
    Token.objects.create(user=street_admin)

    client.force_login(street_admin)
    refused = client.get("/admin/authtoken/tokenproxy/")
    client.force_login(superuser)
    allowed = client.get("/admin/authtoken/tokenproxy/")

    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_the_demo_partner_key_comes_from_the_environment(settings):
    settings.OPEN311_DEMO_API_KEY = "demo-key-from-the-environment-0123456789"

    [login] = partners_demo.load()
    partners_demo.load()

    assert login.password == "demo-key-from-the-environment-0123456789"
    assert PartnerApp.objects.by_key(login.password).name == partners_demo.DEMO_PARTNER
    assert PartnerApp.objects.count() == 1


def test_without_the_environment_the_demo_key_is_random(settings):
    settings.OPEN311_DEMO_API_KEY = ""

    [first] = partners_demo.load()
    [second] = partners_demo.load()

    assert len(first.password) == 40
    assert first.password != second.password
    assert PartnerApp.objects.by_key(first.password) is None
    assert PartnerApp.objects.by_key(second.password) is not None

import pytest
from django.urls import reverse

from consultations.models.concerns import TRACKING_LENGTH

from ..factories import CompoundFactory

pytestmark = pytest.mark.django_db


def test_home_offers_submit_track_and_boards(client, compound):
    response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/concerns/new/"' in page
    assert 'name="code"' in page
    assert reverse("compound-board", args=[compound.pk]) in page


def test_home_finds_a_compound_by_part_of_its_name(client, compound, other_compound):
    response = client.get(reverse("home"), {"q": "水景"})

    page = response.content.decode()
    assert reverse("compound-board", args=[compound.pk]) in page
    assert reverse("compound-board", args=[other_compound.pk]) not in page


def test_home_search_with_no_match_says_so(client, compound):
    response = client.get(reverse("home"), {"q": "不存在的小区"})

    assert response.context["found"] == 0
    assert (
        reverse("compound-board", args=[compound.pk]) not in response.content.decode()
    )


def test_home_search_escapes_what_was_typed(client, compound):
    response = client.get(reverse("home"), {"q": "<script>alert(1)</script>"})

    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_tracking_code_as_typed_leads_to_the_tracking_page(client):
    code = "7KQ4M2XP9HTR"
    assert len(code) == TRACKING_LENGTH

    response = client.get(reverse("home"), {"code": " 7kq4-m2xp 9htr "})

    assert response.status_code == 302
    assert response.url == f"/concerns/track/{code}/"


def test_malformed_tracking_code_gets_an_error_not_a_redirect(client):
    response = client.get(reverse("home"), {"code": "123"})

    assert response.status_code == 200
    assert response.context["code_error"]


def test_home_groups_compounds_by_community(client, compound, other_community):
    elsewhere = CompoundFactory(grid__parent=other_community, name="柳行小区")

    response = client.get(reverse("home"))

    communities = {
        name: [entry.name for entry in entries]
        for name, entries in response.context["communities"].items()
    }
    assert communities == {
        compound.community.name: [compound.name],
        other_community.name: [elsewhere.name],
    }

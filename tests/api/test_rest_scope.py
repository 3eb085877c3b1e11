"""The scope rule through API tokens, and what anonymous callers may read."""

import pytest

from consultations.models import Concern, ConcernEvent
from tests.clients import make_concern, token_client
from tests.factories import CompoundFactory, GridFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def result_ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def concerns(compound, other_compound):
    far = CompoundFactory(grid=GridFactory())
    return make_concern(compound), make_concern(other_compound), make_concern(far)


def test_a_grid_token_lists_only_its_grids_concerns(grid_secretary, concerns):
    mine, neighbours, far = concerns

    found = result_ids(token_client(grid_secretary).get(f"{API}/concerns/"))

    assert found == {mine.pk}


def test_a_community_token_lists_its_communitys_concerns(community_staff, concerns):
    mine, neighbours, far = concerns

    found = result_ids(token_client(community_staff).get(f"{API}/concerns/"))

    assert found == {mine.pk, neighbours.pk}


def test_a_superuser_token_lists_every_concern(superuser, concerns):
    assert len(result_ids(token_client(superuser).get(f"{API}/concerns/"))) == 3


def test_a_token_of_another_street_sees_nothing_here(outsider, concerns):
    mine, neighbours, far = concerns
    client = token_client(outsider)

    assert result_ids(client.get(f"{API}/concerns/")) == set()
    assert client.get(f"{API}/concerns/{mine.pk}/").status_code == 404


def test_a_property_manager_sees_its_companys_compounds(
    property_manager, compound, other_compound
):
    found = result_ids(token_client(property_manager).get(f"{API}/compounds/"))

    assert found == {compound.pk}


def test_a_grid_token_acts_on_its_concern_but_not_on_a_neighbours(
    grid_secretary, concerns
):
    mine, neighbours, far = concerns
    client = token_client(grid_secretary)

    allowed = client.post(f"{API}/concerns/{mine.pk}/accept/", {"note": "受理"})
    refused = client.post(f"{API}/concerns/{neighbours.pk}/accept/", {"note": "受理"})

    assert allowed.status_code == 200
    assert allowed.json()["status"] == "accepted"
    assert refused.status_code == 404
    neighbours.refresh_from_db()
    assert neighbours.status == Concern.Status.SUBMITTED
    assert ConcernEvent.objects.filter(concern=mine, action="accept").exists()


def test_a_grid_token_cannot_take_in_a_concern_outside_its_grid(
    grid_secretary, compound, other_compound
):
    client = token_client(grid_secretary)

    outside = client.post(
        f"{API}/concerns/",
        {"compound": other_compound.pk, "category": "parking", "description": "乱停车"},
        format="json",
    )

    assert outside.status_code == 400
    assert "compound" in outside.json()["fields"]
    assert not Concern.objects.exists()


def test_anonymous_callers_cannot_read_concerns(anon, concerns):
    response = anon.get(f"{API}/concerns/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_anonymous_callers_cannot_write(anon, concerns):
    mine = concerns[0]

    response = anon.post(f"{API}/concerns/{mine.pk}/accept/", {})

    assert response.status_code == 401
    mine.refresh_from_db()
    assert mine.status == Concern.Status.SUBMITTED


def test_anonymous_callers_read_compounds_without_private_fields(anon, compound):
    response = anon.get(f"{API}/compounds/")

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["name"] == compound.name
    assert "households" not in row
    assert "lacks_security" not in row


def test_anonymous_callers_read_the_concern_categories(anon):
    response = anon.get(f"{API}/concern-categories/")

    assert response.status_code == 200
    assert "sanitation" in {row["code"] for row in response.json()}


def test_anonymous_callers_cannot_read_companies(anon, serving_contract):
    assert anon.get(f"{API}/companies/").status_code == 401


def test_anonymous_reads_are_throttled(anon, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "2/minute",
        },
    }

    statuses = [anon.get(f"{API}/concern-categories/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("rate", ["", "  "])
def test_an_empty_rate_switches_that_throttle_off(anon, settings, rate):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": rate,
        },
    }

    statuses = {anon.get(f"{API}/concern-categories/").status_code for _ in range(70)}

    assert statuses == {200}


def test_a_session_login_works_like_a_token(client, grid_secretary, concerns):
    client.force_login(grid_secretary)

    response = client.get(f"{API}/concerns/")

    assert {row["id"] for row in response.json()["results"]} == {concerns[0].pk}


def test_staff_exchange_their_password_for_their_token(anon, grid_secretary):
    response = anon.post(
        f"{API}/auth/token/",
        {"username": "grid_secretary", "password": "pass-word-123"},
    )

    assert response.status_code == 200
    assert response.json()["token"] == grid_secretary.auth_token.key


def test_an_inactive_users_token_is_refused(grid_secretary, concerns):
    client = token_client(grid_secretary)
    grid_secretary.is_active = False
    grid_secretary.save()

    assert client.get(f"{API}/concerns/").status_code == 401


def test_a_property_manager_works_only_its_dispatched_concerns_with_handler_verbs(
    property_manager, serving_contract, superuser
):
    from consultations.services import accept, dispatch

    concern = make_concern(serving_contract.compound)
    accept(concern=concern, actor=superuser)
    dispatch(concern=concern, actor=superuser, to="company")
    client = token_client(property_manager)

    signed = client.post(f"{API}/concerns/{concern.pk}/sign/", {})
    closing = client.post(f"{API}/concerns/{concern.pk}/close/", {})
    intake = client.post(
        f"{API}/concerns/",
        {
            "compound": serving_contract.compound.pk,
            "category": "parking",
            "description": "乱停车",
        },
        format="json",
    )

    assert signed.status_code == 200
    assert closing.status_code == 403
    assert intake.status_code == 403
    concern.refresh_from_db()
    assert concern.status == Concern.Status.SIGNED


def test_a_hidden_description_stays_with_the_staff_who_moderate_it(
    grid_secretary, street_admin, property_manager, compound, serving_contract
):
    from consultations.services import accept, dispatch, hide

    concern = make_concern(compound, description="含有个人信息的原文")
    accept(concern=concern, actor=street_admin)
    dispatch(concern=concern, actor=street_admin, to="company")
    hide(concern=concern, actor=street_admin, note="含个人信息")

    as_grid = token_client(grid_secretary).get(f"{API}/concerns/{concern.pk}/").json()
    as_street = token_client(street_admin).get(f"{API}/concerns/{concern.pk}/").json()
    as_company = (
        token_client(property_manager).get(f"{API}/concerns/{concern.pk}/").json()
    )

    assert as_grid["description"] == "含有个人信息的原文"
    assert as_street["description"] == "含有个人信息的原文"
    assert as_company["description"] == ""

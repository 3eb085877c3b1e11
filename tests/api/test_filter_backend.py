"""The API's filter backend: a request naming none of the view's filters
skips the FilterSet; one that names any is filtered and validated as ever."""

from unittest import mock

import pytest
from django.utils import timezone

from consultations.api import ConcernFilter
from consultations.models import Concern
from tests.clients import make_concern, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/concerns/"


@pytest.fixture
def api(street_admin):
    return token_client(street_admin)


@pytest.fixture
def two(compound, sanitation):
    old, new = make_concern(compound, sanitation), make_concern(compound, sanitation)
    Concern.objects.filter(pk=old.pk).update(
        status=Concern.Status.CLOSED,
        created_at=timezone.make_aware(timezone.datetime(2026, 7, 15, 10)),
    )
    return old, new


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_list_without_filters_builds_no_filterset(api, two):
    with mock.patch.object(ConcernFilter, "__init__", side_effect=AssertionError):
        assert ids(api.get(URL, {"page_size": 10})) == {c.pk for c in two}


def test_a_named_filter_still_filters(api, two):
    old, new = two

    assert ids(api.get(URL, {"status": "closed"})) == {old.pk}
    assert ids(api.get(URL, {"open": "true"})) == {new.pk}


def test_a_range_filter_is_named_by_its_suffixed_parameters(api, two):
    old, new = two

    assert ids(api.get(URL, {"created_before": "2026-08-01"})) == {old.pk}
    assert ids(api.get(URL, {"created_after": "2026-08-01"})) == {new.pk}


def test_a_bad_filter_value_is_still_refused(api, two):
    response = api.get(URL, {"month": "2026-13"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"

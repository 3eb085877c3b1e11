"""Fixtures of the API tests: clients with tokens, concerns, a partner key."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from consultations.models import ConcernCategory
from consultations.partners import issue_partner_key
from consultations.services import submit_concern

PARTNER_KEY = "test-partner-key-0123456789abcdef01234567"


@pytest.fixture(autouse=True)
def _fresh_counters():
    # Throttles and rate limits count in the cache; each test starts at 0.
    cache.clear()
    yield
    cache.clear()


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def sanitation():
    return ConcernCategory.objects.get(code="sanitation")


@pytest.fixture
def parking():
    return ConcernCategory.objects.get(code="parking")


def make_concern(compound, category=None, **kwargs):
    category = category or ConcernCategory.objects.get(code="sanitation")
    kwargs.setdefault("description", "楼道堆放杂物，影响通行。")
    return submit_concern(compound=compound, category=category, **kwargs)


@pytest.fixture
def partner():
    app, _ = issue_partner_key(name="12345热线", raw_key=PARTNER_KEY)
    return app

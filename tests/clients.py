"""Helpers the API, civic and Open311 tests share: token clients, a partner
key and a concern submitted through the one write path."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from consultations.models import ConcernCategory
from consultations.services import submit_concern

PARTNER_KEY = "test-partner-key-0123456789abcdef01234567"


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def make_concern(compound, category=None, **kwargs):
    category = category or ConcernCategory.objects.get(code="sanitation")
    kwargs.setdefault("description", "楼道堆放杂物，影响通行。")
    return submit_concern(compound=compound, category=category, **kwargs)

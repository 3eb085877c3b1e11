"""The concern list's slim rows: the same JSON as the full serializer, the
same masking, only the columns the rows show."""

import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from consultations.api import LIST_COLUMNS, ConcernListSerializer, ConcernSerializer
from consultations.models import Concern
from consultations.services import submit_concern
from tests.clients import make_concern, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/concerns/"


@pytest.fixture
def concerns(compound, community, sanitation, serving_contract):
    plain = make_concern(compound, sanitation, phone="+8613800138000", name="王芳")
    hidden = make_concern(compound, sanitation, description="带电话的原文")
    Concern.objects.filter(pk=hidden.pk).update(
        is_hidden=True, hidden_reason="含个人信息"
    )
    elsewhere = submit_concern(
        compound=None,
        place="东门外的小楼",
        community=community,
        category=sanitation,
        description="路灯不亮。",
    )
    Concern.objects.filter(pk=plain.pk).update(merged_into=elsewhere, extended=True)
    Concern.objects.filter(pk__in=[plain.pk, hidden.pk]).update(
        handler_company=serving_contract.company
    )
    return plain, hidden, elsewhere


@pytest.mark.parametrize(
    "user_fixture", ["street_admin", "community_staff", "property_manager"]
)
def test_the_list_rows_are_the_full_serializers_rows(concerns, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    rows = Concern.objects.visible_to(user).select_related("category")
    http = RequestFactory().get(URL)
    http.user = user

    full = ConcernSerializer(rows, many=True, context={"request": http}).data
    slim = ConcernListSerializer(
        rows.only(*LIST_COLUMNS), many=True, context={"request": http}
    ).data

    assert json.dumps(slim, default=str) == json.dumps(full, default=str)
    assert len(slim) == (2 if user_fixture == "property_manager" else 3)


def test_the_list_masks_phones_and_hides_hidden_text_from_a_company(
    concerns, property_manager
):
    plain, hidden, _elsewhere = concerns

    rows = {
        row["id"]: row
        for row in token_client(property_manager).get(URL).json()["results"]
    }

    assert set(rows) == {plain.pk, hidden.pk}
    assert rows[plain.pk]["phone"] == "138****8000"
    assert rows[hidden.pk]["description"] == ""
    assert rows[hidden.pk]["is_hidden"] is True


def test_the_street_office_reads_the_hidden_text_in_the_list(concerns, street_admin):
    _plain, hidden, _elsewhere = concerns

    rows = {
        row["id"]: row for row in token_client(street_admin).get(URL).json()["results"]
    }

    assert rows[hidden.pk]["description"] == "带电话的原文"


def test_the_list_selects_only_the_columns_its_rows_show(concerns, street_admin):
    api = token_client(street_admin)

    with CaptureQueriesContext(connection) as captured:
        assert api.get(URL).status_code == 200

    listing = next(
        q["sql"] for q in captured if 'FROM "consultations_concern"' in q["sql"]
    )
    columns = listing.split(' FROM "consultations_concern"', 1)[0]
    assert '"consultations_concern"."tracking_code"' in columns
    assert '"consultations_concern"."phone"' in columns
    assert '"consultations_concern"."sign_due_at"' not in columns
    assert '"consultations_concern"."submission_token"' not in columns

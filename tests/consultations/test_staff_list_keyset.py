"""The staff list's keyset pages: a row comparison, the same pages as the OR
form, no row lost or repeated when concerns share a timestamp."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common.keyset import RowsBefore
from consultations import services
from consultations.models import Concern

from .factories import category

pytestmark = pytest.mark.django_db
LIST = reverse("consultations:staff-list")


@pytest.fixture
def tied(compound):
    """Nine concerns, three per timestamp, so pages split inside a tie."""
    concerns = [
        services.submit_concern(
            compound=compound, category=category(), description=f"第{i}条"
        )
        for i in range(9)
    ]
    base = timezone.now().replace(microsecond=0) - timedelta(days=1)
    for i, concern in enumerate(concerns):
        Concern.objects.filter(pk=concern.pk).update(
            created_at=base + timedelta(seconds=i // 3)
        )
    return concerns


def walk(client, size: int) -> tuple[list[int], list[str]]:
    seen, sql = [], []
    url = f"{LIST}?size={size}"
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        seen += [row.pk for row in response.context["rows"]]
        sql += [query["sql"] for query in queries.captured_queries]
        next_url = response.context["next_url"]
        url = LIST + next_url if next_url else ""
    return seen, sql


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_pages_split_inside_a_tie_lose_and_repeat_nothing(
    client, street_admin, tied, size
):
    client.force_login(street_admin)

    seen, _sql = walk(client, size)

    expected = list(
        Concern.objects.filter(pk__in=[c.pk for c in tied])
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected


def test_the_row_comparison_keeps_the_rows_of_the_or_form(tied):
    rows = list(Concern.objects.order_by("-created_at", "-id"))
    for cursor in rows:
        moment, pk = cursor.created_at, cursor.pk
        compared = Concern.objects.filter(
            RowsBefore(("created_at", "id"), (moment, pk))
        )
        ored = Concern.objects.filter(
            Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk)
        )

        assert set(compared.values_list("pk", flat=True)) == set(
            ored.values_list("pk", flat=True)
        )


def test_three_columns_compare_in_order(tied):
    first = Concern.objects.order_by("created_at", "id").first()
    moment = first.created_at + timedelta(seconds=1)

    before = Concern.objects.filter(
        RowsBefore(("created_at", "compound_id", "id"), (moment, first.compound_id, 0))
    )

    assert set(before.values_list("pk", flat=True)) == set(
        Concern.objects.filter(created_at__lt=moment).values_list("pk", flat=True)
    )


def test_values_must_match_the_fields():
    with pytest.raises(ValueError):
        RowsBefore(("created_at", "id"), (timezone.now(),))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the row comparison is PostgreSQL's"
)
def test_on_postgresql_the_cursor_is_one_row_comparison(client, street_admin, tied):
    client.force_login(street_admin)

    _seen, sql = walk(client, 4)

    listed = [s for s in sql if 'FROM "consultations_concern"' in s and "LIMIT" in s]
    keyset = [s for s in listed if '"id") < (' in s]
    assert keyset, listed
    row = '("consultations_concern"."created_at", "consultations_concern"."id") < ('
    assert all(row in s for s in keyset)
    assert not any('"created_at" = ' in s for s in keyset)

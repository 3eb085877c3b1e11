import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from consultations.models import Concern

from .factories import ConcernFactory

pytestmark = pytest.mark.django_db


def queries_for_page(client, size):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/concerns/staff/", {"size": size})
    assert response.status_code == 200
    assert len(response.context["rows"]) == size
    return len(captured)


@pytest.mark.parametrize(
    "user_fixture", ["street_admin", "community_staff", "grid_secretary"]
)
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, compound, serving_contract, request, user_fixture
):
    ConcernFactory.create_batch(
        60, compound=compound, handler_company=serving_contract.company
    )
    client.force_login(request.getfixturevalue(user_fixture))
    # The session's first request also asks whether it owes a second factor.
    client.get("/concerns/staff/")

    small = queries_for_page(client, 5)
    large = queries_for_page(client, 50)

    assert small == large
    # 12, and for a login that passed a second factor django-otp's reading
    # of its device.
    assert large <= 13


def test_the_list_filters_on_the_ancestor_column_not_the_tree(
    client, compound, community, community_staff
):
    ConcernFactory.create_batch(3, compound=compound)
    client.force_login(community_staff)

    with CaptureQueriesContext(connection) as captured:
        client.get("/concerns/staff/")

    listing = [q["sql"] for q in captured if 'FROM "consultations_concern"' in q["sql"]]
    assert listing
    where = listing[0].split(" WHERE ", 1)[1]
    assert f'"consultations_concern"."community_id" = {community.pk}' in where
    assert "lft" not in where


def test_the_list_selects_only_the_columns_its_rows_show(
    client, compound, community_staff
):
    ConcernFactory.create_batch(3, compound=compound, phone="+8613800138000")
    client.force_login(community_staff)

    with CaptureQueriesContext(connection) as captured:
        client.get("/concerns/staff/")

    listing = [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT") and 'FROM "consultations_concern"' in q["sql"]
    ]
    columns = listing[0].split(' FROM "consultations_concern"', 1)[0]
    assert '"consultations_concern"."tracking_code"' in columns
    assert '"consultations_concern"."phone"' not in columns
    assert '"consultations_concern"."name"' not in columns
    # The category comes from the page's own list of categories.
    assert 'JOIN "consultations_concerncategory"' not in listing[0]


def test_the_rows_name_status_source_and_category_in_chinese(
    client, compound, community_staff
):
    concern = ConcernFactory(
        compound=compound,
        status=Concern.Status.ACCEPTED,
        source=Concern.Source.HOTLINE_12345,
    )
    client.force_login(community_staff)

    html = client.get("/concerns/staff/").content.decode()

    row = html.split('id="concern-rows"', 1)[1]
    assert f'<span class="status status-accepted">{_zh(Concern.Status.ACCEPTED)}' in row
    assert _zh(Concern.Source.HOTLINE_12345) in row
    assert concern.category.name in row
    assert f'href="/concerns/staff/{concern.pk}/"' in row


def _zh(choice) -> str:
    with translation.override("zh-hans"):
        label = str(choice.label)
    assert not label.isascii()
    return label

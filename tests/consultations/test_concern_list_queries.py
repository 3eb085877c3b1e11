import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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

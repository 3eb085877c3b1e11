"""The home page's compound directory: built once, served from the cache, and
forgotten when a compound or a community changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compounds import directory
from compounds.models import Compound

from ..factories import CompoundFactory, GridFactory

pytestmark = pytest.mark.django_db
HOME = reverse("home")


def queries_of_home(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_compounds(client, grid):
    CompoundFactory.create_batch(3, grid=grid)
    few = queries_of_home(client)
    CompoundFactory.create_batch(40, grid=grid)
    many = queries_of_home(client)

    assert many == few


def test_a_warm_home_page_reads_no_compound(client, grid):
    CompoundFactory.create_batch(5, grid=grid)
    client.get(HOME)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)

    assert response.status_code == 200
    assert not [q for q in queries if Compound._meta.db_table in q["sql"]]
    for compound in Compound.objects.all():
        assert reverse("compound-board", args=[compound.pk]) in response.text


def test_the_directory_is_ordered_grouped_and_capped(
    grid, other_community, monkeypatch
):
    monkeypatch.setattr(directory, "LIMIT", 3)
    other_grid = GridFactory(parent=other_community)
    CompoundFactory(grid=grid, name="乙小区")
    CompoundFactory(grid=grid, name="甲小区")
    CompoundFactory(grid=other_grid, name="丙小区")
    CompoundFactory(grid=other_grid, name="丁小区")

    found = directory.public_directory()

    expected = list(
        Compound.objects.order_by("community__name", "name").values_list(
            "community__name", "name"
        )[:3]
    )
    assert [(c, e.name) for c, entries in found.items() for e in entries] == expected


def test_a_new_compound_appears_at_once(client, grid):
    CompoundFactory(grid=grid, name="旧小区")
    client.get(HOME)

    new = CompoundFactory(grid=grid, name="新小区")

    assert reverse("compound-board", args=[new.pk]) in client.get(HOME).text


def test_a_renamed_or_deleted_compound_changes_at_once(client, grid):
    kept = CompoundFactory(grid=grid, name="旧名小区")
    gone = CompoundFactory(grid=grid, name="拆除小区")
    client.get(HOME)

    kept.name = "新名小区"
    kept.save()
    gone.delete()
    page = client.get(HOME).text

    assert "新名小区" in page
    assert "旧名小区" not in page
    assert "拆除小区" not in page


def test_a_renamed_community_changes_at_once(client, compound, community):
    client.get(HOME)

    community.name = "新运河社区"
    community.save()

    assert "新运河社区" in client.get(HOME).text

"""The overview's cost: a constant number of queries whatever the size of
the street, and a short-lived cache per unit."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compounds.models import Facility
from jiyang import overview

from ..compounds.factories import CrossAppointmentFactory, FacilityFactory
from ..consultations.factories import ConcernFactory
from ..factories import (
    CommitteeFactory,
    CommunityFactory,
    CompoundFactory,
    GridFactory,
    ServiceContractFactory,
)

pytestmark = pytest.mark.django_db


def grow(street, communities: int, per_grid: int):
    """Communities with two grids each, compounds with a company, a
    committee, facilities, seats and concerns."""
    for _ in range(communities):
        street.refresh_from_db()
        community = CommunityFactory(parent=street)
        for _ in range(2):
            community.refresh_from_db()
            grid = GridFactory(parent=community)
            CrossAppointmentFactory(branch=grid)
            for _ in range(per_grid):
                compound = CompoundFactory(grid=grid)
                ServiceContractFactory(compound=compound)
                CommitteeFactory(compound=compound)
                FacilityFactory(compound=compound, kind=Facility.Kind.ACCESS_CONTROL)
                ConcernFactory(compound=compound)
    street.refresh_from_db()


def queries_of(unit) -> int:
    with CaptureQueriesContext(connection) as captured:
        overview.compute(unit, today=timezone.localdate())
    return len(captured)


def test_queries_stay_the_same_as_the_street_grows(street):
    grow(street, communities=1, per_grid=1)
    small = queries_of(street)
    grow(street, communities=3, per_grid=3)
    assert queries_of(street) == small
    assert small <= 30


def test_page_queries_stay_the_same_as_the_street_grows(client, street_admin, street):
    client.force_login(street_admin)
    grow(street, communities=1, per_grid=1)

    def page_queries():
        overview.forget(street)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/overview/").status_code == 200
        return len(captured)

    small = page_queries()
    grow(street, communities=2, per_grid=2)
    assert page_queries() == small


def test_a_second_look_within_the_minute_reads_the_cache(street, grid):
    CompoundFactory(grid=grid)
    street.refresh_from_db()
    first = overview.figures(street)
    CompoundFactory(grid=grid)

    with CaptureQueriesContext(connection) as captured:
        again = overview.figures(street)
    assert len(captured) == 0
    assert again["compounds"]["total"] == first["compounds"]["total"] == 1


def test_the_figures_expire_within_a_minute(settings, street, grid):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.OVERVIEW_CACHE_SECONDS = 30
    CompoundFactory(grid=grid)
    street.refresh_from_db()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        overview.figures(street)
        CompoundFactory(grid=grid)
        clock.shift(timedelta(seconds=29))
        assert overview.figures(street)["compounds"]["total"] == 1
        clock.shift(timedelta(seconds=2))
        assert overview.figures(street)["compounds"]["total"] == 2


def test_the_figures_expire_in_redis(settings, postgres_and_redis, street, grid):
    settings.OVERVIEW_CACHE_SECONDS = 1
    CompoundFactory(grid=grid)
    street.refresh_from_db()
    overview.figures(street)
    CompoundFactory(grid=grid)
    assert overview.figures(street)["compounds"]["total"] == 1
    time.sleep(1.2)
    assert overview.figures(street)["compounds"]["total"] == 2


def test_forget_drops_the_cached_figures_of_one_unit(street, community, grid):
    CompoundFactory(grid=grid)
    street.refresh_from_db()
    community.refresh_from_db()
    overview.figures(street)
    overview.figures(community)
    CompoundFactory(grid=grid)

    overview.forget(street)

    assert overview.figures(street)["compounds"]["total"] == 2
    assert overview.figures(community)["compounds"]["total"] == 1


def test_each_unit_has_its_own_cache_entry(street, community, grid, other_community):
    CompoundFactory(grid=grid)
    street.refresh_from_db()
    assert overview.figures(other_community)["compounds"]["total"] == 0
    assert overview.figures(street)["compounds"]["total"] == 1


def test_the_cache_lasts_at_most_a_minute_whatever_the_setting(monkeypatch):
    import importlib

    from jiyang import settings as project_settings

    monkeypatch.setenv("OVERVIEW_CACHE_SECONDS", "600")
    reloaded = importlib.reload(project_settings)
    try:
        assert reloaded.OVERVIEW_CACHE_SECONDS == 60
    finally:
        monkeypatch.delenv("OVERVIEW_CACHE_SECONDS")
        importlib.reload(project_settings)


def test_the_rendered_figures_do_not_outlive_the_figures(
    client, street_admin, street, grid
):
    client.force_login(street_admin)
    CompoundFactory(grid=grid)
    street.refresh_from_db()

    def compounds_shown():
        body = client.get("/overview/").content.decode()
        return re.search(r'data-figure="compounds"[^>]*><b>(\d+)</b>', body).group(1)

    assert compounds_shown() == "1"
    CompoundFactory(grid=grid)
    assert compounds_shown() == "1"  # both cached
    overview.forget(street)
    assert compounds_shown() == "2"

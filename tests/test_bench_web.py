"""The web benchmark's instruments: the city builder at a tiny scale (counts
and a consistent tree), the bare baseline's views, and the reading of wrk's
report. Nothing here is timed."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.city import (
    COMMUNITY_USER,
    STREET_USER,
    CityScale,
    build_city,
)
from bench.web import parse_wrk
from compounds.models import Compound
from consultations.models import Concern, ConcernEvent
from org.models import OrgUnit, User

from .conftest import need

TINY = CityScale(
    streets=2,
    communities_per_street=3,
    grids_per_community=2,
    compounds=30,
    companies=4,
    concerns=600,
)


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def indexes_before(db_on_postgresql):
    return {
        t: _indexes(t) for t in ("consultations_concern", "consultations_concernevent")
    }


@pytest.fixture
def city(db_on_postgresql, indexes_before):
    return build_city(TINY)


def test_the_tables_keep_every_index_after_the_bulk_load(city, indexes_before):
    for table, before in indexes_before.items():
        assert len(before) > 1
        assert _indexes(table) == before


@pytest.fixture
def db_on_postgresql(transactional_db):
    # VACUUM ANALYZE runs outside a transaction: a transactional test.
    need(connection.vendor == "postgresql", "DATABASE_URL must point at PostgreSQL")


def _mismatches(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_the_city_has_the_units_compounds_and_concerns_of_its_scale(city):
    assert OrgUnit.objects.streets().count() == 2
    assert OrgUnit.objects.communities().count() == 6
    assert OrgUnit.objects.grids().count() == 12
    assert Compound.objects.count() == 30
    assert Concern.objects.count() == 600
    # The submission of each, and a dispatch for most of the dispatched.
    dispatched = Concern.objects.filter(dispatched_at__isnull=False).count()
    events = ConcernEvent.objects.count()
    assert 600 < events <= 600 + dispatched
    assert ConcernEvent.objects.filter(action="submit").count() == 600
    assert set(city["seconds"]) >= {"tree", "concerns", "events", "total"}


def test_the_tree_holds_every_unit_under_its_street(city):
    for street in OrgUnit.objects.streets():
        subtree = OrgUnit.objects.subtree_of(street)
        assert subtree.count() == 1 + 3 + 3 * 2
        assert subtree.grids().count() == 6
    for grid in OrgUnit.objects.grids().select_related("parent"):
        assert grid.parent.kind == OrgUnit.Kind.COMMUNITY
        assert OrgUnit.objects.subtree_of(grid.parent.parent).filter(pk=grid.pk)


def test_compounds_and_concerns_carry_the_ids_of_their_place(city):
    assert not _mismatches(
        "SELECT count(*) FROM compounds_compound c JOIN org_orgunit g "
        "ON g.id = c.grid_id JOIN org_orgunit m ON m.id = g.parent_id "
        "WHERE c.community_id <> m.id OR c.street_id <> m.parent_id"
    )
    assert not _mismatches(
        "SELECT count(*) FROM consultations_concern k JOIN compounds_compound c "
        "ON c.id = k.compound_id WHERE k.street_id <> c.street_id "
        "OR k.community_id <> c.community_id OR k.grid_id <> c.grid_id"
    )
    oldest = Concern.objects.order_by("created_at").first().created_at
    assert oldest > timezone.now() - timedelta(days=366)
    # Every compound gets its share.
    assert not Compound.objects.filter(concerns__isnull=True).exists()


def test_the_bench_logins_sign_in_with_their_own_password(city):
    community_users = User.objects.filter(username__startswith=COMMUNITY_USER)
    street_users = User.objects.filter(username__startswith=STREET_USER)
    assert community_users.count() == street_users.count() == 16
    for user in [*community_users, *street_users]:
        assert user.check_password("bench-pass-word-2026")
        assert not user.must_change_password
        assert user.person.posts.filter(unit=user.person.unit).exists()
    assert {u.person.unit.kind for u in community_users} == {"community"}
    assert {u.person.unit.kind for u in street_users} == {"street"}
    # The street office passes the second factor; the bench holds its key.
    devices = TOTPDevice.objects.filter(confirmed=True)
    assert set(devices.values_list("user__username", flat=True)) == set(
        street_users.values_list("username", flat=True)
    )
    assert city["totp_keys"].keys() == set(
        street_users.values_list("username", flat=True)
    )


def _bare_probe(requests: list[dict]) -> dict:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or 'postgres'}"
        f"{':' + db['PASSWORD'] if db['PASSWORD'] else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.bare.settings",
        "SECRET_KEY": "test-only",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.probe", "--inside", json.dumps(requests)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    return json.loads(line[6:])


def test_the_bare_views_answer_on_the_same_tables(city):
    community = OrgUnit.objects.communities().order_by("pk").first()
    compound = Compound.objects.filter(community=community).first()
    before = Concern.objects.count()
    newest = Concern.objects.filter(community=community).order_by("-created_at", "-id")[
        10
    ]
    after = f"{newest.created_at.timestamp():.6f}_{newest.pk}"
    found = _bare_probe(
        [
            {"name": "form", "method": "GET", "path": "/form/"},
            {
                "name": "post",
                "method": "POST",
                "path": "/form/",
                "data": {
                    "compound": compound.pk,
                    "category": Concern.objects.first().category_id,
                    "description": "基准测试提交",
                },
            },
            {
                "name": "list",
                "method": "GET",
                "path": "/list/",
                "data": {"community": community.pk},
            },
            {
                "name": "deep",
                "method": "GET",
                "path": "/list/",
                "data": {"community": community.pk, "before": after},
            },
            {"name": "bad", "method": "GET", "path": "/list/", "data": {"x": 1}},
            {"name": "page", "method": "GET", "path": "/page/"},
        ]
    )
    assert found["form"]["status"] == 200
    # The probe posts twice (a warm-up and the measured one): one INSERT each.
    assert found["post"]["status"] == 200
    assert found["post"]["queries"] == 1
    assert Concern.objects.count() == before + 2
    stored = Concern.objects.filter(description="基准测试提交")
    assert {(c.street_id, c.community_id, c.grid_id) for c in stored} == {
        (compound.street_id, compound.community_id, compound.grid_id)
    }
    rows = found["list"]["rows"]
    in_community = Concern.objects.filter(community=community).count()
    assert len(rows) == min(50, in_community)
    assert {row[1] for row in rows} == {community.pk}
    assert found["list"]["queries"] == 1
    ordered = list(
        Concern.objects.filter(community=community)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    deep = found["deep"]["rows"]
    assert [row[3] for row in deep] == ordered[ordered.index(newest.pk) + 1 :][:50]
    assert found["bad"]["status"] == 400
    assert found["page"]["status"] == 200


WRK_REPORT = """Running 10s test @ http://127.0.0.1:40001/concerns/new/
  16 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  80.00ms   90.00%
    Req/Sec    82.00     10.00   100.00     70.00%
  Latency Distribution
     50%   11.50ms
     75%   13.00ms
     90%   15.00ms
     99%    1.20s
  13120 requests in 10.01s, 60.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1310.69
Transfer/sec:      6.00MB
"""


def test_wrk_report_gives_rate_latencies_and_failed_answers():
    result = parse_wrk(WRK_REPORT)
    assert result == {
        "requests": 13120,
        "rps": 1310.69,
        "p50_ms": 11.5,
        "p99_ms": 1200.0,
        "bad": 7,
    }

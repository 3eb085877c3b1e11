"""Benchmark the street overview (/overview/) on a city-sized street.

Run `make bench-overview` or `python -m bench.overview --help`. Builds the
synthetic city of `bench.scoring` (streets, communities, grids, companies,
compounds, contracts, a quarter of inspections, its concerns and visit
reports) in a scratch PostgreSQL database, adds concerns over the last
twelve months up to `--concerns` in all, a committee, building heads and
facilities for part of the compounds and cross-appointment seats, then asks
for the overview of one street as its street office through the test
client: cold (the cache emptied before each request) and warm (the figures
cached). Prints p50 and p99 of each, and the queries of a request. The
scratch database is dropped at the end unless --keep.
"""

import argparse
import json
import os
import sys
import time
from statistics import median, quantiles

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compounds.models import BuildingHead, Committee, Compound, Facility
from consultations.models import Concern, ConcernCategory
from org.models import CrossAppointment, OrgUnit, Person, Post, User
from org.scope import user_scope

from . import scoring
from .scratch import (
    BenchError,
    check_inside_bench_database,
    child_env,
    default_bench_url,
    drop_database,
    fill_rest,
    recreate_database,
    run_child,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = scoring.city_parser(
        "python -m bench.overview",
        "Time the street overview cold and warm on synthetic data "
        "in a scratch PostgreSQL database.",
        "bench_jiyang_overview",
    )
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument("--cold", type=int, default=30, help="cold requests")
    parser.add_argument("--warm", type=int, default=200, help="warm requests")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    opts = vars(parse_args(argv))
    if opts["inside"]:
        print("BENCH " + json.dumps(run_inside(opts)))
        return
    url = opts["database_url"] or default_bench_url("bench_jiyang_overview")
    recreate_database(url)
    print(f"{opts['compounds']} compounds: generating and timing …", file=sys.stderr)
    # As in production (DEBUG off), without a second factor to pass; the
    # cache of one process (local memory, REDIS_URL left out): what is timed
    # is the page, not the network to Redis.
    env = child_env(
        url,
        OTP_REQUIRED="0",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only",
    )
    args = [
        f"--{name}={opts[name]}"
        for name in ("compounds", "concerns", "streets", "companies", "cold", "warm")
    ]
    try:
        result = run_child("bench.overview", args, env)
    finally:
        if not opts["keep"]:
            drop_database(url)
    report(result)


def report(r: dict) -> None:
    print(
        f"{r['compounds']} compounds, {r['concerns']} concerns, "
        f"{r['street_compounds']} compounds and {r['street_concerns']} concerns "
        "in the street asked for"
    )
    print("page                  requests  p50 ms  p99 ms  max ms  queries")
    for name in ("street_cold", "street_warm", "community_cold", "community_warm"):
        t = r[name]
        print(
            f"{name:<20}  {t['n']:>8}  {t['p50']:>6.1f}  {t['p99']:>6.1f}  "
            f"{t['max']:>6.1f}  {t['queries']:>7}"
        )
    print(
        "cold = the cache emptied before each request (every figure computed); "
        "warm = the figures from the cache; through Django's test client, "
        "with the session, the scope and the template."
    )


# Inside the scratch database -------------------------------------------------


def run_inside(opts: dict) -> dict:
    check_inside_bench_database()
    call_command("migrate", verbosity=0)
    # The scoring benchmark's city, with two scheme items: the overview
    # reads inspections, not their item rows.
    scoring.generate(opts["compounds"], 2, opts["companies"], opts["streets"])
    with connection.cursor() as cursor:
        add_city(cursor, opts["compounds"], opts["concerns"])
        cursor.execute("ANALYZE")
    return measure(opts["cold"], opts["warm"])


def add_city(cursor, n_compounds: int, n_concerns: int) -> None:
    """Concerns over the last twelve months (up to `n_concerns` in all),
    committees, building heads, facilities and cross-appointment seats."""
    q = connection.ops.quote_name
    t_compound = q(Compound._meta.db_table)
    have = Concern.objects.count()
    per_compound = max(0, (n_concerns - have) // max(n_compounds, 1))
    category = ConcernCategory.objects.get(code="bench")
    cols, vals = fill_rest(
        Concern,
        {
            "tracking_code": "'BY' || lpad(row_number() OVER ()::text, 12, '0')",
            "compound_id": "c.id",
            "street_id": "c.street_id",
            "community_id": "c.community_id",
            "grid_id": "c.grid_id",
            "category_id": str(category.pk),
            "kind": "'complaint'",
            "source": "CASE WHEN random() < 0.05 THEN 'tea_table' ELSE 'web' END",
            "urgency": "'normal'",
            "description": "'楼道堆放杂物'",
            "status": "CASE WHEN k.r < 0.03 THEN 'dispatched' "
            "WHEN k.r < 0.04 THEN 'in_progress' ELSE 'closed' END",
            "created_at": "k.created",
            "updated_at": "now()",
            "due_at": "k.created + interval '7 days'",
            "sign_due_at": "k.created + interval '1 day'",
            "dispatched_at": "k.created + interval '1 hour'",
            "signed_at": "k.created + CASE WHEN k.r < 0.1 THEN interval '2 days' "
            "ELSE interval '3 hours' END",
            "is_resolved": "CASE WHEN k.r >= 0.04 AND k.r < 0.7 THEN k.r < 0.62 END",
            "rating": "CASE WHEN k.r >= 0.04 AND k.r < 0.7 THEN CASE WHEN "
            "k.r < 0.5 THEN 'satisfied' WHEN k.r < 0.6 THEN 'basic' ELSE "
            "'dissatisfied' END ELSE '' END",
            "rating_round": "CASE WHEN k.r >= 0.04 AND k.r < 0.7 THEN 1 ELSE 0 END",
            "closed_at": "CASE WHEN k.r >= 0.04 THEN k.created + interval '5 days' END",
        },
    )
    cursor.execute(
        f"INSERT INTO {q(Concern._meta.db_table)} ({cols}) SELECT {vals} "
        f"FROM {t_compound} c CROSS JOIN LATERAL (SELECT n, random() AS r, "
        "now() - random() * interval '365 days' AS created "
        "FROM generate_series(1, %s) n WHERE c.id > 0) k",
        [per_compound],
    )
    # Committees for two compounds in five, a building head for one in ten,
    # access control for nine in ten and a charging pile group for one in
    # four; each grid's community seat.
    cols, vals = fill_rest(
        Committee,
        {
            "compound_id": "c.id",
            "kind": "CASE WHEN c.id % 5 = 0 THEN 'self' ELSE 'owners' END",
            "name": "'业委会' || c.id",
            "established": "DATE '2022-01-01'",
            "term_start": "DATE '2022-01-01'",
            "term_end": "CURRENT_DATE + (c.id % 700) * interval '1 day'",
        },
    )
    cursor.execute(
        f"INSERT INTO {q(Committee._meta.db_table)} ({cols}) SELECT {vals} "
        f"FROM {t_compound} c WHERE c.id % 5 IN (0, 1)"
    )
    person = Person.objects.create(
        name="楼长", unit=OrgUnit.objects.streets().order_by("pk").first()
    )
    cursor.execute(
        f"INSERT INTO {q(BuildingHead._meta.db_table)} "
        '(compound_id, building, person_id, start, "end") '
        f"SELECT c.id, '1号楼', %s, NULL, NULL FROM {t_compound} c "
        "WHERE c.id %% 10 = 3",
        [person.pk],
    )
    cols, vals = fill_rest(
        Facility,
        {
            "kind": "f.kind",
            "compound_id": "c.id",
            "street_id": "c.street_id",
            "community_id": "c.community_id",
            "grid_id": "c.grid_id",
            "count": "f.n",
        },
    )
    cursor.execute(
        f"INSERT INTO {q(Facility._meta.db_table)} ({cols}) SELECT {vals} "
        f"FROM {t_compound} c JOIN (VALUES ('access_control', 1, 10, 9), "
        "('ev_charger', 2, 4, 1)) f(kind, n, modulo, below) "
        "ON c.id % f.modulo < f.below"
    )
    cols, vals = fill_rest(
        CrossAppointment,
        {
            "branch_id": "g.id",
            "seat": "'community'",
            "person_id": str(person.pk),
            "source_organisation": "'社区党委'",
        },
    )
    cursor.execute(
        f"INSERT INTO {q(CrossAppointment._meta.db_table)} ({cols}) "
        f"SELECT {vals} FROM {q(OrgUnit._meta.db_table)} g WHERE g.kind = 'grid'"
    )


def _stats(times: list[float], queries: int) -> dict:
    cuts = quantiles(times, n=100, method="inclusive") if len(times) > 1 else times
    return {
        "n": len(times),
        "p50": median(times),
        "p99": cuts[98] if len(cuts) > 98 else max(times),
        "max": max(times),
        "queries": queries,
    }


def _time(client: Client, url: str, n: int, *, cold: bool) -> dict:
    times = []
    queries = 0
    for i in range(n + 1):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code}")
        if i:  # the first request warms the connection and the templates
            times.append(elapsed)
            queries = len(captured)
    return _stats(times, queries)


def measure(n_cold: int, n_warm: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    street = OrgUnit.objects.streets().order_by("pk").first()
    community = OrgUnit.objects.communities().filter(parent=street).first()
    person = Person.objects.create(name="街道物业办", unit=street)
    Post.objects.create(person=person, unit=street, role=Post.Role.FULL_TIME_STAFF)
    user = User.objects.create_user(username="bench_street", person=person)
    assert user_scope(user).staff_units
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    street_url = "/overview/"
    community_url = f"/overview/?unit={community.pk}"
    return {
        "compounds": Compound.objects.count(),
        "concerns": Concern.objects.count(),
        "street_compounds": Compound.objects.filter(street=street).count(),
        "street_concerns": Concern.objects.filter(street=street).count(),
        "street_cold": _time(client, street_url, n_cold, cold=True),
        "street_warm": _time(client, street_url, n_warm, cold=False),
        "community_cold": _time(client, community_url, n_cold, cold=True),
        "community_warm": _time(client, community_url, n_warm, cold=False),
    }


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(str(error))

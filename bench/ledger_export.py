"""Benchmark a large concern export on PostgreSQL: time and memory.

Run `make bench-export` or `python -m bench.ledger_export --help`. In a
scratch database (default `bench_jiyang_exports` next to the configured
one; dropped at the end unless --keep) it builds one street of 10
communities, 50 grids and 1,000 compounds, then --concerns concerns with
an event for one concern in four, set-based (INSERT … SELECT over
generate_series, as bench/scoring.py does). Each size of --sizes is then
exported in a process of its own through the worker's path
(`org.exports.run_export_job`: the stored query, the streamed sheets, the
write-only workbook on disk), and the benchmark prints the seconds, the
file size, the process's peak RSS above its start and, on a second run
apart from the timing (tracing slows Python down several times over), the
peak Python memory (tracemalloc; sizes up to --trace-up-to). Flat memory means the same peaks for
100,000 and 1,000,000 concerns.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from compounds.models import Compound
from consultations.models import Concern, ConcernCategory, ConcernEvent
from org.models import OrgUnit, User

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

COMMUNITIES = 10
GRIDS_PER_COMMUNITY = 5
COMPOUNDS = 1_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger_export",
        description="Time a large concern export and show its memory stays flat.",
    )
    parser.add_argument("--database-url")
    parser.add_argument("--concerns", type=int, default=1_000_000)
    parser.add_argument(
        "--sizes",
        default="100000,1000000",
        help="comma-separated numbers of concerns to export, each in a process",
    )
    parser.add_argument(
        "--trace-up-to",
        type=int,
        default=200_000,
        help="run tracemalloc (slow) only for sizes up to this (0: none)",
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--inside", action="store_true", help="(internal)")
    parser.add_argument("--build", action="store_true", help="(internal)")
    parser.add_argument("--export", type=int, help="(internal)")
    parser.add_argument("--trace", action="store_true", help="(internal)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    opts = parse_args(argv)
    if opts.build:
        print("BENCH " + json.dumps(build(opts.concerns)))
        return
    if opts.export:
        print("BENCH " + json.dumps(export(opts.export, trace=opts.trace)))
        return
    sizes = [int(size) for size in opts.sizes.split(",") if size.strip()]
    if max(sizes) > opts.concerns:
        raise BenchError("--sizes may not exceed --concerns.")
    url = opts.database_url or default_bench_url("bench_jiyang_exports")
    recreate_database(url)
    try:
        built = _child(url, ["--build", f"--concerns={opts.concerns}"])
        print(
            f"built {built['concerns']:,} concerns and {built['events']:,} events "
            f"in {built['seconds']:.0f} s"
        )
        print(
            "concerns    seconds  rows/s   file MiB  peak RSS MiB (+ over start)"
            "  peak py MiB"
        )
        for size in sizes:
            timed = _child(url, [f"--export={size}"])
            traced = (
                _child(url, [f"--export={size}", "--trace"])
                if size <= opts.trace_up_to
                else None
            )
            peak = f"{traced['peak_py_mib']:>11.1f}" if traced else "          -"
            print(
                f"{size:>9,}  {timed['seconds']:>8.1f}  {size / timed['seconds']:>6,.0f}"
                f"  {timed['file_mib']:>8.1f}  {timed['maxrss_mib']:>6.0f} "
                f"(+{timed['maxrss_mib'] - timed['start_rss_mib']:.0f})"
                f"{'':>14}{peak}"
            )
    finally:
        if not opts.keep:
            drop_database(url)


def _child(url: str, args: list[str]) -> dict:
    # In-process Celery and a local cache: the worker's code, without one.
    return run_child("bench.ledger_export", args, child_env(url))


def build(concerns: int) -> dict:
    check_inside_bench_database()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    street = OrgUnit.objects.create(kind="street", name="基准街道", code="370811098")
    for c in range(COMMUNITIES):
        community = OrgUnit.objects.create(
            kind="community", name=f"基准第{c}社区", parent=street
        )
        for g in range(GRIDS_PER_COMMUNITY):
            OrgUnit.objects.create(
                kind="grid", name=f"基准第{c}社区第{g}网格", parent=community
            )
    User.objects.create_superuser("bench", password="bench-bench-1")
    category = ConcernCategory.objects.create(
        code="bench", name="物业服务", sla_working_days=5
    )
    q = connection.ops.quote_name
    t_compound = q(Compound._meta.db_table)
    t_concern = q(Concern._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE g AS SELECT row_number() OVER (ORDER BY g.id) - 1 "
            "AS rn, g.id, g.parent_id AS community_id, c.parent_id AS street_id "
            "FROM org_orgunit g JOIN org_orgunit c ON c.id = g.parent_id "
            "WHERE g.kind = 'grid'"
        )
        cols, vals = fill_rest(
            Compound,
            {
                "name": "'基准小区' || i",
                "grid_id": "g.id",
                "community_id": "g.community_id",
                "street_id": "g.street_id",
                "households": "50 + i %% 950",
                "buildings": "1 + i %% 20",
                "service_grade": "3",
                "kind": "'commercial'",
                "management_mode": "'company'",
            },
        )
        cursor.execute(
            f"INSERT INTO {t_compound} ({cols}) SELECT {vals} "
            "FROM generate_series(0, %s - 1) i "
            "JOIN g ON g.rn = i %% (SELECT count(*) FROM g)",
            [COMPOUNDS],
        )
        cursor.execute(
            "CREATE TEMP TABLE cc AS SELECT row_number() OVER (ORDER BY id) - 1 "
            f"AS rn, id, street_id, community_id, grid_id FROM {t_compound}"
        )
        cols, vals = fill_rest(
            Concern,
            {
                "tracking_code": "'BX' || lpad(i::text, 12, '0')",
                "compound_id": "cc.id",
                "street_id": "cc.street_id",
                "community_id": "cc.community_id",
                "grid_id": "cc.grid_id",
                "category_id": str(category.pk),
                "kind": "'complaint'",
                "source": "'web'",
                "urgency": "'normal'",
                "description": "'楼道灯坏了，晚上看不清台阶，老人上下楼不方便。第' || i || '件'",
                "name": "'居民' || i %% 1000",
                "phone": "'+86137' || lpad((i %% 100000000)::text, 8, '0')",
                "status": "CASE WHEN i %% 10 = 0 THEN 'dispatched' ELSE 'closed' END",
                "created_at": "TIMESTAMPTZ '2024-01-01 08:00+08' "
                "+ i * interval '20 seconds'",
                "updated_at": "now()",
                "due_at": "TIMESTAMPTZ '2024-01-08 17:30+08' "
                "+ i * interval '20 seconds'",
                "responded_at": "TIMESTAMPTZ '2024-01-03 10:00+08' "
                "+ i * interval '20 seconds'",
                "response": "'已更换灯泡'",
            },
        )
        cursor.execute(
            f"INSERT INTO {t_concern} ({cols}) SELECT {vals} "
            "FROM generate_series(1, %s) i "
            f"JOIN cc ON cc.rn = i %% {COMPOUNDS}",
            [concerns],
        )
        cols, vals = fill_rest(
            ConcernEvent,
            {
                "concern_id": "k.id",
                # An event is placed where its concern is.
                "street_id": "k.street_id",
                "community_id": "k.community_id",
                "grid_id": "k.grid_id",
                "action": "'respond'",
                "from_status": "'in_progress'",
                "to_status": "'responded'",
                "note": "'已更换灯泡'",
                "created_at": "k.responded_at",
            },
        )
        cursor.execute(
            f"INSERT INTO {q(ConcernEvent._meta.db_table)} ({cols}) "
            f"SELECT {vals} FROM {t_concern} k WHERE k.id % 4 = 0"
        )
        cursor.execute("ANALYZE")
    return {
        "concerns": Concern.objects.count(),
        "events": ConcernEvent.objects.count(),
        "seconds": time.perf_counter() - started,
    }


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(size: int, *, trace: bool) -> dict:
    """Export the first `size` concerns as the worker does; its figures."""
    from org.downloads import queue_export_job
    from org.exports import ledger_named
    from org.models import LedgerJob

    check_inside_bench_database()
    user = User.objects.get(username="bench")
    last = Concern.objects.order_by("pk").values_list("pk", flat=True)[size - 1]
    rows = Concern.objects.visible_to(user).filter(pk__lte=last)
    with tempfile.TemporaryDirectory() as folder:
        settings.LEDGER_JOB_DIR = folder
        start_rss = _rss_mib()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        # Celery is in-process here: the job runs as the queueing commits.
        job = queue_export_job(
            user=user,
            ledger=ledger_named("concerns"),
            queryset=rows,
            filename="bench.xlsx",
            total=size,
        )
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        job.refresh_from_db()
        if job.state != LedgerJob.State.DONE or job.rows_done != size:
            raise BenchError(f"export {job.state}: {job.rows_done} rows, {job.error}")
        file_mib = os.path.getsize(job.result.path) / 2**20
    return {
        "seconds": seconds,
        "file_mib": file_mib,
        "start_rss_mib": start_rss,
        "maxrss_mib": _rss_mib(),
        "peak_py_mib": peak / 2**20,
    }


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(str(error))

"""Benchmark the compounds ledger import on PostgreSQL.

Run `make bench-ledger` or `python -m bench.ledger_import --help`. In a
scratch database (default `bench_jiyang_ledgers` next to the configured
one; dropped at the end unless --keep) it builds one street with its
communities and grids, writes a compound workbook of --rows rows (in a
temporary file), then times the dry run (validate every row) and the
import, and prints the seconds and the peak Python memory of each
(tracemalloc) with the process's peak RSS. A second run of the import on
the same file shows the re-import (every row unchanged).
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc

from django.core.management import call_command
from openpyxl import Workbook

from compounds.ledgers import LEDGERS, import_ledger
from compounds.models import Compound
from org.models import OrgUnit, User

from .scratch import (
    BenchError,
    check_inside_bench_database,
    child_env,
    default_bench_url,
    drop_database,
    recreate_database,
    run_child,
)

COMMUNITIES = 10
GRIDS_PER_COMMUNITY = 5


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger_import",
        description="Time the dry run and the import of a compound workbook.",
    )
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--inside", action="store_true", help="(internal)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    opts = parse_args(argv)
    if opts.inside:
        print("BENCH " + json.dumps(run_inside(opts.rows)))
        return
    url = opts.database_url or _ledger_bench_url()
    recreate_database(url)
    try:
        result = run_child(
            "bench.ledger_import", [f"--rows={opts.rows}"], child_env(url)
        )
    finally:
        if not opts.keep:
            drop_database(url)
    report(result)


def _ledger_bench_url() -> str:
    return default_bench_url("bench_jiyang_ledgers")


def report(r: dict) -> None:
    print(f"compound workbook: {r['rows']:,} rows, {r['file_kib']:,.0f} KiB")
    print("step                 seconds  peak py MiB (dry run)  outcome")
    for step in ("dry_run", "import", "reimport"):
        s = r[step]
        print(
            f"{step:<19}  {s['seconds']:>7.2f}  {s['peak_mib']:>21.1f}  {s['outcome']}"
        )
    print(f"peak RSS of the process: {r['maxrss_mib']:.0f} MiB")


def run_inside(rows: int) -> dict:
    check_inside_bench_database()
    call_command("migrate", verbosity=0)
    grids = build_street()
    user = User.objects.create_superuser("bench", password="bench-bench-1")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_workbook(handle.name, rows, grids)
        size = os.path.getsize(handle.name)
        result = {"rows": rows, "file_kib": size / 1024}
        for step, apply in (("dry_run", False), ("import", True), ("reimport", True)):
            with open(handle.name, "rb") as upload:
                result[step] = timed(upload, user, apply)
    if Compound.objects.count() != rows:
        raise BenchError(f"Imported {Compound.objects.count()} of {rows} rows.")
    result["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def build_street() -> list[OrgUnit]:
    street = OrgUnit.objects.create(
        kind=OrgUnit.Kind.STREET, name="基准街道", code="370811099"
    )
    grids = []
    for c in range(1, COMMUNITIES + 1):
        community = OrgUnit.objects.create(
            kind=OrgUnit.Kind.COMMUNITY,
            name=f"基准第{c}社区",
            code=f"{street.code}{c:03d}",
            parent=street,
        )
        for g in range(1, GRIDS_PER_COMMUNITY + 1):
            grids.append(
                OrgUnit.objects.create(
                    kind=OrgUnit.Kind.GRID,
                    name=f"基准第{c}社区第{g}网格",
                    code=f"{community.code}{g:03d}",
                    parent=community,
                )
            )
    return grids


def write_workbook(path: str, rows: int, grids: list[OrgUnit]) -> None:
    ledger = LEDGERS["compounds"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(ledger.headers))
    for n in range(rows):
        grid = grids[n % len(grids)]
        sheet.append(
            [
                f"基准小区{n:05d}",
                grid.parent.name,
                grid.name,
                "老旧小区" if n % 3 else "商品房小区",
                "物业公司",
                100 + n % 900,
                1 + n % 30,
                1980 + n % 40,
                1 + n % 3,
                f"基准路{n}号",
                "否",
                "否",
                "否",
                "",
            ]
        )
    book.save(path)


def timed(upload, user, apply: bool) -> dict:
    started = time.perf_counter()
    report = import_ledger(LEDGERS["compounds"], upload, user=user, apply=apply)
    seconds = time.perf_counter() - started
    # tracemalloc slows Python down several times over: the memory is
    # measured on a second dry run, apart from the timing.
    upload.seek(0)
    tracemalloc.start()
    import_ledger(LEDGERS["compounds"], upload, user=user, apply=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if not report.ok:
        raise BenchError(f"{report.file_error} {report.problems[:3]}")
    outcome = (
        f"{report.count('create')} create, {report.count('update')} update, "
        f"{report.count('unchanged')} unchanged"
    )
    return {"seconds": seconds, "peak_mib": peak / 2**20, "outcome": outcome}


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(str(error))

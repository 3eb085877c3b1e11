"""Benchmark the scoring jobs against hand-written SQL on PostgreSQL.

Run `make bench` or `python -m bench.scoring --help`. Creates a scratch
database (default `bench_jiyang` on the server of the
configured PostgreSQL database, or the one given by --database-url), fills
it with synthetic data by set-based SQL, then, for each size, times
`score_month` and `rank_quarter` and the same results computed by
hand-written SQL into look-alike tables, checks both give the same numbers
and prints the ratios and the peak Python memory of the jobs. Real data is
never touched: each size runs in a child process pointed at the scratch
database, which is dropped at the end unless --keep.
"""

import argparse
import json
import resource
import sys
import time
import tracemalloc
from datetime import date
from statistics import median

from django.core.management import call_command
from django.db import connection, transaction

from assessments.default_scheme import DEFAULT_QUARTER_TERMS
from assessments.models import (
    AssessmentScheme,
    Inspection,
    InspectionItemResult,
    PrizeTier,
    SchemeCategory,
    SchemeItem,
    VetoRule,
)
from assessments.services.scoring import rank_quarter, score_month
from civic.models import VisitReport
from common.periods import Quarter, local_midnight
from compounds.models import Compound, PropertyCompany, ServiceContract
from consultations.models import Concern, ConcernCategory, ConcernEvent
from org.models import OrgUnit

from .scratch import (
    BenchError,
    add_database_argument,
    check_inside_bench_database,
    child_env,
    compound_values,
    default_bench_url,
    drop_database,
    fill_rest,
    recreate_database,
)
from .scratch import run_child as run_child_process

QUARTER = Quarter(2025, 1)
MONTHS = QUARTER.months
# About 100 concerns per compound a year: a quarter's worth, submitted from a
# fortnight before the quarter (deadlines and answers falling inside it) to
# its last day.
CONCERNS_PER_COMPOUND = 25
CONCERNS_FROM = "2024-12-18"


def city_parser(prog: str, description: str, database: str):
    """A parser with the options of the synthetic city and its scratch
    database, shared by the benchmarks built on `generate`."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add_database_argument(parser, database)
    parser.add_argument("--compounds", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--streets", type=int, default=8)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--inside", action="store_true", help="(internal)")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = city_parser(
        "python -m bench.scoring",
        "Time score_month and rank_quarter against hand-written "
        "SQL on synthetic data in a scratch PostgreSQL database.",
        "bench_jiyang",
    )
    parser.add_argument(
        "--small",
        type=int,
        default=2_500,
        help="A second, smaller size to show memory does not grow (0: skip).",
    )
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    opts = vars(parse_args(argv))
    if opts["inside"]:
        print("BENCH " + json.dumps(run_inside(opts)))
        return
    url = opts["database_url"] or default_bench_url()
    results = []
    sizes = [s for s in (opts["small"], opts["compounds"]) if s]
    for size in sizes:
        recreate_database(url)
        print(f"size {size}: generating and timing …", file=sys.stderr)
        results.append(run_child(url, size, opts))
    if not opts["keep"]:
        drop_database(url)
    report(results)


def run_child(url: str, size: int, opts: dict) -> dict:
    """One size in a child process pointed at the scratch database."""
    args = [
        f"--compounds={size}",
        f"--items={opts['items']}",
        f"--companies={opts['companies']}",
        f"--streets={opts['streets']}",
        f"--repeat={opts['repeat']}",
    ]
    return run_child_process("bench.scoring", args, child_env(url))


def report(results: list[dict]) -> None:
    print(
        "compounds  items/month  job            portal ms  SQL ms  ratio  "
        "same  peak py KiB  maxrss MiB"
    )
    for r in results:
        for job in ("score_month", "rank_quarter"):
            j = r[job]
            print(
                f"{r['compounds']:>9}  {r['item_rows_per_month']:>11}  "
                f"{job:<13}  {j['portal_ms']:>9.1f}  {j['sql_ms']:>6.1f}  "
                f"{j['ratio']:>5.2f}  {'yes' if j['same'] else 'NO':>4}  "
                f"{j['peak_kib']:>11.0f}  {r['maxrss_mib']:>10.0f}"
            )
    print(
        "portal = the service as deployed (run record, locks, upserts, "
        "stale-row deletes); SQL = the same results by hand-written SQL; "
        "ratio = portal / SQL, median of the repeats; score_month is per "
        "month."
    )


# Inside the scratch database ---------------------------------------------------


def run_inside(opts) -> dict:
    check_inside_bench_database()
    call_command("migrate", verbosity=0)
    generate(opts["compounds"], opts["items"], opts["companies"], opts["streets"])
    return measure(opts["compounds"], opts["items"], opts["repeat"])


def generate(n_compounds: int, n_items: int, n_companies: int, n_streets: int):
    with transaction.atomic():
        grids = []
        for s in range(n_streets):
            street = OrgUnit.objects.create(kind="street", name=f"街道{s}")
            for c in range(10):
                community = OrgUnit.objects.create(
                    kind="community", name=f"社区{s}-{c}", parent=street
                )
                for g in range(5):
                    grids.append(
                        OrgUnit.objects.create(
                            kind="grid", name=f"网格{s}-{c}-{g}", parent=community
                        )
                    )
        # The default scheme's quarter formula, so every resident term counts.
        scheme = AssessmentScheme.objects.create(
            name="bench",
            version=1,
            valid_from=date(2024, 1, 1),
            **DEFAULT_QUARTER_TERMS,
        )
        categories = [
            SchemeCategory.objects.create(
                scheme=scheme, code=chr(65 + ci), name=f"类{ci}", max_points=15
            )
            for ci in range(6)
        ]
        for k in range(n_items - 1):
            cat, ii = categories[k % 6], k // 6
            SchemeItem.objects.create(
                category=cat,
                code=f"{cat.code}{ii + 1}",
                name=f"项{cat.code}-{ii}",
                max_points=[2, 3, 4, 5][ii % 4],
                deduction=["0.2", "0.5", "1", "2"][k % 4],
                allows_na=k % 5 == 0,
            )
        poll_cat = SchemeCategory.objects.create(
            scheme=scheme, code="G", name="满意度", max_points=15
        )
        SchemeItem.objects.create(
            category=poll_cat,
            code="G1",
            name="满意度",
            max_points=15,
            is_satisfaction_poll=True,
        )
        VetoRule.objects.create(scheme=scheme, code="V1", name="重大安全事故")
        for rank, amount in [(1, 5000), (2, 3000), (3, 2000)]:
            PrizeTier.objects.create(
                scheme=scheme, rank=rank, title=f"{rank}等奖", amount=amount
            )

    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cols, vals = fill_rest(
            PropertyCompany,
            {
                "name": "'企业' || i",
                "credit_code": "'B' || lpad(i::text, 17, '0')",
                "registered_with_id": "(SELECT id FROM org_orgunit WHERE kind = "
                f"'street' ORDER BY id OFFSET (i %% {n_streets}) LIMIT 1)",
            },
        )
        cursor.execute(
            f"INSERT INTO {q(PropertyCompany._meta.db_table)} ({cols}) "
            f"SELECT {vals} FROM generate_series(1, %s) i",
            [n_companies],
        )
        cursor.execute(
            "CREATE TEMP TABLE g AS SELECT row_number() OVER (ORDER BY g.id) - 1 "
            "AS rn, g.id, g.parent_id AS community_id, c.parent_id AS street_id "
            "FROM org_orgunit g JOIN org_orgunit c ON c.id = g.parent_id "
            "WHERE g.kind = 'grid'"
        )
        cursor.execute(
            "CREATE TEMP TABLE co AS SELECT id, registered_with_id AS street_id, "
            "row_number() OVER (PARTITION BY registered_with_id ORDER BY id) - 1 "
            "AS rn, count(*) OVER (PARTITION BY registered_with_id) AS n "
            f"FROM {q(PropertyCompany._meta.db_table)}"
        )
        cols, vals = fill_rest(Compound, compound_values("'小区' || i"))
        cursor.execute(
            f"INSERT INTO {q(Compound._meta.db_table)} ({cols}) "
            f"SELECT {vals} FROM generate_series(0, %s - 1) i "
            "JOIN g ON g.rn = i %% (SELECT count(*) FROM g)",
            [n_compounds],
        )
        # Each compound is served by a company of its street; one compound in
        # 20 changed company in February (two contracts overlap the month).
        cursor.execute(
            f"INSERT INTO {q(ServiceContract._meta.db_table)} "
            '(compound_id, company_id, start, "end") '
            "SELECT c.id, co.id, DATE '2020-01-01', "
            "CASE WHEN c.id % 20 = 0 THEN DATE '2025-02-14' END "
            f"FROM {q(Compound._meta.db_table)} c JOIN co ON co.street_id = "
            "c.street_id AND co.rn = c.id % co.n"
        )
        cursor.execute(
            f"INSERT INTO {q(ServiceContract._meta.db_table)} "
            '(compound_id, company_id, start, "end") '
            "SELECT c.id, co.id, DATE '2025-02-15', NULL "
            f"FROM {q(Compound._meta.db_table)} c JOIN co ON co.street_id = "
            "c.street_id AND co.rn = (c.id + 1) % co.n WHERE c.id % 20 = 0"
        )
        for month in MONTHS:
            cols, vals = fill_rest(
                Inspection,
                {
                    "compound_id": "c.id",
                    "street_id": "c.street_id",
                    "community_id": "c.community_id",
                    "grid_id": "c.grid_id",
                    "scheme_id": str(scheme.pk),
                    "date": f"DATE '{month.start.isoformat()}' + (c.id % 25)::int",
                    "month": f"DATE '{month.start.isoformat()}'",
                    "status": "'submitted'",
                    "version": "1",
                    "is_current": "true",
                    "veto_id": "CASE WHEN random() < 0.005 THEN "
                    f"{scheme.vetoes.get().pk} END",
                    "satisfied": "(random() * 14)::int",
                    "basically_satisfied": "(random() * 5)::int",
                    "dissatisfied": "(random() * 4)::int",
                    "submitted_at": "now()",
                    "created_at": "now()",
                },
            )
            cursor.execute(
                f"INSERT INTO {q(Inspection._meta.db_table)} ({cols}) "
                f"SELECT {vals} FROM {q(Compound._meta.db_table)} c"
            )
        cols, vals = fill_rest(
            InspectionItemResult,
            {
                "inspection_id": "i.id",
                "item_id": "it.id",
                "occurrences": "CASE WHEN random() < 0.25 THEN "
                "1 + (random() * 3)::int ELSE 0 END",
                "not_applicable": "it.allows_na AND random() < 0.1",
            },
        )
        cursor.execute(
            f"INSERT INTO {q(InspectionItemResult._meta.db_table)} ({cols}) "
            f"SELECT {vals} FROM {q(Inspection._meta.db_table)} i "
            f"CROSS JOIN {q(SchemeItem._meta.db_table)} it "
            f"JOIN {q(SchemeCategory._meta.db_table)} cat ON cat.id = it.category_id "
            "WHERE cat.scheme_id = %s",
            [scheme.pk],
        )
        generate_residents(cursor, n_compounds)
        cursor.execute("ANALYZE")


def generate_residents(cursor, n_compounds: int) -> None:
    """Concerns, their reopen events and ratings, and visit-day reports.

    Each compound gets CONCERNS_PER_COMPOUND concerns dispatched to the
    company serving it on the day, with a deadline five working days after
    submission (a weekday plus seven days, at 17:30); most are answered
    within eight days, some never, about one in twelve answered ones was
    reopened, two in three were rated, one in a hundred was merged. Each
    compound month has a visit-day report filed by the company serving the
    compound on the day, except about one in eight.
    """
    q = connection.ops.quote_name
    category = ConcernCategory.objects.create(
        code="bench", name="物业服务", sla_working_days=5
    )
    t_concern = q(Concern._meta.db_table)
    t_contract = q(ServiceContract._meta.db_table)
    t_compound = q(Compound._meta.db_table)
    cursor.execute(
        "CREATE TEMP TABLE k AS SELECT c.id AS compound_id, c.street_id, "
        "c.community_id, c.grid_id, n, d.day + (random() * 86399)::int "
        "* interval '1 second' AS created, random() AS r_answer, "
        "random() AS r_late, random() AS r_rate, random() AS r_reopen "
        f"FROM {t_compound} c CROSS JOIN generate_series(1, %s) n "
        "CROSS JOIN LATERAL (SELECT (TIMESTAMP %s + (random() * "
        "(DATE %s - DATE %s))::int * interval '1 day') AS day "
        "WHERE c.id > 0 AND n > 0) d",
        [
            CONCERNS_PER_COMPOUND,
            CONCERNS_FROM,
            QUARTER.months[-1].last_day.isoformat(),
            CONCERNS_FROM,
        ],
    )
    # Weekend submissions move to the Monday; the deadline is five working
    # days on, at 17:30 local time.
    cursor.execute(
        "ALTER TABLE k ADD COLUMN due timestamp; UPDATE k SET due = "
        "date_trunc('day', created) + CASE extract(isodow FROM created) "
        "WHEN 6 THEN 9 WHEN 7 THEN 8 ELSE 7 END * interval '1 day' "
        "+ interval '17 hours 30 minutes'"
    )
    cols, vals = fill_rest(
        Concern,
        {
            "tracking_code": "'BK' || lpad(row_number() OVER ()::text, 12, '0')",
            "compound_id": "k.compound_id",
            "street_id": "k.street_id",
            "community_id": "k.community_id",
            "grid_id": "k.grid_id",
            "category_id": str(category.pk),
            "kind": "'complaint'",
            "source": "'web'",
            "urgency": "'normal'",
            "description": "'漏水'",
            "status": "CASE WHEN k.r_answer < 0.01 THEN 'merged' "
            "WHEN k.r_answer < 0.06 THEN 'dispatched' "
            "WHEN k.r_reopen < 0.08 THEN 'reopened' ELSE 'closed' END",
            "handler_company_id": "(SELECT sc.company_id FROM "
            f"{t_contract} sc WHERE sc.compound_id = k.compound_id "
            'AND sc.start <= k.created::date AND (sc."end" IS NULL '
            'OR sc."end" >= k.created::date) '
            "ORDER BY sc.start DESC, sc.id DESC LIMIT 1)",
            "due_at": "k.due AT TIME ZONE 'Asia/Shanghai'",
            "sign_due_at": "(k.created + interval '1 day') AT TIME ZONE "
            "'Asia/Shanghai'",
            "reopened_count": "CASE WHEN k.r_answer >= 0.06 AND k.r_reopen < 0.08 "
            "THEN 1 ELSE 0 END",
            "rating": "CASE WHEN k.r_answer < 0.06 OR k.r_rate >= 0.66 THEN '' "
            "WHEN k.r_rate < 0.40 THEN 'satisfied' WHEN k.r_rate < 0.56 THEN "
            "'basic' ELSE 'dissatisfied' END",
            "rating_round": "CASE WHEN k.r_answer < 0.06 OR k.r_rate >= 0.66 "
            "THEN 0 ELSE 1 END",
            "created_at": "k.created AT TIME ZONE 'Asia/Shanghai'",
            "updated_at": "now()",
            "dispatched_at": "(k.created + interval '1 hour') AT TIME ZONE "
            "'Asia/Shanghai'",
            "signed_at": "(k.created + interval '3 hours') AT TIME ZONE "
            "'Asia/Shanghai'",
            # One answer in six comes after the deadline.
            "responded_at": "CASE WHEN k.r_answer >= 0.06 THEN (k.created + "
            "CASE WHEN k.r_late < 0.17 THEN interval '9 days' ELSE "
            "interval '2 days' END * random()  + CASE WHEN k.r_late < 0.17 "
            "THEN k.due - k.created ELSE interval '1 hour' END) "
            "AT TIME ZONE 'Asia/Shanghai' END",
            "closed_at": "NULL",
        },
    )
    cursor.execute(
        f"INSERT INTO {t_concern} ({cols}) SELECT {vals} FROM k ORDER BY k.created"
    )
    cols, vals = fill_rest(
        ConcernEvent,
        {
            "concern_id": "k.id",
            # An event is placed where its concern is.
            "street_id": "k.street_id",
            "community_id": "k.community_id",
            "grid_id": "k.grid_id",
            "action": "'reopen'",
            "from_status": "'responded'",
            "to_status": "'reopened'",
            "note": "'仍未解决'",
            "created_at": "k.responded_at + interval '2 days'",
        },
    )
    cursor.execute(
        f"INSERT INTO {q(ConcernEvent._meta.db_table)} ({cols}) "
        f"SELECT {vals} FROM {t_concern} k WHERE k.reopened_count > 0"
    )
    cols, vals = fill_rest(
        VisitReport,
        {
            "compound_id": "c.id",
            "company_id": "(SELECT sc.company_id FROM "
            f"{t_contract} sc WHERE sc.compound_id = c.id "
            'AND sc.start <= m.day AND (sc."end" IS NULL '
            'OR sc."end" >= m.day) ORDER BY sc.start DESC, sc.id DESC LIMIT 1)',
            "date": "m.day",
            "households_visited": "5 + (random() * 30)::int",
            "created_at": "now()",
        },
    )
    cursor.execute(
        f"INSERT INTO {q(VisitReport._meta.db_table)} ({cols}) "
        f"SELECT {vals} FROM {t_compound} c CROSS JOIN LATERAL ("
        "SELECT (m + ((c.id * 7) %% 27) * interval '1 day')::date AS day "
        "FROM generate_series(%s::date, %s::date, interval '1 month') m "
        "WHERE c.id > 0) m WHERE random() < 0.88",
        [QUARTER.start, QUARTER.months[-1].start],
    )


# Hand-written SQL ----------------------------------------------------------------

HAND_TABLES = {
    "bench_mcs": "assessments_monthlycompoundscore",
    "bench_mcos": "assessments_monthlycompanyscore",
    "bench_qr": "assessments_quarterlyranking",
    "bench_reward": "assessments_reward",
    "bench_step": "assessments_exitladderstep",
    "bench_case": "assessments_exitcase",
}

HAND_MONTH = """
INSERT INTO bench_mcs (compound_id, month, street_id, community_id, grid_id,
    company_id, households, score, inspections, vetoes, vetoed, poll_positive,
    poll_total, computed_at)
SELECT s.compound_id, %(month)s, c.street_id, c.community_id, c.grid_id,
    sc.company_id, c.households, ROUND(AVG(s.score), 2), COUNT(*),
    SUM(s.veto), SUM(s.veto) > 0, SUM(s.pos), SUM(s.cnt), now()
FROM (
    SELECT i.id, i.compound_id,
        CASE WHEN i.veto_id IS NULL THEN 0 ELSE 1 END AS veto,
        CASE WHEN i.veto_id IS NOT NULL THEN sch.veto_score
             WHEN SUM(x.mx) = 0 THEN 0
             ELSE 100 * SUM(x.earned) / SUM(x.mx) END AS score,
        CASE WHEN p.valid THEN i.satisfied + i.basically_satisfied ELSE 0 END AS pos,
        CASE WHEN p.valid THEN p.n ELSE 0 END AS cnt
    FROM assessments_inspection i
    JOIN assessments_assessmentscheme sch ON sch.id = i.scheme_id
    CROSS JOIN LATERAL (
        SELECT i.satisfied + i.basically_satisfied + i.dissatisfied AS n,
            i.satisfied + i.basically_satisfied + i.dissatisfied
                >= GREATEST(sch.satisfaction_min_sample, 1) AS valid) p
    LEFT JOIN LATERAL (
        SELECT CASE WHEN r.not_applicable THEN 0
                    WHEN it.is_satisfaction_poll THEN CASE WHEN p.valid THEN
                        it.max_points * (i.satisfied + i.basically_satisfied) / p.n
                        ELSE 0 END
                    ELSE GREATEST(0, it.max_points - r.occurrences * it.deduction)
               END AS earned,
               CASE WHEN r.not_applicable THEN 0
                    WHEN it.is_satisfaction_poll AND NOT p.valid THEN 0
                    ELSE it.max_points END AS mx
        FROM assessments_inspectionitemresult r
        JOIN assessments_schemeitem it ON it.id = r.item_id
        WHERE r.inspection_id = i.id) x ON true
    WHERE i.month = %(month)s AND i.status = 'submitted' AND i.is_current
    GROUP BY i.id, sch.veto_score, p.valid, p.n
) s
JOIN compounds_compound c ON c.id = s.compound_id
LEFT JOIN LATERAL (
    SELECT company_id FROM compounds_servicecontract sc
    WHERE sc.compound_id = s.compound_id AND sc.start <= %(month_end)s
      AND (sc."end" IS NULL OR sc."end" >= %(month)s)
    ORDER BY sc.start DESC, sc.id DESC LIMIT 1) sc ON true
GROUP BY s.compound_id, c.street_id, c.community_id, c.grid_id, c.households,
    sc.company_id
ON CONFLICT (compound_id, month) DO UPDATE SET
    street_id = excluded.street_id, community_id = excluded.community_id,
    grid_id = excluded.grid_id, company_id = excluded.company_id,
    households = excluded.households, score = excluded.score,
    inspections = excluded.inspections, vetoes = excluded.vetoes,
    vetoed = excluded.vetoed, poll_positive = excluded.poll_positive,
    poll_total = excluded.poll_total, computed_at = excluded.computed_at;
DELETE FROM bench_mcs m WHERE m.month = %(month)s AND NOT EXISTS (
    SELECT 1 FROM assessments_inspection i WHERE i.compound_id = m.compound_id
    AND i.month = %(month)s AND i.status = 'submitted' AND i.is_current);
INSERT INTO bench_mcos (company_id, street_id, month, score, compounds,
    households, inspections, vetoes, poll_positive, poll_total, computed_at)
SELECT company_id, street_id, %(month)s,
    ROUND(SUM(score * GREATEST(households, 1))::numeric
        / SUM(GREATEST(households, 1)), 2),
    COUNT(*), SUM(households), SUM(inspections), SUM(vetoes),
    SUM(poll_positive), SUM(poll_total), now()
FROM bench_mcs WHERE month = %(month)s AND company_id IS NOT NULL
GROUP BY company_id, street_id
ON CONFLICT (company_id, street_id, month) DO UPDATE SET
    score = excluded.score, compounds = excluded.compounds,
    households = excluded.households, inspections = excluded.inspections,
    vetoes = excluded.vetoes, poll_positive = excluded.poll_positive,
    poll_total = excluded.poll_total, computed_at = excluded.computed_at;
DELETE FROM bench_mcos o WHERE o.month = %(month)s AND NOT EXISTS (
    SELECT 1 FROM bench_mcs m WHERE m.company_id = o.company_id
    AND m.street_id = o.street_id AND m.month = %(month)s);
"""

HAND_QUARTER = """
WITH agg AS (
    SELECT street_id, company_id, AVG(score) AS avg, COUNT(*) AS months,
        SUM(inspections) AS ins, SUM(vetoes) AS vetoes, MAX(compounds) AS cmp,
        SUM(poll_positive) AS pp, SUM(poll_total) AS pt
    FROM bench_mcos WHERE month BETWEEN %(start)s AND %(last)s
    GROUP BY street_id, company_id),
k AS (
    SELECT street_id, handler_company_id AS company_id,
        COUNT(*) FILTER (WHERE ans) AS answered,
        COUNT(*) FILTER (WHERE ans AND rating <> '') AS rated,
        COUNT(*) FILTER (WHERE ans AND rating IN ('satisfied', 'basic')) AS pos,
        COUNT(*) FILTER (WHERE ans AND reopened_count > 0) AS reopened,
        COUNT(*) FILTER (WHERE due) AS due,
        COUNT(*) FILTER (WHERE due AND responded_at <= due_at) AS on_time
    FROM (SELECT street_id, handler_company_id, rating, reopened_count,
              responded_at, due_at,
              COALESCE(responded_at >= %(t0)s AND responded_at < %(t1)s, false)
                  AS ans,
              COALESCE(due_at >= %(t0)s AND due_at < %(t1)s, false) AS due
          FROM consultations_concern
          WHERE handler_company_id IS NOT NULL AND status <> 'merged') x
    WHERE ans OR due
    GROUP BY street_id, handler_company_id),
v AS (
    SELECT c.street_id, sc.company_id, COUNT(*) AS due,
        COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM civic_visitreport r
            WHERE r.compound_id = c.id AND r.company_id = sc.company_id
              AND r.date >= m.m AND r.date < m.m + 31
              AND date_trunc('month', r.date) = m.m)) AS done
    FROM compounds_compound c
    CROSS JOIN (SELECT d::date AS m FROM generate_series(%(start)s::date,
        %(last)s::date, interval '1 month') d) m
    CROSS JOIN LATERAL (
        SELECT company_id FROM compounds_servicecontract sc
        WHERE sc.compound_id = c.id
          AND sc.start <= (m.m + interval '1 month' - interval '1 day')::date
          AND (sc."end" IS NULL OR sc."end" >= m.m)
        ORDER BY sc.start DESC, sc.id DESC LIMIT 1) sc
    GROUP BY c.street_id, sc.company_id),
s AS (
    SELECT agg.*, ROUND(agg.avg, 2) AS ia,
        COALESCE(k.pos, 0) AS sat_pos, COALESCE(k.rated, 0) AS sat_n,
        COALESCE(k.answered, 0) AS answered, COALESCE(k.due, 0) AS c_due,
        COALESCE(k.on_time, 0) AS on_time, COALESCE(k.reopened, 0) AS reopened,
        COALESCE(v.due, 0) AS v_due, COALESCE(v.done, 0) AS v_done,
        CASE WHEN k.rated >= %(min_sat)s THEN ROUND(100.0 * k.pos / k.rated, 2)
            END AS sat,
        CASE WHEN k.due >= %(min_time)s THEN ROUND(100.0 * k.on_time / k.due, 2)
            END AS timely,
        CASE WHEN k.answered >= %(min_reopen)s
            THEN ROUND(100.0 * k.reopened / k.answered, 2) END AS reopen,
        CASE WHEN v.due >= %(min_visit)s THEN ROUND(100.0 * v.done / v.due, 2)
            END AS visit,
        LEAST(COALESCE(b.points, 0), %(cap)s) AS bonus,
        ins >= %(min)s AS eligible, co.name
    FROM agg
    LEFT JOIN (SELECT street_id, company_id, SUM(points) AS points
               FROM assessments_quarterlybonus WHERE quarter = %(quarter)s
               GROUP BY 1, 2) b
        ON b.company_id = agg.company_id AND b.street_id = agg.street_id
    LEFT JOIN k ON k.company_id = agg.company_id AND k.street_id = agg.street_id
    LEFT JOIN v ON v.company_id = agg.company_id AND v.street_id = agg.street_id
    JOIN compounds_propertycompany co ON co.id = agg.company_id),
-- Every term below its minimum is neutral (the inspection average).
f AS (SELECT s.*, ROUND(%(wi)s * ia + %(ws)s * COALESCE(sat, ia)
          + %(wt)s * COALESCE(timely, ia) + %(wr)s * COALESCE(100 - reopen, ia)
          + %(wv)s * COALESCE(visit, ia) + bonus, 2) AS score
      FROM s),
r AS (SELECT f.*, CASE WHEN eligible THEN RANK() OVER (
          PARTITION BY street_id, eligible ORDER BY score DESC, ia DESC,
          vetoes ASC, cmp DESC, name ASC, company_id ASC) END AS rnk,
        COUNT(*) FILTER (WHERE eligible) OVER (PARTITION BY street_id) AS ranked
      FROM f),
bt AS (SELECT r.*, rnk IS NOT NULL AND rnk > ranked - %(bottom)s
          AND rnk > %(prizes)s AS is_bottom FROM r)
INSERT INTO bench_qr (company_id, street_id, quarter, quarter_start, scheme_id,
    months, inspections, vetoes, compounds, inspection_average, satisfaction,
    satisfaction_positive, satisfaction_answers, concerns_answered,
    concerns_due, concerns_on_time, concerns_reopened, concern_timeliness,
    reopen_rate, visit_days_due, visit_days_done, visit_day_completion,
    bonus, score, rank, ranked_count, not_ranked_reason, is_bottom,
    consecutive_bottom, bottom_run_start, prize_id, computed_at)
SELECT bt.company_id, bt.street_id, %(quarter)s, %(start)s, %(scheme)s,
    bt.months, bt.ins, bt.vetoes, bt.cmp, bt.ia, bt.sat,
    bt.sat_pos, bt.sat_n, bt.answered, bt.c_due, bt.on_time, bt.reopened,
    bt.timely, bt.reopen, bt.v_due, bt.v_done, bt.visit,
    bt.bonus, bt.score, bt.rnk, bt.ranked,
    CASE WHEN bt.eligible THEN '' ELSE 'too_few_inspections' END, bt.is_bottom,
    CASE WHEN bt.is_bottom THEN 1 + COALESCE(
        CASE WHEN p.is_bottom THEN p.consecutive_bottom END, 0) ELSE 0 END,
    CASE WHEN bt.is_bottom THEN COALESCE(
        CASE WHEN p.is_bottom THEN p.bottom_run_start END, %(start)s) END,
    pt.id, now()
FROM bt
LEFT JOIN bench_qr p ON p.company_id = bt.company_id
    AND p.street_id = bt.street_id AND p.quarter = %(previous)s
LEFT JOIN assessments_prizetier pt ON pt.scheme_id = %(scheme)s AND pt.rank = bt.rnk
ON CONFLICT (company_id, street_id, quarter) DO UPDATE SET
    months = excluded.months, inspections = excluded.inspections,
    vetoes = excluded.vetoes, compounds = excluded.compounds,
    inspection_average = excluded.inspection_average,
    satisfaction = excluded.satisfaction,
    satisfaction_positive = excluded.satisfaction_positive,
    satisfaction_answers = excluded.satisfaction_answers,
    concerns_answered = excluded.concerns_answered,
    concerns_due = excluded.concerns_due,
    concerns_on_time = excluded.concerns_on_time,
    concerns_reopened = excluded.concerns_reopened,
    concern_timeliness = excluded.concern_timeliness,
    reopen_rate = excluded.reopen_rate,
    visit_days_due = excluded.visit_days_due,
    visit_days_done = excluded.visit_days_done,
    visit_day_completion = excluded.visit_day_completion,
    bonus = excluded.bonus,
    score = excluded.score, rank = excluded.rank,
    ranked_count = excluded.ranked_count,
    not_ranked_reason = excluded.not_ranked_reason,
    is_bottom = excluded.is_bottom,
    consecutive_bottom = excluded.consecutive_bottom,
    bottom_run_start = excluded.bottom_run_start, prize_id = excluded.prize_id,
    computed_at = excluded.computed_at;
DELETE FROM bench_qr q WHERE q.quarter = %(quarter)s AND NOT EXISTS (
    SELECT 1 FROM bench_mcos o WHERE o.company_id = q.company_id
    AND o.street_id = q.street_id AND o.month BETWEEN %(start)s AND %(last)s);
INSERT INTO bench_reward (ranking_id, title, amount, payment_reference, created_at)
SELECT r.id, pt.title, pt.amount, '', now()
FROM bench_qr r JOIN assessments_prizetier pt ON pt.id = r.prize_id
WHERE r.quarter = %(quarter)s
ON CONFLICT (ranking_id) DO UPDATE SET title = excluded.title,
    amount = excluded.amount
WHERE bench_reward.approved_at IS NULL AND bench_reward.paid_on IS NULL;
DELETE FROM bench_reward w USING bench_qr r WHERE r.id = w.ranking_id
    AND r.quarter = %(quarter)s AND r.prize_id IS NULL AND w.approved_at IS NULL;
INSERT INTO bench_step (ranking_id, company_id, street_id, quarter, kind,
    consecutive, rectification_deadline, note, created_at)
SELECT r.id, r.company_id, r.street_id, r.quarter,
    CASE WHEN r.consecutive_bottom >= %(k)s THEN 'exit'
         WHEN r.consecutive_bottom >= 2 THEN 'interview' ELSE 'warning' END,
    r.consecutive_bottom,
    CASE WHEN r.consecutive_bottom >= 2 THEN current_date + 15 END, '', now()
FROM bench_qr r WHERE r.quarter = %(quarter)s AND r.is_bottom
ON CONFLICT (ranking_id) DO UPDATE SET kind = excluded.kind,
    consecutive = excluded.consecutive;
DELETE FROM bench_step s USING bench_qr r WHERE r.id = s.ranking_id
    AND r.quarter = %(quarter)s AND NOT r.is_bottom;
INSERT INTO bench_case (company_id, street_id, run_start, opened_quarter,
    ranking_id, status, opened_at, note)
SELECT r.company_id, r.street_id, r.bottom_run_start, r.quarter, r.id,
    'opened', now(), ''
FROM bench_qr r WHERE r.quarter = %(quarter)s AND r.is_bottom
    AND r.consecutive_bottom >= %(k)s
ON CONFLICT (company_id, street_id, run_start) DO NOTHING;
"""


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _same(query: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0] == 0


def measure(n_compounds: int, n_items: int, repeat: int) -> dict:
    scheme = AssessmentScheme.objects.get(name="bench")
    quarter = QUARTER
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        for hand, like in HAND_TABLES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {hand}")
            cursor.execute(f"CREATE TABLE {hand} (LIKE {like} INCLUDING ALL)")

    def portal_month(month):
        score_month(month)

    def hand_month(month):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                HAND_MONTH,
                {"month": month.start, "month_end": month.last_day},
            )

    def portal_quarter():
        rank_quarter(quarter)

    def hand_quarter():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                HAND_QUARTER,
                {
                    "start": quarter.start,
                    "last": quarter.months[-1].start,
                    "quarter": str(quarter),
                    "previous": str(quarter.previous()),
                    "cap": scheme.quarterly_bonus_cap,
                    "min": scheme.min_inspections_per_quarter,
                    "wi": scheme.weight_inspection,
                    "ws": scheme.weight_satisfaction,
                    "wt": scheme.weight_concern_timeliness,
                    "wr": scheme.weight_reopen_rate,
                    "wv": scheme.weight_visit_day,
                    "min_sat": max(scheme.satisfaction_min_answers, 1),
                    "min_time": max(scheme.concern_timeliness_min_answers, 1),
                    "min_reopen": max(scheme.reopen_rate_min_answers, 1),
                    "min_visit": max(scheme.visit_day_min_answers, 1),
                    "t0": local_midnight(quarter.start),
                    "t1": local_midnight(quarter.stop),
                    "bottom": scheme.bottom_n,
                    "prizes": scheme.prizes.count(),
                    "scheme": scheme.pk,
                    "k": scheme.consecutive_k,
                },
            )

    # First runs fill the tables (and warm caches); timed runs are reruns,
    # alternating portal and hand-written so drift hits both alike.
    month_portal, month_sql, q_portal, q_sql = [], [], [], []
    for month in MONTHS:
        portal_month(month)
        hand_month(month)
    portal_quarter()
    hand_quarter()
    for _ in range(repeat):
        for month in MONTHS:
            month_portal.append(_ms(lambda m=month: portal_month(m)))
            month_sql.append(_ms(lambda m=month: hand_month(m)))
        q_portal.append(_ms(portal_quarter))
        q_sql.append(_ms(hand_quarter))

    same_month = _same(
        "SELECT count(*) FROM ((SELECT compound_id, month, company_id, score, "
        "inspections, vetoes, poll_positive, poll_total "
        "FROM assessments_monthlycompoundscore EXCEPT SELECT compound_id, month, "
        "company_id, score, inspections, vetoes, poll_positive, poll_total "
        "FROM bench_mcs) UNION ALL (SELECT compound_id, month, company_id, score, "
        "inspections, vetoes, poll_positive, poll_total FROM bench_mcs EXCEPT "
        "SELECT compound_id, month, company_id, score, inspections, vetoes, "
        "poll_positive, poll_total FROM assessments_monthlycompoundscore)) d"
    ) and _same(
        "SELECT count(*) FROM ((SELECT company_id, street_id, month, score, "
        "compounds, households FROM assessments_monthlycompanyscore EXCEPT "
        "SELECT company_id, street_id, month, score, compounds, households "
        "FROM bench_mcos) UNION ALL (SELECT company_id, street_id, month, score, "
        "compounds, households FROM bench_mcos EXCEPT SELECT company_id, "
        "street_id, month, score, compounds, households "
        "FROM assessments_monthlycompanyscore)) d"
    )
    cols = (
        "company_id, street_id, quarter, score, inspection_average, "
        "satisfaction, satisfaction_positive, satisfaction_answers, "
        "concerns_answered, concerns_due, concerns_on_time, concerns_reopened, "
        "concern_timeliness, reopen_rate, visit_days_due, visit_days_done, "
        "visit_day_completion, bonus, rank, is_bottom, consecutive_bottom, "
        "prize_id"
    )
    same_quarter = _same(
        f"SELECT count(*) FROM ((SELECT {cols} FROM assessments_quarterlyranking "
        f"EXCEPT SELECT {cols} FROM bench_qr) UNION ALL (SELECT {cols} FROM "
        f"bench_qr EXCEPT SELECT {cols} FROM assessments_quarterlyranking)) d"
    ) and _same(
        "SELECT abs((SELECT count(*) FROM assessments_reward) - "
        "(SELECT count(*) FROM bench_reward)) + abs((SELECT count(*) FROM "
        "assessments_exitladderstep) - (SELECT count(*) FROM bench_step))"
    )

    # Memory: one untimed run of each job under tracemalloc.
    tracemalloc.start()
    portal_month(MONTHS[0])
    month_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    portal_quarter()
    quarter_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM assessments_inspectionitemresult")
        item_rows = cursor.fetchone()[0]

    def job(portal, sql, same, peak):
        p, s = median(portal), median(sql)
        return {
            "portal_ms": p,
            "sql_ms": s,
            "ratio": p / s if s else 0.0,
            "same": same,
            "peak_kib": peak / 1024,
        }

    return {
        "compounds": n_compounds,
        "item_rows_per_month": item_rows // len(MONTHS),
        "score_month": job(month_portal, month_sql, same_month, month_peak),
        "rank_quarter": job(q_portal, q_sql, same_quarter, quarter_peak),
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(str(error))

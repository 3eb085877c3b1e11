"""The scoring rules as set-based SQL: the writers of the score tables.

Every figure is computed and written by the database in a few
INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE statements; rows never
pass through Python one by one (`assessments/SCORING.md` has the rules,
`assessments/scoring.py` states them in plain Python and the tests check
both agree). The SELECTs are built from QuerySets where the ORM can express
them (`query.sql_with_params()`); the outer layers (averages of averages,
window functions, upserts) are written by hand in the dialect both
PostgreSQL and SQLite understand. The jobs that call these writers, and
record their runs, are in `assessments/services/scoring.py`.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone

from civic.models import VisitReport
from common.periods import Month, Quarter, local_midnight
from compounds.models import Compound, PropertyCompany, ServiceContract
from consultations.models import Concern
from org.models import OrgUnit

from .models import (
    QUARTER_TERMS,
    AssessmentScheme,
    ExitCase,
    ExitLadderStep,
    Inspection,
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    PollRole,
    PrizeTier,
    QuarterlyBonus,
    QuarterlyRanking,
    Reward,
    ShortSampleRule,
)

DECIMAL = DecimalField(max_digits=20, decimal_places=10)


# Dialect helpers ---------------------------------------------------------------


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _round2(sql: str) -> str:
    """Round half up to 2 decimals in SQL.

    PostgreSQL rounds numeric half away from zero, which is half up for the
    non-negative figures here. SQLite computes in binary floating point, so
    a value such as 2.675 may be stored as 2.67499…; a nudge far below a
    cent keeps it rounding up as the exact decimal would.
    """
    if _is_sqlite():
        return f"ROUND(({sql}) + 0.000000001, 2)"
    return f"ROUND(CAST(({sql}) AS numeric), 2)"


def _num(sql: str) -> str:
    """A value divided exactly (SQLite divides integers as integers)."""
    if _is_sqlite():
        return f"(({sql}) * 1.0)"
    return f"CAST(({sql}) AS numeric)"


def _least(a: str, b: str) -> str:
    return f"MIN({a}, {b})" if _is_sqlite() else f"LEAST({a}, {b})"


def _param(value: Decimal) -> Decimal | float:
    # SQLite's driver would bind a Decimal as text.
    return float(value) if _is_sqlite() else value


class AsNumeric(Func):
    """The ORM twin of `_num`."""

    arity = 1
    output_field = DECIMAL

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) AS numeric)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) * 1.0)", params


def _lock(namespace: int, *keys: int) -> None:
    """Serialise runs over the same period and street (PostgreSQL only).

    ON CONFLICT already keeps concurrent upserts from duplicating rows; the
    lock also keeps two runs from deleting each other's fresh rows. SQLite
    serialises writers anyway (IMMEDIATE transactions).
    """
    if _is_sqlite() or not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) "
            "FROM unnest(%s::integer[]) AS k ORDER BY k",
            [namespace, sorted(keys)],
        )


def _lock_streets(namespace: int, street_id: int | None) -> None:
    """`_lock` on one street, or on every street in one statement."""
    if _is_sqlite():
        return
    if street_id is not None:
        _lock(namespace, street_id)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, u.id::integer) FROM "
            f"{_q(OrgUnit._meta.db_table)} u WHERE u.kind = %s ORDER BY u.id",
            [namespace, OrgUnit.Kind.STREET],
        )


def _adapt(value):
    """Bind dates and times exactly as the ORM stores and compares them."""
    ops = connection.ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    return value


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, [_adapt(p) for p in params])
        return max(cursor.rowcount, 0)


# Monthly scoring -----------------------------------------------------------------


def inspection_scores_queryset(month: Month, street_id: int | None = None):
    """One row per scored inspection of `month`: its score, unrounded.

    The score follows SCORING.md, "Inspection": per item earned =
    max(0, max − occurrences × deduction); the poll item earns max × share
    of (basically) satisfied households; N/A items and an invalid poll leave
    the maximum; score = 100 × Σ earned / Σ applicable max; veto → the
    scheme's veto score.
    """
    poll_total = F("satisfied") + F("basically_satisfied") + F("dissatisfied")
    poll_valid = Q(poll_n__gte=F("min_sample")) & Q(poll_n__gt=0)
    item_max = F("results__item__max_points")
    # A scheme counting the poll in the satisfaction term leaves the poll
    # item out of the inspection, so the poll counts once.
    poll_is_term = Q(results__item__is_satisfaction_poll=True) & Q(
        scheme__poll_role=PollRole.TERM
    )
    earned = Case(
        When(results__isnull=True, then=Value(0)),
        When(results__not_applicable=True, then=Value(0)),
        When(poll_is_term, then=Value(0)),
        When(
            results__item__is_satisfaction_poll=True,
            then=Case(
                When(
                    poll_valid,
                    then=ExpressionWrapper(
                        AsNumeric(item_max)
                        * (F("satisfied") + F("basically_satisfied"))
                        / AsNumeric(F("poll_n")),
                        output_field=DECIMAL,
                    ),
                ),
                default=Value(0),
                output_field=DECIMAL,
            ),
        ),
        default=Greatest(
            Value(0),
            ExpressionWrapper(
                item_max - F("results__occurrences") * F("results__item__deduction"),
                output_field=DECIMAL,
            ),
            output_field=DECIMAL,
        ),
        output_field=DECIMAL,
    )
    applicable_max = Case(
        When(results__isnull=True, then=Value(0)),
        When(results__not_applicable=True, then=Value(0)),
        When(poll_is_term, then=Value(0)),
        When(
            results__item__is_satisfaction_poll=True,
            then=Case(
                When(poll_valid, then=item_max),
                default=Value(0),
                output_field=DECIMAL,
            ),
        ),
        default=item_max,
        output_field=DECIMAL,
    )
    qs = Inspection.objects.scored().filter(month=month.start)
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    return (
        qs.alias(poll_n=poll_total, min_sample=F("scheme__satisfaction_min_sample"))
        .values("id")
        .annotate(
            c_id=F("compound_id"),
            vetoes=Case(
                When(veto__isnull=False, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            earned=Sum(earned),
            max_sum=Sum(applicable_max),
        )
        .annotate(
            score=Case(
                When(veto__isnull=False, then=AsNumeric(F("scheme__veto_score"))),
                When(max_sum=0, then=Value(0)),
                default=ExpressionWrapper(
                    Value(100) * AsNumeric(F("earned")) / AsNumeric(F("max_sum")),
                    output_field=DECIMAL,
                ),
                output_field=DECIMAL,
            ),
            poll_pos=Case(
                When(poll_valid, then=F("satisfied") + F("basically_satisfied")),
                default=Value(0),
                output_field=IntegerField(),
            ),
            poll_cnt=Case(
                When(poll_valid, then=poll_total),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by()
    )


def _write_compound_scores(month: Month, street_id: int | None, stamp) -> int:
    inner, inner_params = inspection_scores_queryset(
        month, street_id
    ).query.sql_with_params()
    t = MonthlyCompoundScore._meta.db_table
    contract = ServiceContract._meta.db_table
    compound = Compound._meta.db_table
    # The serving company: the contract overlapping the month that started
    # last, i.e. the one serving on the month's last day when two overlap.
    sql = f"""
        INSERT INTO {_q(t)} (compound_id, month, street_id, community_id,
            grid_id, company_id, households, score, inspections, vetoes,
            vetoed, poll_positive, poll_total, computed_at)
        SELECT s.c_id, %s, c.street_id, c.community_id, c.grid_id,
            (SELECT sc.company_id FROM {_q(contract)} sc
              WHERE sc.compound_id = s.c_id AND sc.start <= %s
                AND (sc.{_q("end")} IS NULL OR sc.{_q("end")} >= %s)
              ORDER BY sc.start DESC, sc.id DESC LIMIT 1),
            c.households, {_round2("AVG(s.score)")}, COUNT(*), SUM(s.vetoes),
            SUM(s.vetoes) > 0, SUM(s.poll_pos), SUM(s.poll_cnt), %s
        FROM ({inner}) s JOIN {_q(compound)} c ON c.id = s.c_id
        WHERE true
        GROUP BY s.c_id, c.street_id, c.community_id, c.grid_id, c.households
        ON CONFLICT (compound_id, month) DO UPDATE SET
            street_id = excluded.street_id,
            community_id = excluded.community_id,
            grid_id = excluded.grid_id,
            company_id = excluded.company_id,
            households = excluded.households,
            score = excluded.score,
            inspections = excluded.inspections,
            vetoes = excluded.vetoes,
            vetoed = excluded.vetoed,
            poll_positive = excluded.poll_positive,
            poll_total = excluded.poll_total,
            computed_at = excluded.computed_at
    """
    params = [month.start, month.last_day, month.start, stamp, *inner_params]
    return _execute(sql, params)


def company_scores_queryset(month: Month, street_id: int | None = None):
    """Per company and street: household-weighted sums of compound scores."""
    weight = Case(
        When(households__gt=0, then=F("households")),
        default=Value(1),
        output_field=IntegerField(),
    )
    qs = MonthlyCompoundScore.objects.filter(month=month.start, company__isnull=False)
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    return (
        qs.values("company_id", "street_id")
        .annotate(
            weighted=Sum(
                ExpressionWrapper(AsNumeric(F("score")) * weight, output_field=DECIMAL)
            ),
            weight=Sum(weight),
            n_compounds=Count("id"),
            n_households=Sum("households"),
            n_inspections=Sum("inspections"),
            n_vetoes=Sum("vetoes"),
            n_poll_pos=Sum("poll_positive"),
            n_poll=Sum("poll_total"),
        )
        .order_by()
    )


def _write_company_scores(month: Month, street_id: int | None, stamp) -> int:
    inner, inner_params = company_scores_queryset(
        month, street_id
    ).query.sql_with_params()
    t = MonthlyCompanyScore._meta.db_table
    score = _round2(f"{_num('s.weighted')} / s.weight")
    sql = f"""
        INSERT INTO {_q(t)} (company_id, street_id, month, score, compounds,
            households, inspections, vetoes, poll_positive, poll_total,
            computed_at)
        SELECT s.company_id, s.street_id, %s, {score}, s.n_compounds,
            s.n_households, s.n_inspections, s.n_vetoes, s.n_poll_pos,
            s.n_poll, %s
        FROM ({inner}) s
        WHERE true
        ON CONFLICT (company_id, street_id, month) DO UPDATE SET
            score = excluded.score,
            compounds = excluded.compounds,
            households = excluded.households,
            inspections = excluded.inspections,
            vetoes = excluded.vetoes,
            poll_positive = excluded.poll_positive,
            poll_total = excluded.poll_total,
            computed_at = excluded.computed_at
    """
    return _execute(sql, [month.start, stamp, *inner_params])


def write_month(month: Month, *, street_id: int | None = None) -> int:
    """Compute and store one month's compound and company rows; rows written.

    Rows of the month (and street) left without a scored inspection — it
    was amended or withdrawn — are deleted in the same transaction, so
    readers see either the old or the new month.
    """
    stamp = timezone.now()
    with transaction.atomic(savepoint=False):
        _lock_streets(month.year * 100 + month.number, street_id)
        rows = _write_compound_scores(month, street_id, stamp)
        stale = MonthlyCompoundScore.objects.filter(month=month.start).exclude(
            Exists(
                Inspection.objects.scored().filter(
                    compound=OuterRef("compound"), month=month.start
                )
            )
        )
        if street_id is not None:
            stale = stale.filter(street_id=street_id)
        stale.delete()
        rows += _write_company_scores(month, street_id, stamp)
        stale_companies = MonthlyCompanyScore.objects.filter(month=month.start).exclude(
            Exists(
                MonthlyCompoundScore.objects.filter(
                    company=OuterRef("company"),
                    street=OuterRef("street"),
                    month=month.start,
                )
            )
        )
        if street_id is not None:
            stale_companies = stale_companies.filter(street_id=street_id)
        stale_companies.delete()
    return rows


def quarter_aggregate_queryset(quarter: Quarter, street_id: int | None = None):
    """Per street and company: the quarter's figures from its monthly rows."""
    qs = MonthlyCompanyScore.objects.filter(
        month__gte=quarter.start, month__lt=quarter.stop
    )
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    return (
        qs.values("street_id", "company_id")
        .annotate(
            average=Avg(AsNumeric(F("score")), output_field=DECIMAL),
            n_months=Count("id"),
            n_inspections=Sum("inspections"),
            n_vetoes=Sum("vetoes"),
            n_compounds=Max("compounds"),
            n_poll_pos=Sum("poll_positive"),
            n_poll=Sum("poll_total"),
        )
        .order_by()
    )


def quarter_bonus_queryset(quarter: Quarter, street_id: int | None = None):
    qs = QuarterlyBonus.objects.filter(quarter=str(quarter))
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    return (
        qs.values("street_id", "company_id").annotate(points=Sum("points")).order_by()
    )


def _concern_conditions(quarter: Quarter) -> tuple[Q, Q, Q]:
    """(answered in the quarter, due in the quarter, due and on time)."""
    start, stop = local_midnight(quarter.start), local_midnight(quarter.stop)
    answered = Q(responded_at__gte=start, responded_at__lt=stop)
    due = Q(due_at__gte=start, due_at__lt=stop)
    return answered, due, due & Q(responded_at__lte=F("due_at"))


def counted_concerns(quarter: Quarter, street_id: int | None = None):
    """The concerns the quarter's resident terms read, each with its flags.

    A concern counts for its handling company in its street: answered,
    rated and reopened count those answered in the quarter; due and on time
    those whose deadline fell in the quarter, answered or not, so an
    unanswered concern is late rather than unseen.
    """
    answered, due, on_time = _concern_conditions(quarter)
    qs = (
        Concern.objects.filter(handler_company__isnull=False)
        .exclude(status=Concern.Status.MERGED)
        .filter(answered | due)
    )
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    return qs.annotate(
        answered_in_quarter=ExpressionWrapper(answered, output_field=BooleanField()),
        due_in_quarter=ExpressionWrapper(due, output_field=BooleanField()),
        on_time_in_quarter=ExpressionWrapper(on_time, output_field=BooleanField()),
    )


def quarter_concerns_queryset(quarter: Quarter, street_id: int | None = None):
    """Per street and handling company: the concern counts of the quarter."""
    answered, due, on_time = _concern_conditions(quarter)
    positive = [Concern.Rating.SATISFIED, Concern.Rating.BASIC]
    return (
        counted_concerns(quarter, street_id)
        .values("street_id", "handler_company_id")
        .annotate(
            answered=Count("id", filter=answered),
            rated=Count("id", filter=answered & ~Q(rating="")),
            rating_pos=Count("id", filter=answered & Q(rating__in=positive)),
            reopened=Count("id", filter=answered & Q(reopened_count__gt=0)),
            due=Count("id", filter=due),
            on_time=Count("id", filter=on_time),
        )
        .order_by()
    )


def _date_sql() -> str:
    # An untyped parameter is text to PostgreSQL; SQLite stores dates as
    # text anyway.
    return "%s" if _is_sqlite() else "CAST(%s AS date)"


def quarter_visit_days_sql(
    quarter: Quarter, street_id: int | None = None
) -> tuple[str, list]:
    """Per street and company: compound months served, and those with a
    visit-day report filed by that company (SCORING.md, "Quarter").

    The serving company of a compound month is the month job's: the
    contract overlapping the month that started last.
    """
    d = _date_sql()
    months = " UNION ALL ".join(
        f"SELECT {d} AS m_start, {d} AS m_last, {d} AS m_stop" for _ in range(3)
    )
    month_params = [
        day for m in quarter.months for day in (m.start, m.last_day, m.stop)
    ]
    contract = _q(ServiceContract._meta.db_table)
    compound = _q(Compound._meta.db_table)
    report = _q(VisitReport._meta.db_table)
    street, street_params = _street_sql("c", street_id)
    sql = f"""
        SELECT served.street_id, served.company_id, COUNT(*) AS due,
            SUM(CASE WHEN EXISTS (SELECT 1 FROM {report} v
                WHERE v.compound_id = served.compound_id
                  AND v.company_id = served.company_id
                  AND v.date >= served.m_start AND v.date < served.m_stop)
                THEN 1 ELSE 0 END) AS done
        FROM (
            SELECT c.id AS compound_id, c.street_id, m.m_start, m.m_stop,
                (SELECT sc.company_id FROM {contract} sc
                  WHERE sc.compound_id = c.id AND sc.start <= m.m_last
                    AND (sc.{_q("end")} IS NULL OR sc.{_q("end")} >= m.m_start)
                  ORDER BY sc.start DESC, sc.id DESC LIMIT 1) AS company_id
            FROM ({months}) m CROSS JOIN {compound} c
            WHERE true{street}
        ) served
        WHERE served.company_id IS NOT NULL
        GROUP BY served.street_id, served.company_id
    """
    return sql, [*month_params, *street_params]


def _term_value_sql(term: str) -> str:
    """The figure a term contributes, NULL below its minimum sample."""
    return {
        "satisfaction": "s.satisfaction",
        "concern_timeliness": "s.concern_timeliness",
        "reopen_rate": "(100 - s.reopen_rate)",
        "visit_day": "s.visit_day_completion",
    }[term]


def _quarter_score_sql(scheme) -> tuple[str, list]:
    """The quarter score over the scored CTE `s`, with its parameters.

    Follows `scoring.quarter_score`: a term below its minimum sample
    takes the inspection average (neutral), 100 (full) or leaves the
    formula, the others sharing its weight (drop).
    """
    rules = scheme.quarter_term_rules()
    weighted = ["%s * s.inspection_average"]
    present = ["%s"]
    weighted_params = [_param(scheme.weight_inspection)]
    present_params = [_param(scheme.weight_inspection)]
    all_weight = scheme.weight_inspection
    for term in QUARTER_TERMS:
        weight, _min, short_rule = rules[term]
        all_weight += weight
        value = _term_value_sql(term)
        if short_rule == ShortSampleRule.DROP:
            weighted.append(f"CASE WHEN {value} IS NULL THEN 0 ELSE %s * {value} END")
            present.append(f"CASE WHEN {value} IS NULL THEN 0 ELSE %s END")
            present_params.append(_param(weight))
        else:
            stand_in = (
                "100" if short_rule == ShortSampleRule.FULL else "s.inspection_average"
            )
            weighted.append(f"%s * COALESCE({value}, {stand_in})")
            present.append("%s")
            present_params.append(_param(weight))
        weighted_params.append(_param(weight))
    num, den = " + ".join(weighted), " + ".join(present)
    sql = _round2(
        f"CASE WHEN ({den}) = 0 THEN s.inspection_average "
        f"WHEN ({den}) = %s THEN {num} "
        f"ELSE ({num}) * %s / ({den}) END + s.bonus"
    )
    params = [
        *present_params,
        *present_params,
        _param(all_weight),
        *weighted_params,
        *weighted_params,
        _param(all_weight),
        *present_params,
    ]
    return sql, params


def _satisfaction_counts_sql(poll_role: str) -> tuple[str, str]:
    """(satisfied, answers) of the satisfaction term, over agg `a` and
    concerns `k` (`scoring.satisfaction_sample`)."""
    if poll_role == PollRole.ITEM_AND_TERM:
        return "a.n_poll_pos", "a.n_poll"
    ratings = "COALESCE(k.rating_pos, 0)", "COALESCE(k.rated, 0)"
    if poll_role == PollRole.TERM:
        return f"a.n_poll_pos + {ratings[0]}", f"a.n_poll + {ratings[1]}"
    return ratings


def _share_sql(part: str, whole: str) -> str:
    """100 × part / whole when whole reaches its minimum (a parameter)."""
    return (
        f"CASE WHEN {whole} >= %s THEN {_round2(f'100 * {_num(part)} / {whole}')} END"
    )


# Ties (SCORING.md, "Ties"): higher quarter score, then higher inspection
# average, then fewer vetoes, then more compounds served, then company name,
# then the company's id so the order is total.
TIE_ORDER = (
    "f.score DESC, f.inspection_average DESC, f.vetoes ASC, f.compounds DESC, "
    "f.company_name ASC, f.company_id ASC"
)


def _street_sql(alias: str, street_id: int | None) -> tuple[str, list]:
    if street_id is None:
        return "", []
    return f" AND {alias}.street_id = %s", [street_id]


def _write_rankings(quarter: Quarter, street_id: int | None, scheme, stamp) -> int:
    """Rank every street (or one) in one statement: RANK within each street."""
    agg, agg_params = quarter_aggregate_queryset(
        quarter, street_id
    ).query.sql_with_params()
    bonus, bonus_params = quarter_bonus_queryset(
        quarter, street_id
    ).query.sql_with_params()
    concerns, concern_params = quarter_concerns_queryset(
        quarter, street_id
    ).query.sql_with_params()
    visits, visit_params = quarter_visit_days_sql(quarter, street_id)
    t = QuarterlyRanking._meta.db_table
    company = PropertyCompany._meta.db_table
    prize = PrizeTier._meta.db_table
    rules = scheme.quarter_term_rules()
    sat_pos, sat_n = _satisfaction_counts_sql(scheme.poll_role)
    quarter_score, score_params = _quarter_score_sql(scheme)
    sql = f"""
        WITH agg AS ({agg}),
        bonus AS ({bonus}),
        concerns AS ({concerns}),
        visits AS ({visits}),
        counted AS (
            SELECT a.*, b.points AS bonus_points,
                {sat_pos} AS sat_pos, {sat_n} AS sat_n,
                COALESCE(k.answered, 0) AS answered,
                COALESCE(k.due, 0) AS due, COALESCE(k.on_time, 0) AS on_time,
                COALESCE(k.reopened, 0) AS reopened,
                COALESCE(v.due, 0) AS visit_due, COALESCE(v.done, 0) AS visit_done
            FROM agg a
            LEFT JOIN bonus b ON b.company_id = a.company_id
                AND b.street_id = a.street_id
            LEFT JOIN concerns k ON k.handler_company_id = a.company_id
                AND k.street_id = a.street_id
            LEFT JOIN visits v ON v.company_id = a.company_id
                AND v.street_id = a.street_id
        ),
        scored AS (
            SELECT a.street_id, a.company_id, a.n_months AS months,
                a.n_inspections AS inspections, a.n_vetoes AS vetoes,
                a.n_compounds AS compounds,
                {_round2("a.average")} AS inspection_average,
                a.sat_pos, a.sat_n, a.answered, a.due, a.on_time, a.reopened,
                a.visit_due, a.visit_done,
                {_share_sql("a.sat_pos", "a.sat_n")} AS satisfaction,
                {_share_sql("a.on_time", "a.due")} AS concern_timeliness,
                {_share_sql("a.reopened", "a.answered")} AS reopen_rate,
                {_share_sql("a.visit_done", "a.visit_due")}
                    AS visit_day_completion,
                {_least("COALESCE(a.bonus_points, 0)", "%s")} AS bonus,
                CASE WHEN a.n_inspections >= %s THEN 1 ELSE 0 END AS eligible,
                co.name AS company_name
            FROM counted a
            JOIN {_q(company)} co ON co.id = a.company_id
        ),
        f AS (SELECT s.*, {quarter_score} AS score FROM scored s),
        ranked AS (
            SELECT f.*,
                CASE WHEN f.eligible = 1 THEN ROW_NUMBER() OVER (
                    PARTITION BY f.street_id, f.eligible ORDER BY {TIE_ORDER})
                END AS rnk,
                SUM(f.eligible) OVER (PARTITION BY f.street_id) AS ranked_count
            FROM f
        ),
        bottom AS (
            SELECT r.*, CASE WHEN r.rnk IS NOT NULL
                AND r.rnk > r.ranked_count - %s
                AND r.rnk > (SELECT COUNT(*) FROM {_q(prize)} WHERE scheme_id = %s)
                THEN 1 ELSE 0 END AS is_bottom
            FROM ranked r
        )
        INSERT INTO {_q(t)} (company_id, street_id, quarter, quarter_start,
            scheme_id, months, inspections, vetoes, compounds,
            inspection_average, satisfaction, satisfaction_positive,
            satisfaction_answers, concerns_answered, concerns_due,
            concerns_on_time, concerns_reopened, concern_timeliness,
            reopen_rate, visit_days_due, visit_days_done, visit_day_completion,
            bonus, score, rank,
            ranked_count, not_ranked_reason, is_bottom, consecutive_bottom,
            bottom_run_start, prize_id, computed_at)
        SELECT b.company_id, b.street_id, %s, %s, %s, b.months, b.inspections,
            b.vetoes, b.compounds, b.inspection_average, b.satisfaction,
            b.sat_pos, b.sat_n, b.answered, b.due, b.on_time, b.reopened,
            b.concern_timeliness, b.reopen_rate, b.visit_due, b.visit_done,
            b.visit_day_completion,
            b.bonus, b.score, b.rnk, b.ranked_count,
            CASE WHEN b.eligible = 1 THEN '' ELSE 'too_few_inspections' END,
            b.is_bottom = 1,
            CASE WHEN b.is_bottom = 1 THEN 1 + COALESCE(
                CASE WHEN p.is_bottom THEN p.consecutive_bottom END, 0)
                ELSE 0 END,
            CASE WHEN b.is_bottom = 1 THEN COALESCE(
                CASE WHEN p.is_bottom THEN p.bottom_run_start END, %s) END,
            (SELECT pt.id FROM {_q(prize)} pt
              WHERE pt.scheme_id = %s AND pt.{_q("rank")} = b.rnk),
            %s
        FROM bottom b
        LEFT JOIN {_q(t)} p ON p.company_id = b.company_id
            AND p.street_id = b.street_id AND p.quarter = %s
        WHERE true
        ON CONFLICT (company_id, street_id, quarter) DO UPDATE SET
            quarter_start = excluded.quarter_start,
            scheme_id = excluded.scheme_id,
            months = excluded.months,
            inspections = excluded.inspections,
            vetoes = excluded.vetoes,
            compounds = excluded.compounds,
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
            score = excluded.score,
            {_q("rank")} = excluded.{_q("rank")},
            ranked_count = excluded.ranked_count,
            not_ranked_reason = excluded.not_ranked_reason,
            is_bottom = excluded.is_bottom,
            consecutive_bottom = excluded.consecutive_bottom,
            bottom_run_start = excluded.bottom_run_start,
            prize_id = excluded.prize_id,
            computed_at = excluded.computed_at
    """
    params = [
        *agg_params,
        *bonus_params,
        *concern_params,
        *visit_params,
        *(max(rules[term][1], 1) for term in QUARTER_TERMS),
        _param(scheme.quarterly_bonus_cap),
        scheme.min_inspections_per_quarter,
        *score_params,
        scheme.bottom_n,
        scheme.pk,
        str(quarter),
        quarter.start,
        scheme.pk,
        quarter.start,
        scheme.pk,
        stamp,
        str(quarter.previous()),
    ]
    return _execute(sql, params)


def _follow_up_statements(
    quarter: Quarter, street_id: int | None, scheme, stamp
) -> list[tuple[str, list]]:
    """After the rankings: stale rows, the reward ledger, the exit ladder."""
    q = _q
    t_rank = q(QuarterlyRanking._meta.db_table)
    t_reward = q(Reward._meta.db_table)
    t_step = q(ExitLadderStep._meta.db_table)
    t_case = q(ExitCase._meta.db_table)
    t_prize = q(PrizeTier._meta.db_table)
    t_month = q(MonthlyCompanyScore._meta.db_table)
    street, sp = _street_sql("r", street_id)
    qs = [str(quarter), *sp]
    k = scheme.consecutive_k
    # Counted from the day the beat ranks the quarter (the next one's first).
    deadline = quarter.next().start + timedelta(days=scheme.rectification_days)
    # Rankings left without any month row of the quarter (scores withdrawn).
    stale = (
        f"SELECT r.id FROM {t_rank} r WHERE r.quarter = %s{street} AND NOT EXISTS "
        f"(SELECT 1 FROM {t_month} m WHERE m.company_id = r.company_id AND "
        "m.street_id = r.street_id AND m.month >= %s AND m.month < %s)"
    )
    stale_params = [*qs, quarter.start, quarter.stop]
    kind = (
        "CASE WHEN r.consecutive_bottom >= %s THEN 'exit' "
        "WHEN r.consecutive_bottom >= 2 THEN 'interview' ELSE 'warning' END"
    )
    if _is_sqlite():
        drop_stale = [
            (f"DELETE FROM {t_reward} WHERE ranking_id IN ({stale})", stale_params),
            (f"DELETE FROM {t_step} WHERE ranking_id IN ({stale})", stale_params),
            (
                f"UPDATE {t_case} SET ranking_id = NULL WHERE ranking_id IN ({stale})",
                stale_params,
            ),
            (f"DELETE FROM {t_rank} WHERE id IN ({stale})", stale_params),
        ]
    else:
        # One statement finds the stale rankings once and clears what hangs
        # on them; the foreign keys are checked at commit (deferred).
        drop_stale = [
            (
                f"""WITH stale AS ({stale}),
                    rewards AS (DELETE FROM {t_reward}
                        WHERE ranking_id IN (SELECT id FROM stale)),
                    steps AS (DELETE FROM {t_step}
                        WHERE ranking_id IN (SELECT id FROM stale)),
                    cases AS (UPDATE {t_case} SET ranking_id = NULL
                        WHERE ranking_id IN (SELECT id FROM stale))
                DELETE FROM {t_rank} WHERE id IN (SELECT id FROM stale)""",
                stale_params,
            )
        ]
    return [
        *drop_stale,
        # An approved or paid reward is history: a rerun never rewrites it.
        (
            f"""INSERT INTO {t_reward} (ranking_id, title, amount,
                payment_reference, created_at)
            SELECT r.id, pt.title, pt.amount, '', %s
            FROM {t_rank} r JOIN {t_prize} pt ON pt.id = r.prize_id
            WHERE r.quarter = %s{street}
            ON CONFLICT (ranking_id) DO UPDATE SET
                title = excluded.title, amount = excluded.amount
            WHERE {t_reward}.approved_at IS NULL AND {t_reward}.paid_on IS NULL""",
            [stamp, *qs],
        ),
        (
            f"DELETE FROM {t_reward} WHERE approved_at IS NULL AND ranking_id IN "
            f"(SELECT r.id FROM {t_rank} r WHERE r.quarter = %s{street} "
            "AND r.prize_id IS NULL)",
            qs,
        ),
        (
            f"""INSERT INTO {t_step} (ranking_id, company_id, street_id, quarter,
                kind, consecutive, rectification_deadline, note, created_at)
            SELECT r.id, r.company_id, r.street_id, r.quarter, {kind},
                r.consecutive_bottom,
                CASE WHEN r.consecutive_bottom >= 2 THEN %s END, '', %s
            FROM {t_rank} r
            WHERE r.quarter = %s AND r.is_bottom{street}
            ON CONFLICT (ranking_id) DO UPDATE SET
                kind = excluded.kind, consecutive = excluded.consecutive""",
            [k, deadline, stamp, *qs],
        ),
        (
            f"DELETE FROM {t_step} WHERE ranking_id IN (SELECT r.id FROM "
            f"{t_rank} r WHERE r.quarter = %s{street} AND NOT r.is_bottom)",
            qs,
        ),
        # One case per run of bottom quarters: the run's first quarter is
        # part of the key, so later quarters of the run find it already open.
        (
            f"""INSERT INTO {t_case} (company_id, street_id, run_start,
                opened_quarter, ranking_id, status, opened_at, note)
            SELECT r.company_id, r.street_id, r.bottom_run_start, r.quarter,
                r.id, 'opened', %s, ''
            FROM {t_rank} r
            WHERE r.quarter = %s AND r.is_bottom
                AND r.consecutive_bottom >= %s{street}
            ON CONFLICT (company_id, street_id, run_start) DO NOTHING""",
            [stamp, str(quarter), k, *sp],
        ),
    ]


def _execute_batch(statements: list[tuple[str, list]]) -> None:
    """Run statements in order; on PostgreSQL in one round trip."""
    if _is_sqlite():
        for sql, params in statements:
            _execute(sql, params)
        return
    sql = ";\n".join(s for s, _ in statements)
    params = [_adapt(p) for _, ps in statements for p in ps]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def write_quarter(
    quarter: Quarter, *, scheme: AssessmentScheme, street_id: int | None = None
) -> int:
    """Rank a quarter (every street, or one) in one transaction.

    Writes the rankings, the reward ledger rows of the prize ranks, the
    exit-ladder steps and any exit case; returns the ranking rows written.
    The previous quarter must have been ranked first for a bottom run to
    continue.
    """
    stamp = timezone.now()
    with transaction.atomic(savepoint=False):
        _lock_streets(-(quarter.year * 10 + quarter.number), street_id)
        rows = _write_rankings(quarter, street_id, scheme, stamp)
        if _is_sqlite():
            # SQLite reports no row count for a statement opening with WITH.
            written = QuarterlyRanking.objects.filter(quarter=str(quarter))
            if street_id is not None:
                written = written.filter(street_id=street_id)
            rows = written.count()
        _execute_batch(_follow_up_statements(quarter, street_id, scheme, stamp))
    return rows

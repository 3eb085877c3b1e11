"""Why a company stands where it does: the terms of its quarter score and
the rows behind them, for the ranking page and its drill-down.

The figures are the stored ones (`QuarterlyRanking`); this module only
lays them out by the rules of `assessments/SCORING.md`, "Quarter".
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from common.periods import Quarter
from consultations.models import Concern

from .models import (
    QUARTER_TERMS,
    AssessmentScheme,
    Inspection,
    InspectionItemResult,
    MonthlyCompoundScore,
    PollRole,
    QuarterlyRanking,
    ShortSampleRule,
)
from .scoring_sql import counted_concerns

HUNDRED = Decimal("100")


def term_labels() -> dict[str, str]:
    return {
        "inspection": _("inspection average"),
        "satisfaction": _("resident satisfaction"),
        "concern_timeliness": _("concern timeliness"),
        "reopen_rate": _("(100 − reopen rate)"),
        "visit_day": _("visit-day completion"),
    }


@dataclass(frozen=True)
class FormulaTerm:
    code: str
    label: str
    weight: Decimal
    min_sample: int
    short_rule: str


def formula_terms(scheme: AssessmentScheme) -> list[FormulaTerm]:
    """The terms of the scheme's quarter formula that weigh (weight > 0)."""
    labels = term_labels()
    rule_labels = dict(ShortSampleRule.choices)
    terms = [
        FormulaTerm("inspection", labels["inspection"], scheme.weight_inspection, 0, "")
    ]
    for code, (weight, min_sample, rule) in scheme.quarter_term_rules().items():
        if weight:
            terms.append(
                FormulaTerm(
                    code,
                    labels[code],
                    weight,
                    max(min_sample, 1),
                    str(rule_labels[rule]),
                )
            )
    return terms


def poll_role_text(scheme: AssessmentScheme) -> str:
    return {
        PollRole.ITEM: _(
            "The on-site poll scores as an item of each inspection; the "
            "satisfaction term reads the residents' ratings of answered concerns."
        ),
        PollRole.TERM: _(
            "The on-site poll is not an inspection item: its households join "
            "the residents' ratings in the satisfaction term."
        ),
        PollRole.ITEM_AND_TERM: _(
            "Former rule of this version: the on-site poll counts as an item "
            "and again in the satisfaction term."
        ),
    }[scheme.poll_role]


@dataclass(frozen=True)
class QuarterTerm:
    code: str
    label: str
    weight: Decimal
    value: Decimal | None  # the stored figure, None below the minimum
    used: Decimal | None  # what the formula read; None when dropped
    counts: str
    contribution: Decimal | None


def quarter_terms(ranking: QuarterlyRanking) -> list[QuarterTerm]:
    """Each weighing term of one ranking: figure, counts and contribution."""
    scheme = ranking.scheme
    labels = term_labels()
    average = ranking.inspection_average
    stored = {
        "satisfaction": (
            ranking.satisfaction,
            _("%(pos)s satisfied of %(n)s answers")
            % {"pos": ranking.satisfaction_positive, "n": ranking.satisfaction_answers},
        ),
        "concern_timeliness": (
            ranking.concern_timeliness,
            _("%(ok)s of %(n)s concerns due answered on time")
            % {"ok": ranking.concerns_on_time, "n": ranking.concerns_due},
        ),
        "reopen_rate": (
            None if ranking.reopen_rate is None else HUNDRED - ranking.reopen_rate,
            _("%(r)s of %(n)s answered concerns reopened")
            % {"r": ranking.concerns_reopened, "n": ranking.concerns_answered},
        ),
        "visit_day": (
            ranking.visit_day_completion,
            _("visit day held in %(done)s of %(due)s compound months")
            % {"done": ranking.visit_days_done, "due": ranking.visit_days_due},
        ),
    }
    rows = [
        (
            "inspection",
            scheme.weight_inspection,
            average,
            average,
            _("%(n)s months") % {"n": ranking.months},
        )
    ]
    for code in QUARTER_TERMS:
        weight, _min, rule = scheme.quarter_term_rules()[code]
        if not weight:
            continue
        value, counts = stored[code]
        if value is not None:
            used = value
        elif rule == ShortSampleRule.DROP:
            used = None
        else:
            used = HUNDRED if rule == ShortSampleRule.FULL else average
        rows.append((code, weight, value, used, counts))
    all_weight = sum((w for _c, w, *_r in rows), start=Decimal("0"))
    present = sum(
        (w for _c, w, _v, used, _n in rows if used is not None), start=Decimal("0")
    )
    scale = all_weight / present if present else Decimal("1")
    return [
        QuarterTerm(
            code=code,
            label=labels[code],
            weight=weight,
            value=value,
            used=used,
            counts=counts,
            contribution=None if used is None else (weight * used * scale),
        )
        for code, weight, value, used, counts in rows
    ]


def compound_months(ranking: QuarterlyRanking, user) -> list[MonthlyCompoundScore]:
    """The compound months behind the company's quarter, each with its
    inspections (visible to `user`) and their deductions."""
    quarter = Quarter.parse(ranking.quarter)
    months = list(
        MonthlyCompoundScore.objects.filter(
            company=ranking.company_id,
            street=ranking.street_id,
            month__gte=quarter.start,
            month__lt=quarter.stop,
        )
        .select_related("compound")
        .order_by("month", "compound__name")
    )
    deductions = InspectionItemResult.objects.filter(
        Q(occurrences__gt=0) | Q(not_applicable=True)
    ).select_related("item")
    inspections = (
        Inspection.objects.visible_to(user)
        .scored()
        .filter(
            compound_id__in={m.compound_id for m in months},
            month__gte=quarter.start,
            month__lt=quarter.stop,
        )
        .select_related("veto")
        .prefetch_related(Prefetch("results", deductions, to_attr="deductions"))
        .order_by("date", "pk")
    )
    by_month: dict[tuple[int, object], list[Inspection]] = {}
    for inspection in inspections:
        by_month.setdefault((inspection.compound_id, inspection.month), []).append(
            inspection
        )
    for month in months:
        month.inspections_shown = by_month.get((month.compound_id, month.month), [])
    return months


def concerns_counted(ranking: QuarterlyRanking, user):
    """The concerns the company's resident terms counted (visible to `user`)."""
    quarter = Quarter.parse(ranking.quarter)
    return (
        counted_concerns(quarter, ranking.street_id)
        .filter(handler_company=ranking.company_id)
        .filter(pk__in=Concern.objects.visible_to(user).values("pk"))
        .select_related("compound", "category")
        .order_by("due_at", "pk")
    )

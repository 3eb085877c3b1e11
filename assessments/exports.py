"""The ledgers of assessments/ as workbooks (see `org.exports`):
inspections with their item results, monthly scores, quarterly rankings
(one sheet per street and quarter, the quarter written "2026年第三季度"),
rewards and exit cases."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.periods import Quarter
from common.xlsx import Kind, Sheet
from org.exports import Field, Ledger, sheet_of

from .models import (
    ExitCase,
    Inspection,
    InspectionItemResult,
    MonthlyCompoundScore,
    QuarterlyRanking,
    Reward,
)

QUARTER_LABELS = {
    1: gettext_lazy("Q1 %(year)s"),
    2: gettext_lazy("Q2 %(year)s"),
    3: gettext_lazy("Q3 %(year)s"),
    4: gettext_lazy("Q4 %(year)s"),
}


NOT_RANKED = {"too_few_inspections": gettext_lazy("too few inspections")}


def quarter_label(quarter: str) -> str:
    """ "2026Q3" → "2026年第三季度"; text that is no quarter stays as it is."""
    try:
        parsed = Quarter.parse(quarter)
    except ValidationError:
        return quarter
    return str(QUARTER_LABELS[parsed.number]) % {"year": parsed.year}


def _month(value) -> str:
    return f"{value:%Y-%m}" if value else ""


def inspection_sheets(inspections: QuerySet, user) -> list[Sheet]:
    results = InspectionItemResult.objects.filter(
        inspection__in=inspections.values("pk")
    )
    return [
        sheet_of(
            _("inspections"),
            inspections.order_by("-date", "compound__name", "-version"),
            [
                "date",
                Field("compound__name", _("compound")),
                Field("community__name", _("community")),
                "status",
                "version",
                "is_current",
                Field("score", kind=Kind.SCORE),
                Field("veto__name", _("veto")),
                "satisfied",
                "basically_satisfied",
                "dissatisfied",
                "note",
                "submitted_at",
                Field("submitted_by__username", _("submitted by")),
            ],
        ),
        sheet_of(
            _("item results"),
            results.order_by(
                "-inspection__date",
                "inspection_id",
                "item__category__order",
                "item__code",
            ),
            [
                Field("inspection__date", _("inspection date")),
                Field("inspection__compound__name", _("compound")),
                Field("item__code", _("item code")),
                Field("item__name", _("item")),
                Field("item__max_points", _("maximum points"), Kind.SCORE),
                "occurrences",
                "not_applicable",
                Field("points", kind=Kind.SCORE),
                "note",
            ],
        ),
    ]


def monthly_score_sheets(scores: QuerySet, user) -> list[Sheet]:
    return [
        sheet_of(
            _("monthly scores"),
            scores.order_by("-month", "community__name", "-score", "compound__name"),
            [
                Field("month", kind=Kind.TEXT, show=_month),
                Field("compound__name", _("compound")),
                Field("community__name", _("community")),
                Field("company__name", _("serving company")),
                "households",
                Field("score", kind=Kind.SCORE),
                "inspections",
                "vetoes",
                "vetoed",
                "poll_positive",
                "poll_total",
            ],
        )
    ]


# Quarter scores and terms carry two decimals, as on the ranking page.
RANKING_FIELDS = [
    "rank",
    Field("company__name", gettext_lazy("company")),
    Field("score", kind=Kind.DECIMAL),
    Field("inspection_average", kind=Kind.DECIMAL),
    Field("satisfaction", kind=Kind.DECIMAL),
    Field("concern_timeliness", kind=Kind.DECIMAL),
    Field("reopen_rate", kind=Kind.DECIMAL),
    Field("visit_day_completion", kind=Kind.DECIMAL),
    Field("bonus", kind=Kind.DECIMAL),
    "inspections",
    "compounds",
    Field("prize__title", gettext_lazy("prize")),
    Field("prize__amount", gettext_lazy("prize amount (yuan)"), Kind.MONEY),
    Field("ladder_step__kind", gettext_lazy("exit ladder")),
    "consecutive_bottom",
    Field("not_ranked_reason", show=lambda reason: NOT_RANKED.get(reason, reason)),
]


def ranking_sheets(rankings: QuerySet, user) -> list[Sheet]:
    """One sheet per street and quarter: a street's ranking stands alone."""
    groups = list(
        rankings.order_by("-quarter_start", "street__code", "street__name")
        .values_list("quarter", "street_id", "street__name")
        .distinct()
    )
    several_quarters = len({quarter for quarter, _s, _n in groups}) > 1
    sheets = []
    for quarter, street_id, street_name in groups:
        sheet = sheet_of(
            f"{street_name} {quarter}" if several_quarters else street_name,
            rankings.filter(quarter=quarter, street_id=street_id).order_by(
                "rank", "-score", "company__name"
            ),
            RANKING_FIELDS,
        )
        sheet.scope = street_name
        sheet.period = quarter_label(quarter)
        sheets.append(sheet)
    return sheets


def reward_sheets(rewards: QuerySet, user) -> list[Sheet]:
    return [
        sheet_of(
            _("rewards"),
            rewards.order_by(
                "-ranking__quarter_start", "ranking__street__name", "ranking__rank"
            ),
            [
                Field("ranking__quarter", _("quarter"), show=quarter_label),
                Field("ranking__street__name", _("street")),
                Field("ranking__company__name", _("company")),
                Field("ranking__rank", _("rank")),
                "title",
                Field("amount", kind=Kind.MONEY),
                Field("approved_by__username", _("approved by")),
                "approved_at",
                "payment_reference",
                "paid_on",
            ],
        )
    ]


def exit_case_sheets(cases: QuerySet, user) -> list[Sheet]:
    return [
        sheet_of(
            _("exit cases"),
            cases.order_by("-opened_at", "-pk"),
            [
                Field("company__name", _("company")),
                Field("street__name", _("street")),
                Field("opened_quarter", show=quarter_label),
                "run_start",
                "status",
                "opened_at",
                "status_changed_at",
                "handover_on",
                "note",
            ],
        )
    ]


INSPECTIONS = Ledger(
    "inspections", gettext_lazy("Inspection ledger"), Inspection, inspection_sheets
)
MONTHLY_SCORES = Ledger(
    "monthly-scores",
    gettext_lazy("Monthly compound scores"),
    MonthlyCompoundScore,
    monthly_score_sheets,
)
RANKINGS = Ledger(
    "rankings",
    gettext_lazy("Quarterly ranking of property companies"),
    QuarterlyRanking,
    ranking_sheets,
)
REWARDS = Ledger("rewards", gettext_lazy("Rewards"), Reward, reward_sheets)
EXIT_CASES = Ledger(
    "exit-cases", gettext_lazy("Exit case ledger"), ExitCase, exit_case_sheets
)

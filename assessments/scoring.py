"""The scoring rules as pure functions: plain values in, plain values out.

The rules are written down in `assessments/SCORING.md`; keep the two in
step. `inspection_score` scores one inspection as it is submitted. The
month, quarter and ladder functions are the Python twin of the set-based
SQL in `assessments/scoring_sql.py`, which the jobs run: they state the same
rules in plain Python and serve as the oracle the tests check the SQL
against (`tests/assessments/test_scoring_md.py`, `test_exit_ladder.py`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ItemInput:
    """One scheme item as scored at one inspection."""

    code: str
    max_points: Decimal
    deduction: Decimal = Decimal("0")
    occurrences: int = 0
    not_applicable: bool = False
    is_satisfaction_poll: bool = False


@dataclass(frozen=True)
class Poll:
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied


@dataclass(frozen=True)
class InspectionScore:
    score: Decimal
    earned: Decimal
    applicable_max: Decimal
    # Per item code: points earned, None where the item does not apply.
    items: dict[str, Decimal | None]
    vetoed: bool
    poll_valid: bool


def round_points(value: Decimal) -> Decimal:
    """Round half up to 2 decimals (only ever at the end)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def item_points(
    item: ItemInput, poll: Poll, min_sample: int, poll_as_item: bool = True
) -> Decimal | None:
    """Points one item earns, unrounded; None when it leaves the maximum.

    A scheme that counts the poll in the satisfaction term (not as an
    item) leaves the poll item out of the inspection, so it counts once.
    """
    if item.occurrences < 0:
        raise ValueError("occurrences cannot be negative")
    if item.not_applicable:
        return None
    if item.is_satisfaction_poll and not poll_as_item:
        return None
    if item.is_satisfaction_poll:
        # Too small a poll says nothing: the item counts as not applicable.
        if poll.total < max(min_sample, 1):
            return None
        content = poll.satisfied + poll.basically_satisfied
        return item.max_points * Decimal(content) / Decimal(poll.total)
    deducted = item.deduction * item.occurrences
    return max(Decimal("0"), item.max_points - deducted)


def inspection_score(
    items: Iterable[ItemInput],
    *,
    poll: Poll | None = None,
    min_sample: int = 10,
    vetoed: bool = False,
    veto_score: Decimal = Decimal("0"),
    poll_as_item: bool = True,
) -> InspectionScore:
    """The 0–100 score of one inspection (see SCORING.md, "Inspection")."""
    poll = poll or Poll()
    earned = Decimal("0")
    applicable_max = Decimal("0")
    per_item: dict[str, Decimal | None] = {}
    poll_valid = poll.total >= max(min_sample, 1)
    for item in items:
        points = item_points(item, poll, min_sample, poll_as_item)
        per_item[item.code] = None if points is None else round_points(points)
        if points is None:
            continue
        earned += points
        applicable_max += item.max_points
    if vetoed:
        score = round_points(veto_score)
    elif applicable_max == 0:
        score = Decimal("0.00")
    else:
        score = round_points(HUNDRED * earned / applicable_max)
    return InspectionScore(
        score=score,
        earned=round_points(earned),
        applicable_max=applicable_max,
        items=per_item,
        vetoed=vetoed,
        poll_valid=poll_valid,
    )


# Month and quarter (SCORING.md, "Month" and "Quarter"). The jobs compute the
# same figures in SQL (scoring_sql.py); these functions state the rules in
# plain Python and check the worked example.


def exact_inspection_score(
    items: Iterable[ItemInput],
    *,
    poll: Poll | None = None,
    min_sample: int = 10,
    vetoed: bool = False,
    veto_score: Decimal = Decimal("0"),
    poll_as_item: bool = True,
) -> Decimal:
    """The inspection score before rounding (what the month averages)."""
    if vetoed:
        return veto_score
    poll = poll or Poll()
    earned = applicable_max = Decimal("0")
    for item in items:
        points = item_points(item, poll, min_sample, poll_as_item)
        if points is not None:
            earned += points
            applicable_max += item.max_points
    if applicable_max == 0:
        return Decimal("0")
    return HUNDRED * earned / applicable_max


def compound_month_score(inspection_scores: Iterable[Decimal]) -> Decimal:
    """Mean of the month's inspection scores, rounded at the end."""
    scores = list(inspection_scores)
    return round_points(sum(scores, start=Decimal("0")) / len(scores))


def company_month_score(compounds: Iterable[tuple[Decimal, int]]) -> Decimal:
    """Household-weighted mean of (compound month score, households).

    A compound with no recorded households weighs as one household.
    """
    weighted = total = Decimal("0")
    for score, households in compounds:
        weight = Decimal(households if households > 0 else 1)
        weighted += score * weight
        total += weight
    return round_points(weighted / total)


@dataclass(frozen=True)
class TermRule:
    """One optional term of the quarter as the scheme version sets it."""

    weight: Decimal
    min_sample: int = 1
    # "neutral": the inspection average stands in; "full": 100;
    # "drop": the term and its weight leave the formula.
    short_rule: str = "neutral"


@dataclass(frozen=True)
class ResidentFigures:
    """The counts a company's resident terms come from, in one quarter."""

    rating_positive: int = 0
    rated: int = 0
    answered: int = 0
    due: int = 0
    on_time: int = 0
    reopened: int = 0
    visit_days_due: int = 0
    visit_days_done: int = 0


@dataclass(frozen=True)
class QuarterScore:
    inspection_average: Decimal
    satisfaction: Decimal | None
    bonus: Decimal
    score: Decimal
    concern_timeliness: Decimal | None = None
    reopen_rate: Decimal | None = None
    visit_day_completion: Decimal | None = None
    satisfaction_positive: int = 0
    satisfaction_answers: int = 0


def _share(part: int, whole: int, min_sample: int) -> Decimal | None:
    """100 × part / whole, or None below the minimum sample (at least 1)."""
    if whole < max(min_sample, 1):
        return None
    return round_points(HUNDRED * Decimal(part) / Decimal(whole))


def satisfaction_sample(
    poll_role: str, poll_positive: int, poll_total: int, residents: ResidentFigures
) -> tuple[int, int]:
    """(satisfied, answers) of the satisfaction term under the poll's role.

    Each answer counts once: a rating of an answered concern weighs as one
    polled household.
    """
    if poll_role == "item_and_term":
        return poll_positive, poll_total
    if poll_role == "term":
        return (
            poll_positive + residents.rating_positive,
            poll_total + residents.rated,
        )
    return residents.rating_positive, residents.rated


def quarter_score(
    *,
    monthly_scores: Iterable[Decimal],
    poll_positive: int,
    poll_total: int,
    bonus_points: Decimal = Decimal("0"),
    weight_inspection: Decimal = Decimal("0.70"),
    weight_satisfaction: Decimal = Decimal("0.30"),
    bonus_cap: Decimal = Decimal("5"),
    poll_role: str = "item_and_term",
    residents: ResidentFigures | None = None,
    rules: dict[str, TermRule] | None = None,
) -> QuarterScore:
    """A company's quarter score in one street (SCORING.md, "Quarter").

    `rules` holds the optional terms (satisfaction, concern_timeliness,
    reopen_rate, visit_day); without it only satisfaction weighs, with
    `weight_satisfaction`.
    """
    residents = residents or ResidentFigures()
    rules = rules or {"satisfaction": TermRule(weight_satisfaction)}
    months = list(monthly_scores)
    average = round_points(sum(months, start=Decimal("0")) / len(months))

    def rule(term: str) -> TermRule:
        return rules.get(term, TermRule(Decimal("0")))

    positive, answers = satisfaction_sample(
        poll_role, poll_positive, poll_total, residents
    )
    satisfaction = _share(positive, answers, rule("satisfaction").min_sample)
    timeliness = _share(
        residents.on_time, residents.due, rule("concern_timeliness").min_sample
    )
    reopen_rate = _share(
        residents.reopened, residents.answered, rule("reopen_rate").min_sample
    )
    visit_day = _share(
        residents.visit_days_done,
        residents.visit_days_due,
        rule("visit_day").min_sample,
    )
    values = {
        "satisfaction": satisfaction,
        "concern_timeliness": timeliness,
        # Fewer reopened concerns is better: the term is the share not reopened.
        "reopen_rate": None if reopen_rate is None else HUNDRED - reopen_rate,
        "visit_day": visit_day,
    }
    all_weight = weight_inspection + sum(
        (rule(t).weight for t in values), start=Decimal("0")
    )
    weighted = weight_inspection * average
    present_weight = weight_inspection
    for term, value in values.items():
        term_rule = rule(term)
        if value is None:
            if term_rule.short_rule == "drop":
                continue
            value = HUNDRED if term_rule.short_rule == "full" else average
        weighted += term_rule.weight * value
        present_weight += term_rule.weight
    bonus = min(bonus_points, bonus_cap)
    if present_weight == 0:
        weighted = average
    elif present_weight != all_weight:
        # Dropped terms: the others share their weight in proportion.
        weighted = weighted * all_weight / present_weight
    return QuarterScore(
        inspection_average=average,
        satisfaction=satisfaction,
        bonus=round_points(bonus),
        score=round_points(weighted + bonus),
        concern_timeliness=timeliness,
        reopen_rate=reopen_rate,
        visit_day_completion=visit_day,
        satisfaction_positive=positive,
        satisfaction_answers=answers,
    )


def bottom_ranks(ranked: int, bottom_n: int, prize_ranks: int) -> list[int]:
    """Ranks in the bottom group: the last N, never a prize rank."""
    return [
        r for r in range(1, ranked + 1) if r > ranked - bottom_n and r > prize_ranks
    ]


def ladder_step(consecutive: int, exit_after: int) -> str:
    """The exit-ladder rung for the number of bottom quarters in a row."""
    if consecutive >= exit_after:
        return "exit"
    if consecutive >= 2:
        return "interview"
    return "warning" if consecutive == 1 else ""

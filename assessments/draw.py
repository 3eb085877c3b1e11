"""The sealed monthly draw of unannounced inspections.

For a street and a month, `draw_month` picks which compounds are visited
and in which week. The rules:

- every compound is inspected at least once a quarter: the compounds not
  yet drawn or inspected this quarter are spread over the quarter's
  remaining months (in its last month, all of them are due);
- every compound of the street takes part, whether a company serves it or
  not;
- no compound is drawn for its first visit of the quarter in the month after
  it was drawn, unless the scheme allows it
  (`AssessmentScheme.allow_consecutive_draws`);
- a second visit: each month, every compound already drawn or inspected
  earlier in the quarter is drawn again with the scheme's chance
  (`AssessmentScheme.second_visit_percent`, 20 % in the default scheme),
  last month's included, so a visited company never knows the rest of its
  quarter is safe.

The random seed, the eligible compounds and the quota are stored with a
SHA-256 hash of the canonical plan, so `verify_plan` can re-derive the draw
later and show that nobody changed it.
"""

import hashlib
import json
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.periods import Month, Quarter
from compounds.models import Compound
from org.models import OrgUnit
from org.rights import require

from .models import AssessmentScheme, Inspection, InspectionPlan, PlannedVisit
from .models.inspections import plan_street_ids


@dataclass(frozen=True, order=True)
class Visit:
    compound_id: int
    window_start: date
    window_end: date


def windows(month: date) -> list[tuple[date, date]]:
    """The month cut into four visit windows: 1–7, 8–14, 15–21, 22–end."""
    starts = [1, 8, 15, 22]
    ends = [7, 14, 21, Month.of(month).last_day.day]
    return [
        (month.replace(day=s), month.replace(day=e))
        for s, e in zip(starts, ends, strict=True)
    ]


def derive_plan(
    *,
    month: date,
    seed: str,
    candidates: list[int],
    quota: int,
    second_candidates: Sequence[int] = (),
    second_percent: int = 0,
) -> list[Visit]:
    """The draw itself: pure, so the same inputs give the same plan.

    `quota` of the `candidates` are sampled first; then each of the
    `second_candidates` (in id order) is drawn again when a number from
    0 to 99 falls below `second_percent`. A plan with no second candidates
    takes no further number, so plans sealed before second visits existed
    re-derive as they were.
    """
    rng = random.Random(f"{month.isoformat()}:{seed}")
    chosen = rng.sample(sorted(candidates), min(quota, len(candidates)))
    first = set(chosen)
    for pk in sorted(second_candidates):
        if rng.randrange(100) < second_percent and pk not in first:
            chosen.append(pk)
    slots = windows(month)
    return sorted(Visit(pk, *slots[rng.randrange(len(slots))]) for pk in chosen)


def canonical_plan(
    *, street_id: int, month: date, seed: str, visits: list[Visit]
) -> str:
    return json.dumps(
        {
            "street": street_id,
            "month": month.isoformat(),
            "seed": seed,
            "visits": [
                [v.compound_id, v.window_start.isoformat(), v.window_end.isoformat()]
                for v in sorted(visits)
            ],
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def hash_plan(*, street_id: int, month: date, seed: str, visits: list[Visit]) -> str:
    text = canonical_plan(street_id=street_id, month=month, seed=seed, visits=visits)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_visits(plan: InspectionPlan) -> list[Visit]:
    return sorted(
        Visit(v.compound_id, v.window_start, v.window_end) for v in plan.visits.all()
    )


def verify_plan(plan: InspectionPlan) -> bool:
    """True when the stored visits are exactly what the seed gives, and the
    stored hash matches them."""
    derived = derive_plan(
        month=plan.month,
        seed=plan.seed,
        candidates=plan.candidates,
        quota=plan.quota,
        second_candidates=plan.second_visit_candidates,
        second_percent=plan.second_visit_percent,
    )
    stored = stored_visits(plan)
    expected = hash_plan(
        street_id=plan.street_id, month=plan.month, seed=plan.seed, visits=derived
    )
    return derived == stored and expected == plan.plan_hash


def covered_this_quarter(street: OrgUnit, month: date) -> set[int]:
    """Compounds drawn or inspected earlier in `month`'s quarter."""
    start = Quarter.of(month).start
    drawn = PlannedVisit.objects.filter(
        plan__street=street, plan__month__gte=start, plan__month__lt=month
    ).values_list("compound_id", flat=True)
    inspected = Inspection.objects.filter(
        street=street, month__gte=start, month__lt=month
    ).values_list("compound_id", flat=True)
    return set(drawn) | set(inspected)


@transaction.atomic
def draw_month(
    *, street: OrgUnit, month: date, actor, seed: str | None = None
) -> InspectionPlan:
    """Draw and seal the street's inspection plan for `month`."""
    require(actor, "assessments.draw_plan")
    streets = plan_street_ids(actor)
    if streets is not None and street.pk not in streets:
        raise PermissionDenied(_("Only the street office's cadres may draw the plan."))
    if street.kind != OrgUnit.Kind.STREET:
        raise ValidationError(_("Choose a street property office."))
    period = Month.of(month)
    month = period.start
    if period < Month.current():
        raise ValidationError(
            {"month": _("A month that has passed cannot be drawn any more.")}
        )
    if InspectionPlan.objects.filter(street=street, month=month).exists():
        raise ValidationError(
            {
                "month": _("The plan for %(month)s has already been drawn.")
                % {"month": period}
            },
            code="drawn",
        )
    scheme = AssessmentScheme.objects.in_force(month)
    allow_consecutive = bool(scheme and scheme.allow_consecutive_draws)
    second_percent = scheme.second_visit_percent if scheme else 0
    compounds = set(Compound.objects.filter(street=street).values_list("pk", flat=True))
    covered = covered_this_quarter(street, month) & compounds
    due = compounds - covered
    months_left = 3 - period.quarter.months.index(period)
    quota = math.ceil(len(due) / months_left)
    candidates = due
    if not allow_consecutive:
        last = PlannedVisit.objects.filter(
            plan__street=street, plan__month=period.previous().start
        ).values_list("compound_id", flat=True)
        candidates = due - set(last)
    seed = seed or secrets.token_hex(16)
    candidate_list = sorted(candidates)
    second_list = sorted(covered) if second_percent else []
    visits = derive_plan(
        month=month,
        seed=seed,
        candidates=candidate_list,
        quota=quota,
        second_candidates=second_list,
        second_percent=second_percent,
    )
    plan = InspectionPlan.objects.create(
        street=street,
        month=month,
        seed=seed,
        candidates=candidate_list,
        quota=quota,
        second_visit_candidates=second_list,
        second_visit_percent=second_percent,
        plan_hash=hash_plan(street_id=street.pk, month=month, seed=seed, visits=visits),
        created_by=actor,
    )
    PlannedVisit.objects.bulk_create(
        PlannedVisit(
            plan=plan,
            compound_id=v.compound_id,
            window_start=v.window_start,
            window_end=v.window_end,
        )
        for v in visits
    )
    return plan

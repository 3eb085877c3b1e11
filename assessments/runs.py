"""Scoring runs started from the run page: checked, recorded, queued.

Lives beside `tasks.py` rather than in `services/`: it enqueues the tasks,
which themselves call the scoring services.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.periods import Month, Quarter
from org.models import OrgUnit
from org.rights import require

from .models import ScoringRun
from .services.notices import check_rerank_request, refuse_published
from .services.scoring import (
    refuse_unfinished_month,
    refuse_unfinished_quarter,
    scheme_for_quarter,
)
from .tasks import rank_quarter_task, score_month_task


def run_streets(user):
    """The streets whose scoring `user` may start (the superuser: all)."""
    return OrgUnit.objects.streets().visible_to(user).order_by("code", "name")


def parse_run_period(kind: str, period: str) -> Month | Quarter:
    """The finished month or quarter named by `period`, or a Chinese refusal."""
    period = (period or "").strip()
    try:
        if kind == ScoringRun.Kind.MONTH:
            month = Month.parse(period)
            refuse_unfinished_month(month)
            return month
        if kind == ScoringRun.Kind.QUARTER:
            quarter = Quarter.parse(period)
            refuse_unfinished_quarter(quarter)
            scheme_for_quarter(quarter)
            return quarter
    except ValidationError as exc:
        raise ValidationError({"period": exc.messages}) from None
    raise ValidationError({"kind": _("Choose monthly scoring or quarterly ranking.")})


@transaction.atomic
def queue_scoring_run(
    *, kind: str, period: str, street: OrgUnit | None, actor
) -> ScoringRun:
    """Record a run as queued and hand it to Celery after commit.

    With a broker (`REDIS_URL`) a worker runs it; without one (the demo)
    Celery runs it in-process once the request's transaction commits. A
    street office runs its own street; only the superuser runs every street
    at once (`street=None`).
    """
    require(actor, "assessments.start_scoring_run")
    if street is None:
        if not actor.is_superuser:
            raise ValidationError({"street": _("Choose the street to score.")})
    elif not run_streets(actor).filter(pk=street.pk).exists():
        raise PermissionDenied(_("This street lies outside your area."))
    target = parse_run_period(kind, period)
    if isinstance(target, Quarter):
        refuse_published(target, street)
    run = ScoringRun.objects.create(
        kind=kind,
        period=str(target),
        street=street,
        outcome=ScoringRun.Outcome.QUEUED,
        started_by=actor,
    )
    task = score_month_task if kind == ScoringRun.Kind.MONTH else rank_quarter_task
    transaction.on_commit(lambda: task.delay(str(target), run_id=run.pk))
    return run


@transaction.atomic
def queue_rerank(
    *, street: OrgUnit, quarter: Quarter, actor, reason: str
) -> ScoringRun:
    """Queue the ranking of a published quarter again, with the decision.

    The decision (who, why) travels with the run; the run stores it with
    the result before and after when it ranks (`rank_quarter`).
    """
    require(actor, "assessments.start_scoring_run")
    reason = check_rerank_request(
        street=street, quarter=quarter, actor=actor, reason=reason
    )
    try:
        refuse_unfinished_quarter(quarter)
        scheme_for_quarter(quarter)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from None
    run = ScoringRun.objects.create(
        kind=ScoringRun.Kind.QUARTER,
        period=str(quarter),
        street=street,
        outcome=ScoringRun.Outcome.QUEUED,
        started_by=actor,
        note=_("Re-rank decision: %(reason)s") % {"reason": reason},
    )
    transaction.on_commit(
        lambda: rank_quarter_task.delay(
            str(quarter), run_id=run.pk, rerank_by=actor.pk, rerank_reason=reason
        )
    )
    return run

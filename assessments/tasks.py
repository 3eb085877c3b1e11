"""Celery tasks of the scoring jobs, and the monthly job's fan-out.

The tasks take ISO period strings ("2026-03", "2026Q1") and call the
services in `services/scoring.py`. The monthly job fans out one task per
street office and joins them in a chord; with no broker configured Celery
runs the same chord in-process.
"""

from datetime import date

from celery import chord, current_app, shared_task
from django.db import transaction

from common.periods import Month, Quarter

from .models import ScoringRun
from .services.inspections import send_rectification_reminders
from .services.notices import ReRankDecision
from .services.scoring import rank_quarter, score_street_month, start_month_run


@shared_task(bind=True)
def score_month_task(self, month: str | None = None, run_id: int | None = None) -> int:
    """Start the monthly job (default: the month before) and return its run id.

    The street tasks go to the queue this task came from. `run_id` names a
    run queued from the run page.
    """
    queue = (self.request.delivery_info or {}).get("routing_key")
    run = ScoringRun.objects.get(pk=run_id) if run_id else None
    try:
        return fan_out_month(
            Month.parse(month) if month else None, queue=queue, run=run
        )
    except Exception as exc:
        if run is not None:
            run.fail(exc)
        raise


@shared_task
def score_street_month_task(street_id: int, month: str, run_id: int) -> int:
    try:
        rows = score_street_month(street_id, Month.parse(month))
    except Exception as exc:
        ScoringRun.objects.get(pk=run_id).fail(exc)
        raise
    ScoringRun(pk=run_id).part_done()
    return rows


@shared_task
def finish_scoring_run_task(rows: list[int], run_id: int) -> int:
    ScoringRun.objects.get(pk=run_id).finish(sum(rows))
    return run_id


@shared_task
def rank_quarter_task(
    quarter: str | None = None,
    run_id: int | None = None,
    rerank_by: int | None = None,
    rerank_reason: str = "",
) -> int:
    """Rank the quarter (default: the quarter before); return the run id.

    `run_id` names a run queued from the run page; `rerank_by` and
    `rerank_reason` carry the re-rank decision of a published quarter
    (the run's street) taken on the ranking page.
    """
    target = Quarter.parse(quarter) if quarter else Quarter.current().previous()
    run = ScoringRun.objects.get(pk=run_id) if run_id else None
    decision = None
    if rerank_by is not None and run is not None and run.street_id:
        decision = ReRankDecision(
            street_id=run.street_id, decided_by_id=rerank_by, reason=rerank_reason
        )
    try:
        return rank_quarter(target, run=run, rerank=decision).pk
    except Exception as exc:
        if run is not None:
            run.fail(exc)
        raise


def fan_out_month(
    month: Month | None = None,
    *,
    queue: str | None = None,
    run: ScoringRun | None = None,
) -> int:
    """Record a monthly run and enqueue one task per street office.

    The street tasks are joined by a chord whose body finishes the run; the
    chord is sent after commit so workers find the run row. Returns the
    run's id.
    """
    month = month or Month.current().previous()
    run, streets = start_month_run(month, run=run)
    if streets:
        transaction.on_commit(
            lambda: month_chord(str(month), run.pk, streets, queue=queue)
        )
    return run.pk


def month_chord(
    month: str, run_id: int, street_ids: list[int], queue: str | None = None
):
    # The join is sent by whichever worker finishes last: name the queue on
    # every signature so it does not fall back to that worker's default.
    queue = queue or current_app.conf.task_default_queue
    return chord(
        score_street_month_task.s(street_id, month, run_id).set(queue=queue)
        for street_id in street_ids
    )(finish_scoring_run_task.s(run_id).set(queue=queue))


@shared_task
def send_rectification_reminders_task(on: str | None = None) -> dict[str, int]:
    """Remind companies of notices due soon (default: today); return the
    notices reminded and the e-mails and SMS queued."""
    queued = send_rectification_reminders(on=date.fromisoformat(on) if on else None)
    return queued.log("rectification reminders").as_dict()

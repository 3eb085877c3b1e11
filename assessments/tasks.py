"""Thin Celery tasks for the scoring jobs (rules in scoring_services.py).

The monthly job fans out one task per street office and joins them in a
chord; with no broker configured Celery runs the same chord in-process.
"""

from celery import chord, current_app, shared_task

from . import scoring_services as services


@shared_task(bind=True)
def score_month_task(self, month: str | None = None) -> int:
    """Start the monthly job (default: the month before) and return its run id.

    The street tasks go to the queue this task came from.
    """
    queue = (self.request.delivery_info or {}).get("routing_key")
    return services.fan_out_month(month, queue=queue)


@shared_task
def score_street_month_task(street_id: int, month: str, run_id: int) -> int:
    try:
        return services.score_street_month(street_id, month)
    except Exception as exc:
        services.fail_run(run_id, exc)
        raise


@shared_task
def finish_scoring_run_task(rows: list[int], run_id: int) -> int:
    services.finish_run_by_id(run_id, rows=sum(rows))
    return run_id


@shared_task
def rank_quarter_task(quarter: str | None = None) -> int:
    """Rank the quarter (default: the quarter before); return the run id."""
    quarter = quarter or str(services.previous_quarter())
    return services.rank_quarter(quarter).pk


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

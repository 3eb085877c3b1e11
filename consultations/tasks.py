"""Thin Celery wrappers around the outbox and the deadline sweep."""

from celery import shared_task


@shared_task
def send_notification_task(notification_id: int) -> bool:
    from .notifications import send_notification

    return send_notification(notification_id)


@shared_task
def sweep_outbox_task() -> int:
    from .notifications import sweep_outbox

    return sweep_outbox()


@shared_task
def sweep_deadlines_task() -> int:
    from .services import sweep_deadlines

    return sweep_deadlines()


# Visit-day tasks live beside the visit-day services; importing them here
# registers them with the worker's autodiscovery.
from .civic_tasks import send_visit_day_reminders_task  # noqa: E402, F401

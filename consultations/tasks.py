"""Thin Celery wrappers around the outbox and the deadline sweep."""

from celery import shared_task

from . import services
from .held_photos import purge_held_photos
from .notifications import send_notification_task, sweep_outbox

__all__ = [
    "purge_held_photos_task",
    "remind_due_tomorrow_task",
    "send_notification_task",
    "sweep_deadlines_task",
    "sweep_outbox_task",
]


@shared_task
def sweep_outbox_task() -> int:
    return sweep_outbox()


@shared_task
def sweep_deadlines_task() -> dict[str, int]:
    return services.sweep_deadlines().log("overdue concerns").as_dict()


@shared_task
def purge_held_photos_task() -> int:
    return purge_held_photos()


@shared_task
def remind_due_tomorrow_task() -> dict[str, int]:
    return services.remind_due_tomorrow().log("concerns due tomorrow").as_dict()

"""Thin Celery wrappers around the outbox and the deadline sweep."""

from celery import shared_task

from . import services
from .notifications import send_notification_task, sweep_outbox

__all__ = ["send_notification_task", "sweep_deadlines_task", "sweep_outbox_task"]


@shared_task
def sweep_outbox_task() -> int:
    return sweep_outbox()


@shared_task
def sweep_deadlines_task() -> int:
    return services.sweep_deadlines()

"""Thin Celery wrappers around the visit-day services."""

from celery import shared_task

from . import services


@shared_task
def send_visit_day_reminders_task() -> int:
    return services.send_visit_day_reminders()

"""Thin Celery wrappers for visit days."""

from celery import shared_task


@shared_task
def send_visit_day_reminders_task() -> int:
    """On the eve of a visit day, e-mail each manager their compounds."""
    from .civic_services import send_visit_day_reminders

    return send_visit_day_reminders()

"""Thin Celery wrappers around the reminder services."""

from celery import shared_task

from . import services


@shared_task
def send_visit_day_reminders_task() -> int:
    return services.send_visit_day_reminders()


@shared_task
def send_term_ending_reminders_task() -> int:
    return services.send_term_ending_reminders()


@shared_task
def send_empty_seat_reminders_task() -> int:
    return services.send_empty_seat_reminders()

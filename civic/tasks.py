"""Thin Celery wrappers around the reminder services."""

from celery import shared_task

from . import services


@shared_task
def send_visit_day_reminders_task() -> dict[str, int]:
    return services.send_visit_day_reminders().log("visit-day reminders").as_dict()


@shared_task
def send_term_ending_reminders_task() -> dict[str, int]:
    return services.send_term_ending_reminders().log("term reminders").as_dict()


@shared_task
def send_empty_seat_reminders_task() -> dict[str, int]:
    return services.send_empty_seat_reminders().log("empty-seat reminders").as_dict()

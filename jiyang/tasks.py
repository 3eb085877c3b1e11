"""Celery tasks of the project package: thin wrappers across apps."""

from celery import shared_task

from .resident_data import erase_expired_contacts


@shared_task
def erase_expired_resident_contacts_task() -> int:
    """Erase residents' contact data past RESIDENT_CONTACT_RETENTION_MONTHS."""
    return erase_expired_contacts()

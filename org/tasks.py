"""Celery tasks of the org app: thin wrappers around its own functions."""

from celery import shared_task

from .audit import purge_old_events
from .models import OrgUnit
from .place import resync_places


@shared_task
def resync_places_task(unit_id: int) -> int:
    """Set the place copies of every row under the unit from the tree again.

    A move in the admin keeps them in step on its own; this repairs them
    after bulk edits that bypass `OrgUnit.save()` (imports, SQL fixes).
    Returns the number of rows updated.
    """
    return resync_places(OrgUnit.objects.get(pk=unit_id))


@shared_task
def purge_audit_events_task() -> int:
    """Delete audit events past the retention (AUDIT_RETENTION_DAYS)."""
    return purge_old_events()

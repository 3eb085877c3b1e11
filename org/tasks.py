"""Celery tasks of the org app: thin wrappers around its own functions."""

from celery import shared_task

from .audit import purge_old_events
from .exports import run_export_job
from .jobs import purge_expired_jobs
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


# A million rows take tens of minutes on a loaded machine (docs/exports.md):
# more than the default CELERY_TASK_TIME_LIMIT.
EXPORT_TIME_LIMIT = 3 * 60 * 60


@shared_task(time_limit=EXPORT_TIME_LIMIT, soft_time_limit=EXPORT_TIME_LIMIT - 300)
def export_ledger_task(job_id: int) -> int:
    """Write a large export's workbook (`org.exports.run_export_job`)."""
    job = run_export_job(job_id)
    return job.rows_done if job is not None else 0


@shared_task
def purge_ledger_jobs_task() -> int:
    """Delete ledger jobs past LEDGER_JOB_HOURS, with their files."""
    return purge_expired_jobs()

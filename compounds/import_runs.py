"""Import jobs started from the ledger pages: stored, recorded, queued.

Lives beside `tasks.py`: it enqueues the task, which itself calls
`import_jobs.run_import_job`. With a broker (`REDIS_URL`) a worker runs the
job; without one (the demo) Celery runs it in-process as the request
commits.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from common.workbooks import estimate_rows
from org.jobs import enqueue_after_commit, queue_job, requeue_job
from org.models import LedgerJob

from .ledgers import Ledger
from .tasks import import_ledger_task


@transaction.atomic
def queue_import_job(*, user, ledger: Ledger, upload) -> LedgerJob:
    """Hold the upload for a new job and queue its dry run after commit."""
    job = queue_job(
        task=import_ledger_task,
        user=user,
        kind=LedgerJob.Kind.IMPORT,
        ledger=ledger.slug,
        title=str(ledger.title),
        rows_total=estimate_rows(upload),
    )
    upload.seek(0)
    # Saved before the commit that hands the job to the worker.
    job.upload.save(f"{uuid.uuid4().hex}.xlsx", File(upload), save=True)
    return job


@transaction.atomic
def confirm_import_job(job: LedgerJob) -> LedgerJob:
    """Queue the import of a dry-run job whose every row was valid.

    The import checks every row again (the records may have changed since
    the dry run) and stores all of them or none.
    """
    job = LedgerJob.objects.select_for_update().get(pk=job.pk)
    ready = (
        job.kind == LedgerJob.Kind.IMPORT
        and job.state == LedgerJob.State.DONE
        and not job.confirmed
        and job.report.get("ok")
    )
    if not ready:
        raise ValidationError(_("This import cannot be confirmed (any more)."))
    if not job.upload or job.is_expired:
        raise ValidationError(
            _("The uploaded file is no longer held. Upload it again.")
        )
    requeue_job(job, confirmed=True)
    enqueue_after_commit(import_ledger_task, job)
    return job

"""A ledger import as a job (`org.LedgerJob`): the dry run, then the import.

The worker runs `run_import_job`: the stored upload is read and checked by
`compounds.ledgers.import_ledger`, for any ledger of `LEDGERS`, with its
progress hook reporting to the job. Unconfirmed, the job is the dry run
and stores nothing; confirmed, every row is checked again and stored, all
or none. A file that cannot be read fails the job with the clerk's Chinese
message. The upload goes once it can no longer be imported (imported,
refused, or the job expired: `org.jobs.purge_expired_jobs`).
"""

from __future__ import annotations

import logging

from django.utils import translation
from django.utils.translation import gettext as _

from org.jobs import claim_job, finish_job, report_progress
from org.models import LedgerJob

from .ledgers import LEDGERS, ImportReport, import_ledger

log = logging.getLogger(__name__)

# The report keeps this many problems and changes; the rest are counted.
KEPT = 200


def report_data(report: ImportReport) -> dict:
    """The report as the job keeps it (JSON) and its page shows it."""
    changed = [o for o in report.outcomes if o.action != "unchanged"]
    return {
        "applied": report.applied,
        "ok": report.ok,
        "file_error": report.file_error,
        "rows": report.rows,
        "created": report.count("create"),
        "updated": report.count("update"),
        "unchanged": report.count("unchanged"),
        "problem_count": len(report.problems),
        "problems": [
            {"row": p.row, "column": p.column, "value": p.value, "message": p.message}
            for p in report.problems[:KEPT]
        ],
        "changed_count": len(changed),
        "changed": [
            {
                "row": o.row,
                "label": o.label,
                "action": o.action,
                "changes": "；".join(o.changes),
            }
            for o in changed[:KEPT]
        ],
    }


def run_import_job(job_id: int) -> LedgerJob | None:
    """Check (or, confirmed, import) a queued import job's workbook."""
    job = claim_job(job_id)
    if job is None:
        return None
    with translation.override(job.language):
        ledger = LEDGERS.get(job.ledger)
        if ledger is None or not job.upload:
            job.delete_files()
            finish_job(
                job,
                error=_("The uploaded file is no longer held. Upload it again."),
                upload="",
            )
            return job
        read = [0]

        def progress(done: int) -> None:
            read[0] = done
            report_progress(job.pk, done, job.rows_total)

        try:
            with job.upload.open("rb") as upload:
                report = import_ledger(
                    ledger,
                    upload,
                    user=job.user,
                    apply=job.confirmed,
                    progress=progress,
                )
        except Exception:
            log.exception("ledger import job %s failed", job.pk)
            job.delete_files()
            finish_job(
                job,
                error=_("The import failed; nothing was stored. Try again later."),
                upload="",
            )
            return job
        data = report_data(report)
        keep_upload = report.ok and not report.applied
        if not keep_upload:
            job.upload.delete(save=False)
        finish_job(
            job,
            error=report.file_error,
            report=data,
            rows_done=read[0],
            rows_total=read[0] if not report.file_error else job.rows_total,
        )
    return job

"""Ledger downloads: a workbook now, or for a large ledger a job on Celery.

`ledger_response` is what the admin's "导出 Excel" action and the list
pages return. Up to LEDGER_EXPORT_JOB_ROWS rows the workbook is written in
the request; above, the export is queued (`queue_export_job`) and the user
is sent to the job's page, where the file waits when the worker is done
(docs/exports.md).
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from common.xlsx import CONTENT_TYPE

from .exports import Ledger, export_ledger, scope_label
from .jobs import dump_query, queue_job
from .models import LedgerJob, User
from .tasks import export_ledger_task


@transaction.atomic
def queue_export_job(
    *, user: User, ledger, queryset: QuerySet, filename: str, total: int
) -> LedgerJob:
    """Record a large export and hand it to Celery after commit."""
    return queue_job(
        task=export_ledger_task,
        user=user,
        kind=LedgerJob.Kind.EXPORT,
        ledger=ledger.name,
        title=str(ledger.title),
        scope=scope_label(user),
        filename=filename,
        query=dump_query(queryset),
        rows_total=total,
    )


def ledger_response(
    request, ledger: Ledger, queryset: QuerySet, filename: str = ""
) -> FileResponse | HttpResponseRedirect:
    """The workbook of `export_ledger` as a download, or for more rows than
    LEDGER_EXPORT_JOB_ROWS a job on Celery and its page, where the file
    waits when ready (docs/exports.md)."""
    filename = filename or ledger.filename(timezone.localdate())
    total = queryset.count()
    if total > settings.LEDGER_EXPORT_JOB_ROWS:
        job = queue_export_job(
            user=request.user,
            ledger=ledger,
            queryset=queryset,
            filename=filename,
            total=total,
        )
        messages.info(
            request,
            _(
                "%(rows)s rows are exported in the background; the file waits "
                "on this page and under my tasks when ready."
            )
            % {"rows": f"{total:,}"},
        )
        return HttpResponseRedirect(job.get_absolute_url())
    # A spooled file: small ledgers stay in memory, large ones go to disk;
    # FileResponse closes it once sent.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    export_ledger(
        user=request.user,
        ledger=ledger,
        queryset=queryset,
        target=buffer,
        request=request,
    )
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=filename, content_type=CONTENT_TYPE
    )

"""Ledger jobs: imports and large exports run by a Celery worker.

A job is queued by the page, handed to Celery after commit and claimed by
the worker (queued → running, by one conditional UPDATE, so a task
delivered twice runs once). With a broker (`REDIS_URL`) a worker runs it
and the page polls `status_of`; without one (the demo) Celery runs it
in-process as the request commits, so the page shows it finished.

Progress (rows done of rows in all) is written to the cache while the job
runs: an import reads and checks its rows inside one transaction, and
what it wrote to its own row would stay invisible to the page until the
end. The row keeps the figures at the start and the finish.

An export is stored as its scoped queryset's query, pickled and signed
with the secret key, so the worker writes exactly the rows the user's
list held when they asked, streamed (`org.exports`), never all in memory.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .audit import street_of
from .models import LedgerJob, User

log = logging.getLogger(__name__)

QUERY_SALT = "org.jobs.query"
# Progress is written every this many rows.
PROGRESS_EVERY = 500


def _progress_key(job_id: int) -> str:
    return f"ledger-job-progress:{job_id}"


def new_job(
    *, user: User, kind: str, ledger: str, title: str, scope: str = "", **fields
) -> LedgerJob:
    """A queued job of `user`, expiring LEDGER_JOB_HOURS from now."""
    now = timezone.now()
    return LedgerJob.objects.create(
        user=user,
        kind=kind,
        ledger=ledger,
        title=title[:200],
        scope=scope[:300],
        street=street_of(user),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_at=now,
        expires_at=now + timedelta(hours=settings.LEDGER_JOB_HOURS),
        **fields,
    )


def queue_job(*, task, **fields) -> LedgerJob:
    """A new job (`new_job`), handed to the Celery `task` after commit."""
    job = new_job(**fields)
    enqueue_after_commit(task, job)
    return job


def enqueue_after_commit(task, job: LedgerJob) -> None:
    """Send `job` to `task` once the transaction commits.

    A broker that does not answer fails the job with a Chinese message
    (the page says to try again) instead of failing the request.
    """

    def send() -> None:
        try:
            task.delay(job.pk)
        except Exception:
            log.warning("ledger job %s: the broker did not take it", job.pk)
            with translation.override(job.language):
                error = _("The task queue is not answering; try again in a minute.")
            LedgerJob.objects.filter(pk=job.pk, state=LedgerJob.State.QUEUED).update(
                state=LedgerJob.State.FAILED, error=error, finished_at=timezone.now()
            )

    transaction.on_commit(send)


def report_progress(job_id: int, done: int, total: int | None = None) -> None:
    """Note how far a running job is; a cache outage only hides it."""
    try:
        cache.set(_progress_key(job_id), (done, total), timeout=3600)
    except Exception:  # noqa: BLE001 - progress is a courtesy, never a failure
        log.warning("ledger job %s: progress not stored", job_id)


def progress_of(job: LedgerJob) -> tuple[int, int | None]:
    """Rows done and rows in all (None: not known yet)."""
    if job.state == LedgerJob.State.RUNNING:
        try:
            noted = cache.get(_progress_key(job.pk))
        except Exception:  # noqa: BLE001
            noted = None
        if noted:
            done, total = noted
            return done, total if total is not None else job.rows_total
    return job.rows_done, job.rows_total


def status_of(job: LedgerJob) -> dict:
    """What the job page shows and its script polls."""
    done, total = progress_of(job)
    percent = None
    if job.state == LedgerJob.State.DONE:
        percent = 100
    elif total:
        percent = min(99, int(done * 100 / total))
    if total:
        rows_label = _("%(done)s of %(total)s rows") % {
            "done": f"{done:,}",
            "total": f"{total:,}",
        }
    else:
        rows_label = _("%(done)s rows") % {"done": f"{done:,}"}
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "rows_done": done,
        "rows_total": total,
        "rows_label": rows_label,
        "percent": percent,
        "finished": job.finished,
        "error": job.error,
    }


def claim_job(job_id: int) -> LedgerJob | None:
    """Take a queued job for running; None if another run took it."""
    now = timezone.now()
    taken = LedgerJob.objects.filter(pk=job_id, state=LedgerJob.State.QUEUED).update(
        state=LedgerJob.State.RUNNING, started_at=now, rows_done=0
    )
    if taken != 1:
        return None
    job = LedgerJob.objects.select_related("user").get(pk=job_id)
    report_progress(job.pk, 0, job.rows_total)
    return job


def finish_job(job: LedgerJob, *, error: str = "", **fields) -> None:
    """Record the end of a run: done, or failed with `error` (in Chinese)."""
    job.state = LedgerJob.State.FAILED if error else LedgerJob.State.DONE
    job.error = error
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    with contextlib.suppress(Exception):
        cache.delete(_progress_key(job.pk))


def requeue_job(job: LedgerJob, **fields) -> None:
    """Queue a finished job again (an import confirmed after its dry run)."""
    job.state = LedgerJob.State.QUEUED
    job.error = ""
    job.rows_done = 0
    job.finished_at = None
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def purge_expired_jobs(now=None) -> int:
    """Delete jobs past their expiry with their files; the number deleted.

    Covers uploads never confirmed and export files never fetched alike.
    """
    count = 0
    for job in LedgerJob.objects.expired(now).iterator(chunk_size=200):
        job.delete_files()
        job.delete()
        count += 1
    return count


# Exports ------------------------------------------------------------------------


def _sign(payload: bytes) -> bytes:
    return salted_hmac(QUERY_SALT, payload, algorithm="sha256").digest()


def dump_query(queryset: QuerySet) -> bytes:
    payload = pickle.dumps(queryset.query)
    return _sign(payload) + payload


def load_query(model, data: bytes) -> QuerySet:
    """The queryset stored by `dump_query`; ValueError if tampered with."""
    data = bytes(data)
    signature, payload = data[:32], data[32:]
    if not constant_time_compare(signature, _sign(payload)):
        raise ValueError("the stored query does not carry the portal's signature")
    queryset = model._default_manager.all()
    # Only the portal's own pickles get here: their signature is checked.
    queryset.query = pickle.loads(payload)  # noqa: S301
    return queryset

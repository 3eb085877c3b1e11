"""The pages of ledger jobs: an export's progress and its file, and the
status every job page polls.

A job is seen by the user who started it and by the street office of its
street (`LedgerJob.objects.visible_to`); to anyone else it does not exist.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from common.xlsx import CONTENT_TYPE

from .jobs import status_of
from .models import LedgerJob


def visible_job(user, pk: int) -> LedgerJob:
    """The job `pk` if `user` may see it; 404 otherwise."""
    return get_object_or_404(LedgerJob.objects.visible_to(user), pk=pk)


@login_required
@never_cache
def job_list(request):
    """/jobs/: the user's own imports and exports of the last hours."""
    jobs = LedgerJob.objects.filter(user=request.user).order_by("-created_at")[:50]
    return render(
        request,
        "org/ledger_job_list.html",
        {"jobs": jobs, "hours": settings.LEDGER_JOB_HOURS},
    )


@login_required
@never_cache
def job_detail(request, pk: int):
    """/jobs/<pk>/: an export's progress, then its download link."""
    job = visible_job(request.user, pk)
    if job.kind != LedgerJob.Kind.EXPORT:
        return redirect(job.get_absolute_url())
    return render(
        request, "org/ledger_job.html", {"job": job, "status": status_of(job)}
    )


@login_required
@never_cache
def job_status(request, pk: int):
    """/jobs/<pk>/status.json: state and progress, for the page's script."""
    return JsonResponse(status_of(visible_job(request.user, pk)))


@login_required
@never_cache
def job_download(request, pk: int):
    """/jobs/<pk>/download/: the finished export's workbook."""
    job = visible_job(request.user, pk)
    if (
        job.kind != LedgerJob.Kind.EXPORT
        or job.state != LedgerJob.State.DONE
        or not job.result
        or job.is_expired
        or not job.result.storage.exists(job.result.name)
    ):
        raise Http404
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.filename or f"{job.ledger}.xlsx",
        content_type=CONTENT_TYPE,
    )

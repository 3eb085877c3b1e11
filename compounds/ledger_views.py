"""Staff pages of the ledger import: templates, dry run, confirmation.

Which ledgers a user may import comes from the rights table (each ledger's
task); where the rows may go, from their posts (`compounds.ledgers`).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from org.audit import record_event
from org.job_views import visible_job
from org.jobs import status_of
from org.models import AuditEvent, LedgerJob
from org.rights import may, require

from .import_runs import confirm_import_job, queue_import_job
from .ledgers import LEDGERS, export_workbook, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ledger(user, slug: str):
    ledger = LEDGERS.get(slug)
    if ledger is None:
        raise Http404
    require(user, ledger.task)
    return ledger


@login_required
def ledger_index(request):
    """/ledgers/: the ledgers this user may bring in, with their templates."""
    ledgers = [ledger for ledger in LEDGERS.values() if may(request.user, ledger.task)]
    if not ledgers:
        require(request.user, next(iter(LEDGERS.values())).task)
    return render(request, "compounds/ledger_index.html", {"ledgers": ledgers})


@login_required
def ledger_template(request, slug: str):
    """/ledgers/<slug>/template.xlsx: the empty template with its notes."""
    ledger = _ledger(request.user, slug)
    response = HttpResponse(template_workbook(ledger), content_type=XLSX)
    filename = _("%(ledger)s import template") % {"ledger": ledger.title}
    response["Content-Disposition"] = (
        f'attachment; filename="{ledger.slug}-template.xlsx"; '
        f"filename*=UTF-8''{_quote(filename)}.xlsx"
    )
    return response


@login_required
def ledger_export(request, slug: str):
    """/ledgers/<slug>/export.xlsx: the visible records in the template's
    layout, ready to be edited and imported back."""
    ledger = _ledger(request.user, slug)
    response = HttpResponse(content_type=XLSX)
    rows = export_workbook(ledger, user=request.user, target=response)
    record_event(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        request=request,
        detail=f"{ledger.title}: {rows}",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{ledger.slug}.xlsx"; '
        f"filename*=UTF-8''{_quote(str(ledger.title))}.xlsx"
    )
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request, slug: str):
    """/ledgers/<slug>/import/: upload → a job whose page shows the dry run."""
    ledger = _ledger(request.user, slug)
    context = {"ledger": ledger}
    if request.method == "GET":
        return render(request, "compounds/ledger_import.html", context)
    upload = request.FILES.get("workbook")
    if upload is None:
        context["error"] = _("Choose the filled-in workbook (.xlsx) to upload.")
        return render(request, "compounds/ledger_import.html", context, status=400)
    if upload.size > settings.LEDGER_UPLOAD_MAX_BYTES:
        context["error"] = _("The file is larger than %(mb)s MB.") % {
            "mb": settings.LEDGER_UPLOAD_MAX_BYTES // (1024 * 1024)
        }
        return render(request, "compounds/ledger_import.html", context, status=400)
    job = queue_import_job(user=request.user, ledger=ledger, upload=upload)
    return redirect(job.get_absolute_url())


def _import_job(request, slug: str, pk: int):
    ledger = _ledger(request.user, slug)
    job = visible_job(request.user, pk)
    if job.kind != LedgerJob.Kind.IMPORT or job.ledger != ledger.slug:
        raise Http404
    return ledger, job


@login_required
@never_cache
def ledger_job(request, slug: str, pk: int):
    """/ledgers/<slug>/jobs/<pk>/: the job's progress, then its report."""
    ledger, job = _import_job(request, slug, pk)
    report = job.report or {}
    context = {
        "ledger": ledger,
        "job": job,
        "status": status_of(job),
        "report": report,
        "hidden_problems": max(
            0, report.get("problem_count", 0) - len(report.get("problems", []))
        ),
        "hidden_changes": max(
            0, report.get("changed_count", 0) - len(report.get("changed", []))
        ),
        "may_confirm": (
            job.state == LedgerJob.State.DONE
            and not job.confirmed
            and report.get("ok")
            and bool(job.upload)
            and job.user_id == request.user.pk
        ),
    }
    status = 400 if job.state == LedgerJob.State.FAILED else 200
    return render(request, "compounds/ledger_job.html", context, status=status)


@login_required
@require_POST
def ledger_job_confirm(request, slug: str, pk: int):
    """Confirm a dry run: the job imports, checking every row again."""
    _ledger, job = _import_job(request, slug, pk)
    if job.user_id != request.user.pk:
        # The street office may watch a clerk's import, not confirm it.
        raise PermissionDenied
    try:
        confirm_import_job(job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(job.get_absolute_url())

"""Staff pages of the ledger import: templates, dry run, confirmation.

Which ledgers a user may import comes from the rights table (each ledger's
task); where the rows may go, from their posts (`compounds.ledgers`).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from org.audit import record_event
from org.models import AuditEvent
from org.rights import may, require

from .held_ledgers import held_workbook, hold_workbook, release_workbook
from .ledgers import (
    LEDGERS,
    ImportReport,
    export_workbook,
    import_ledger,
    template_workbook,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The report lists this many problems; the rest are counted.
SHOWN_PROBLEMS = 200


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
    """/ledgers/<slug>/import/: upload → dry run report → confirm."""
    ledger = _ledger(request.user, slug)
    context = {"ledger": ledger, "shown": SHOWN_PROBLEMS}
    if request.method == "GET":
        return render(request, "compounds/ledger_import.html", context)
    token = request.POST.get("token", "")
    if token:
        held = held_workbook(token, user=request.user, slug=slug)
        if held is None:
            context["error"] = _(
                "The uploaded file is no longer held. Upload it again."
            )
            return render(request, "compounds/ledger_import.html", context, status=400)
        with held:
            report = import_ledger(ledger, held, user=request.user, apply=True)
        if report.applied:
            release_workbook(token, user=request.user, slug=slug)
        else:
            context["token"] = token
        return _report(request, context, report)
    upload = request.FILES.get("workbook")
    if upload is None:
        context["error"] = _("Choose the filled-in workbook (.xlsx) to upload.")
        return render(request, "compounds/ledger_import.html", context, status=400)
    if upload.size > settings.LEDGER_UPLOAD_MAX_BYTES:
        context["error"] = _("The file is larger than %(mb)s MB.") % {
            "mb": settings.LEDGER_UPLOAD_MAX_BYTES // (1024 * 1024)
        }
        return render(request, "compounds/ledger_import.html", context, status=400)
    report = import_ledger(ledger, upload, user=request.user, apply=False)
    if report.ok:
        context["token"] = hold_workbook(upload, user=request.user, slug=slug)
    return _report(request, context, report)


def _report(request, context, report: ImportReport):
    context.update(
        report=report,
        problems=report.problems[:SHOWN_PROBLEMS],
        hidden_problems=max(0, len(report.problems) - SHOWN_PROBLEMS),
        changed=[o for o in report.outcomes if o.action != "unchanged"][
            :SHOWN_PROBLEMS
        ],
        created=report.count("create"),
        updated=report.count("update"),
        unchanged=report.count("unchanged"),
    )
    status = 200 if report.ok else 400
    return render(request, "compounds/ledger_import.html", context, status=status)

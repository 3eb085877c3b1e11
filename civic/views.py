"""Pages for visit days, meetings and disclosures.

Managers and staff log in; what they see comes from `visible_to(user)`.
The disclosure page is public. Views parse, call `civic_services`, render.
"""

from datetime import date
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from common.errors import add_to_form, flash
from common.parsing import parse_id
from common.periods import Month
from compounds.models import Compound
from consultations.models import Concern, ConcernCategory
from consultations.public_views import public_concern_form
from org.rights import may, require
from org.scope import user_scope

from . import services
from .forms import (
    ActionItemDoneForm,
    AgendaItemForm,
    CloseMeetingForm,
    DecisionFormSet,
    DisclosureForm,
    MeetingForm,
    NeedToConcernForm,
    VisitReportForm,
)
from .models import (
    ActionItem,
    Disclosure,
    Meeting,
    MeetingDecision,
    VisitNeed,
    VisitReport,
)


def _require_org_staff(user) -> None:
    if not user_scope(user).is_org_staff:
        raise PermissionDenied(_("Only street, community and grid staff may do this."))


def render(request, template: str, context: dict | None = None):
    """Django's render, with `is_org_staff` for the navigation."""
    context = {"is_org_staff": user_scope(request.user).is_org_staff, **(context or {})}
    return django_render(request, template, context)


def _parse_month(text: str | None) -> date:
    """The month asked for ("2026-10"), this month when absent or unreadable."""
    try:
        return Month.parse(text).start
    except ValidationError:
        return Month.current().start


# Visit day -----------------------------------------------------------------


def _street_of(street_ids) -> int | None:
    """The one street these compounds lie in (None when several)."""
    streets = set(street_ids)
    return streets.pop() if len(streets) == 1 else None


@login_required
def visit_day(request):
    """The manager's visit-day page: this month's day and my compounds."""
    today = timezone.localdate()
    month = Month.of(today).start
    compounds = list(
        services.visit_status(services.manager_compounds(request.user), month).order_by(
            "reported", "visit_day", "name"
        )
    )
    street_id = _street_of(c.street_id for c in compounds)
    this_day = services.visit_day(today.year, today.month, street_id=street_id)
    recent = (
        VisitReport.objects.visible_to(request.user)
        .select_related("compound")
        .annotate(need_count=Count("needs"))
        .order_by("-date", "-pk")[:10]
    )
    return render(
        request,
        "civic/visit_day.html",
        {
            "today": today,
            "this_day": this_day,
            "next_day": services.next_visit_day(today, street_id=street_id),
            "compounds": compounds,
            "recent": recent,
            "may_file": may(request.user, "civic.file_visit_report"),
        },
    )


@login_required
def visit_report_create(request):
    require(request.user, "civic.file_visit_report")
    if request.method == "POST":
        form = VisitReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.file_visit_report(
                    compound=data["compound"],
                    manager=request.user,
                    date=data["date"],
                    households_visited=data["households_visited"],
                    notes=data["notes"],
                    photos=data["photos"],
                    needs=data["needs"],
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                # A report off the visit day says so on its page.
                messages.success(request, _("The visit report has been filed."))
                return redirect("civic:visit-report", pk=report.pk)
    else:
        today = timezone.localdate()
        initial = {"date": today}
        compound_id = parse_id(request.GET.get("compound"))
        compound = (
            services.manager_compounds(request.user).filter(pk=compound_id).first()
            if compound_id is not None
            else None
        )
        if compound is not None:
            initial["compound"] = compound.pk
        day = services.visit_day(today.year, today.month, compound=compound)
        if day <= today:
            initial["date"] = day
        form = VisitReportForm(initial=initial, user=request.user)
    return render(request, "civic/visit_report_form.html", {"form": form})


def _not_on_visit_day(report: VisitReport) -> str:
    day = services.visit_day(
        report.date.year, report.date.month, compound=report.compound
    )
    return _(
        "%(date)s is not the visit day of %(compound)s (%(day)s): the report is "
        "kept but does not count as this month's visit."
    ) % {
        "date": report.date.isoformat(),
        "compound": report.compound.name,
        "day": day.isoformat(),
    }


@login_required
def visit_report_detail(request, pk: int):
    report = get_object_or_404(
        VisitReport.objects.visible_to(request.user).select_related(
            "compound", "company", "manager"
        ),
        pk=pk,
    )
    needs = report.needs.select_related("concern", "concern__category")
    return render(
        request,
        "civic/visit_report_detail.html",
        {
            "report": report,
            "not_on_visit_day": (
                "" if services.counts_for_month(report) else _not_on_visit_day(report)
            ),
            "may_turn_needs": may(request.user, "civic.turn_need_into_concern"),
            "needs": needs,
            "photos": report.photos.all(),
            "need_form": NeedToConcernForm(),
        },
    )


@login_required
@require_POST
def visit_need_to_concern(request, pk: int):
    require(request.user, "civic.turn_need_into_concern")
    need = get_object_or_404(
        VisitNeed.objects.visible_to(request.user).select_related("report"), pk=pk
    )
    form = NeedToConcernForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the concern's category."))
        return redirect("civic:visit-report", pk=need.report_id)
    try:
        concern = services.need_to_concern(
            need=need,
            category=form.cleaned_data["category"],
            urgency=form.cleaned_data["urgency"],
            actor=request.user,
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("Concern %(code)s has been created from the need.")
            % {"code": concern.tracking_code},
        )
    return redirect("civic:visit-report", pk=need.report_id)


@login_required
def visit_missing(request):
    """Which compounds filed no visit report for a month (for staff)."""
    _require_org_staff(request.user)
    today = timezone.localdate()
    month = _parse_month(request.GET.get("month"))
    scope = Compound.objects.visible_to(request.user)
    due = services.compounds_due_for_visit(month, scope)
    missing = list(
        services.with_serving_company(
            services.compounds_missing_report(month, scope, on=today)
        )
        .select_related("community", "grid")
        .order_by("community__name", "name")
    )
    street_id = _street_of(scope.values_list("street_id", flat=True).distinct())
    day = services.visit_day(month.year, month.month, street_id=street_id)
    months = [Month.current().shifted(-i).start for i in range(12)]
    return render(
        request,
        "civic/visit_missing.html",
        {
            "month": month,
            "months": months,
            "day": day,
            "missing": missing,
            "due_count": due.filter(visit_day__lt=today).count(),
            "not_yet": due.filter(visit_day__gte=today).count(),
        },
    )


# Meetings ------------------------------------------------------------------


@login_required
def meeting_list(request):
    meetings = (
        Meeting.objects.visible_to(request.user)
        .select_related("compound", "community")
        .annotate(decision_count=Count("decisions"))
    )
    kind = request.GET.get("kind", "")
    if kind in Meeting.Kind.values:
        meetings = meetings.filter(kind=kind)
    return render(
        request,
        "civic/meeting_list.html",
        {
            "meetings": meetings[:100],
            "kinds": Meeting.Kind.choices,
            "kind": kind,
            "may_plan": may(request.user, "civic.plan_meeting"),
        },
    )


@login_required
def meeting_create(request):
    require(request.user, "civic.plan_meeting")
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                place=data["place"],
                host=data["host"],
                compound=data["compound"],
                community=data["community"],
                actor=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The meeting has been planned."))
            return redirect("civic:meeting", pk=meeting.pk)
    return render(request, "civic/meeting_form.html", {"form": form})


def _meeting_for(user, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(user).select_related("compound", "community"),
        pk=pk,
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting_for(request.user, pk)
    agenda_form = None
    if request.method == "POST":
        require(request.user, "civic.plan_meeting")
    if not meeting.is_closed and may(request.user, "civic.plan_meeting"):
        agenda_form = AgendaItemForm(
            request.POST or None, meeting=meeting, user=request.user
        )
        if request.method == "POST" and agenda_form.is_valid():
            try:
                services.add_agenda_item(
                    meeting=meeting,
                    title=agenda_form.cleaned_data["title"],
                    concern=agenda_form.cleaned_data["concern"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_to_form(agenda_form, error)
            else:
                messages.success(request, _("The topic has been added."))
                return redirect("civic:meeting", pk=meeting.pk)
    decisions = meeting.decisions.prefetch_related(
        Prefetch(
            "action_items",
            queryset=ActionItem.objects.select_related("concern", "done_by__person"),
        )
    )
    return render(
        request,
        "civic/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.select_related("concern"),
            "decisions": decisions,
            "agenda_form": agenda_form,
            "may_record": may(request.user, "civic.record_decisions"),
            "may_complete": may(request.user, "civic.complete_action_item"),
            "done_form": ActionItemDoneForm(),
        },
    )


@login_required
def meeting_close(request, pk: int):
    require(request.user, "civic.record_decisions")
    meeting = _meeting_for(request.user, pk)
    if meeting.is_closed:
        messages.warning(request, _("The meeting is already closed."))
        return redirect("civic:meeting", pk=meeting.pk)
    concerns = Concern.objects.visible_to(request.user).exclude(
        status__in=Concern.DONE_STATUSES
    )
    if meeting.compound_id:
        concerns = concerns.filter(compound_id=meeting.compound_id)
    else:
        concerns = concerns.filter(community_id=meeting.community_id)
    concerns = concerns.order_by("-created_at")
    form = CloseMeetingForm(request.POST or None)
    decisions = DecisionFormSet(
        request.POST or None, prefix="d", form_kwargs={"concerns": concerns}
    )
    if request.method == "POST" and form.is_valid() and decisions.is_valid():
        items = []
        for data in decisions.cleaned_data:
            if not data or not data.get("text"):
                continue
            actions = []
            if data.get("concern"):
                actions.append(
                    services.ActionInput(
                        concern=data["concern"],
                        owner=data["owner"],
                        deadline=data["deadline"],
                    )
                )
            items.append(
                services.DecisionInput(
                    text=data["text"], publish=data["publish"], actions=actions
                )
            )
        try:
            services.close_meeting(
                meeting=meeting,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                attendee_count=form.cleaned_data["attendee_count"],
                attending_organisations=form.cleaned_data[
                    "attending_organisations"
                ].splitlines(),
                decisions=items,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The meeting has been closed."))
            return redirect("civic:meeting", pk=meeting.pk)
    return render(
        request,
        "civic/meeting_close.html",
        {"meeting": meeting, "form": form, "decisions": decisions},
    )


@login_required
@require_POST
def decision_publish(request, pk: int):
    require(request.user, "civic.record_decisions")
    decision = get_object_or_404(
        MeetingDecision.objects.visible_to(request.user).select_related("meeting"),
        pk=pk,
    )
    try:
        services.publish_decision(decision=decision, actor=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("The decision is on the public board."))
    return redirect("civic:meeting", pk=decision.meeting_id)


@login_required
@require_POST
def action_item_done(request, pk: int):
    """Mark an action item done, from its meeting's page or its concern's."""
    require(request.user, "civic.complete_action_item")
    item = get_object_or_404(
        ActionItem.objects.visible_to(request.user).select_related("decision"),
        pk=pk,
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, {request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    form = ActionItemDoneForm(request.POST)
    if not form.is_valid():
        flash(request, ValidationError(form.errors.as_data()))
    else:
        services.complete_action_item(
            item=item, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("The action item is done."))
    return redirect(back or reverse("civic:meeting", args=[item.decision.meeting_id]))


# Disclosures ---------------------------------------------------------------


@login_required
def disclosure_list(request):
    disclosures = (
        Disclosure.objects.visible_to(request.user)
        .select_related("compound")
        .order_by("-published_on", "-pk")[:100]
    )
    return render(
        request,
        "civic/disclosure_list.html",
        {
            "disclosures": disclosures,
            "today": timezone.localdate(),
            "may_publish": services.may_publish_disclosures(request.user),
        },
    )


@login_required
def disclosure_create(request):
    if not services.may_publish_disclosures(request.user):
        raise PermissionDenied(
            _(
                "Disclosures are published by street, community and grid staff "
                "and by property companies."
            )
        )
    kind = request.POST.get("kind", "")
    if request.method == "POST" and kind in Disclosure.Kind.values:
        # A kind the role may not publish is refused here, not only unoffered.
        require(request.user, services.publishing_task(kind))
    form = DisclosureForm(
        request.POST or None, request.FILES or None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure = services.publish_disclosure(
                compound=data["compound"],
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
                attachment=data.get("attachment") or None,
                published_on=data.get("published_on"),
                objection_days=data["objection_days"],
                actor=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The disclosure has been published."))
            return redirect(disclosure.get_absolute_url())
    return render(request, "civic/disclosure_form.html", {"form": form})


def disclosure_detail(request, pk: int):
    """Public: one published disclosure, with the objection link in its window."""
    disclosure = (
        Disclosure.objects.published()
        .select_related("compound", "compound__community")
        .filter(pk=pk)
        .first()
    )
    if disclosure is None:
        raise Http404(_("No such disclosure."))
    return render(
        request,
        "civic/disclosure_detail.html",
        {"disclosure": disclosure, "today": timezone.localdate()},
    )


@never_cache
def disclosure_object(request, pk: int):
    """Public: a resident objects to a disclosure in its window (a concern)."""
    try:
        disclosure = services.disclosure_for_objection(pk)
    except ValidationError as error:
        raise Http404(error.messages[0]) from error
    category = ConcernCategory.objects.filter(
        code="property_service", is_active=True
    ).first()
    return public_concern_form(
        request,
        initial={
            "compound": disclosure.compound_id,
            "category": category.pk if category else None,
            "kind": Concern.Kind.COMPLAINT,
        },
        submit=partial(services.object_to_disclosure, disclosure=disclosure),
        context={
            "notice": _(
                "You are objecting to a published disclosure of your compound."
            ),
            "disclosure": disclosure,
        },
    )

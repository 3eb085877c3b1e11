"""Phone-sized pages: inspectors file inspections, companies answer notices.

Views only parse, call a service and render; the rules live in
`assessments/services/inspections.py` and `assessments/draw.py`. Each view
asks the rights table first (`require`), so a role without the task gets
the Chinese refusal page before any row is looked up.
"""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import add_to_form, error_messages, flash
from common.parsing import parse_id
from common.periods import Month
from compounds.models import Compound
from org.rights import may, require

from ..draw import draw_month, verify_plan
from ..forms import (
    AmendForm,
    AnswerRectificationForm,
    DrawForm,
    InspectionPanelForm,
    InspectionSheetForm,
    InspectionStartForm,
    RaiseRectificationForm,
    VerifyRectificationForm,
    clean_photos,
)
from ..models import (
    Inspection,
    InspectionItemResult,
    InspectionPlan,
    PlannedVisit,
    RectificationNotice,
    inspecting_street_ids,
    plan_street_ids,
)
from ..services.inspections import (
    amend_inspection,
    answer_rectification,
    can_inspect,
    can_verify,
    compute_score,
    delete_draft,
    may_answer_for,
    raise_rectification,
    save_sheet,
    set_panel,
    shows_panel_names,
    start_inspection,
    submit_inspection,
    verify_rectification,
)


def _require_inspecting_staff(user) -> list[int] | None:
    require(user, "assessments.start_inspection")
    streets = inspecting_street_ids(user)
    if streets == []:
        raise PermissionDenied
    return streets


@login_required
def inspection_list(request):
    """My planned visits this month, drafts and recent submissions."""
    _require_inspecting_staff(request.user)
    month = Month.current().start
    visits = (
        PlannedVisit.objects.visible_to(request.user)
        .filter(plan__month=month)
        .select_related("compound")
        .order_by("window_start", "compound__name")
    )
    inspections = Inspection.objects.visible_to(request.user).select_related("compound")
    drafts = inspections.drafts().filter(created_by=request.user)
    done = inspections.submitted().filter(month=month)
    done_ids = set(done.values_list("compound_id", flat=True))
    sat_on = (
        inspections.submitted()
        .filter(panel__person_id=request.user.person_id)
        .order_by("-date", "-pk")
        if request.user.person_id
        else inspections.none()
    )
    return render(
        request,
        "assessments/inspection_list.html",
        {
            "visits": visits,
            "drafts": drafts,
            "done": done[:20],
            "done_ids": done_ids,
            "sat_on": sat_on[:20],
            "month": month,
            "is_inspector": True,
            "is_cadre": may(request.user, "assessments.draw_plan")
            and plan_street_ids(request.user) != [],
        },
    )


@login_required
def plan_list(request):
    """The sealed draws of the cadre's street; draw a month."""
    require(request.user, "assessments.draw_plan")
    streets = plan_street_ids(request.user)
    if streets == []:
        raise PermissionDenied
    form = DrawForm(request.POST or None, streets=streets)
    if request.method == "POST" and form.is_valid():
        try:
            plan = draw_month(
                street=form.cleaned_data["street"],
                month=form.cleaned_data["month"],
                actor=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Drawn: %(n)s compounds for %(month)s.")
                % {"n": plan.visits.count(), "month": Month.of(plan.month)},
            )
            return redirect("assessments:plans")
    plans = (
        InspectionPlan.objects.visible_to(request.user)
        .select_related("street", "created_by")
        .prefetch_related("visits__compound")[:12]
    )
    for plan in plans:
        plan.verified = verify_plan(plan)
    return render(
        request,
        "assessments/inspection_plans.html",
        {"plans": plans, "form": form, "is_inspector": True, "is_cadre": True},
    )


@login_required
def inspection_new(request):
    streets = _require_inspecting_staff(request.user)
    compounds = Compound.objects.all()
    if streets is not None:
        compounds = compounds.filter(street_id__in=streets)
    compound_id = parse_id(request.GET.get("compound") or request.POST.get("compound"))
    compound = (
        get_object_or_404(compounds, pk=compound_id)
        if compound_id is not None
        else None
    )
    if compound is None:
        return render(
            request,
            "assessments/inspection_pick.html",
            {
                "compounds": compounds.order_by("community__name", "name"),
                "is_inspector": True,
            },
        )
    form = InspectionStartForm(request.POST or None, compound=compound)
    if not request.POST and request.user.person_id:
        me = request.user.person_id
        form.initial["cadres"] = [me]
        form.initial["resident_reps"] = [me]
    if request.method == "POST" and form.is_valid():
        visit = (
            PlannedVisit.objects.visible_to(request.user)
            .filter(
                compound=compound,
                plan__month=Month.of(form.cleaned_data["date"]).start,
            )
            .first()
        )
        try:
            inspection = start_inspection(
                compound=compound,
                date=form.cleaned_data["date"],
                panel=form.panel(),
                actor=request.user,
                planned_visit=visit,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            return redirect("assessments:inspection", pk=inspection.pk)
    return render(
        request,
        "assessments/inspection_new.html",
        {"form": form, "compound": compound, "is_inspector": True},
    )


def _grouped_results(inspection: Inspection, posted=None):
    """Results by category; on a refused post, show what was typed."""
    groups: OrderedDict = OrderedDict()
    results = inspection.results.select_related("item__category").prefetch_related(
        "photos"
    )
    for result in results.order_by(
        "item__category__order", "item__category__code", "item__order", "item__code"
    ):
        pk = result.item_id
        if posted is not None:
            result.shown_occ = posted.get(f"occ_{pk}", result.occurrences)
            result.shown_na = bool(posted.get(f"na_{pk}"))
            result.shown_note = posted.get(f"note_{pk}", result.note)
        else:
            result.shown_occ = result.occurrences
            result.shown_na = result.not_applicable
            result.shown_note = result.note
        groups.setdefault(result.item.category, []).append(result)
    return groups


@login_required
def inspection_detail(request, pk: int):
    """The sheet of a draft for its inspectors; read-only otherwise."""
    if request.method == "POST":
        require(
            request.user,
            "assessments.submit_inspection"
            if "submit" in request.POST
            else "assessments.start_inspection",
        )
    else:
        require(request.user, "assessments.view_inspections")
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "compound", "scheme", "veto", "supersedes"
        ),
        pk=pk,
    )
    editable = (
        not inspection.is_locked
        and may(request.user, "assessments.start_inspection")
        and can_inspect(request.user, inspection.compound)
    )
    if not editable:
        return _read_only(request, inspection)
    form = InspectionSheetForm(
        request.POST or None,
        request.FILES or None,
        inspection=inspection,
        initial={
            "satisfied": inspection.satisfied,
            "basically_satisfied": inspection.basically_satisfied,
            "dissatisfied": inspection.dissatisfied,
            "veto": inspection.veto_id,
            "veto_note": inspection.veto_note,
            "note": inspection.note,
        },
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            save_sheet(inspection=inspection, actor=request.user, **form.cleaned_data)
            if "submit" in request.POST:
                inspection = submit_inspection(
                    inspection=inspection, actor=request.user
                )
                messages.success(
                    request,
                    _("Inspection submitted. Score: %(score)s")
                    % {"score": inspection.score},
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("assessments:inspection", pk=inspection.pk)
        except ValidationError as error:
            errors = error_messages(error)
    elif request.method == "POST":
        errors = [m for msgs in form.errors.values() for m in msgs]
    inspection.refresh_from_db()
    preview = compute_score(inspection)
    return render(
        request,
        "assessments/inspection_form.html",
        {
            "inspection": inspection,
            "form": form,
            "groups": _grouped_results(
                inspection, request.POST if request.method == "POST" else None
            ),
            "errors": errors,
            "is_inspector": True,
            "preview": preview,
            "panel": inspection.panel.select_related("person"),
            "is_starter": _is_starter(request.user, inspection),
        },
    )


def _is_starter(user, inspection: Inspection) -> bool:
    return user.is_superuser or inspection.created_by_id == user.pk


def _read_only(request, inspection: Inspection):
    user = request.user
    may_verify = can_verify(user, inspection)
    return render(
        request,
        "assessments/inspection_detail.html",
        {
            "inspection": inspection,
            "groups": _grouped_results(inspection),
            "panel": inspection.panel.select_related("person"),
            "shows_panel_names": shows_panel_names(user),
            "can_amend": may_verify
            and may(user, "assessments.amend_inspection")
            and inspection.is_locked
            and inspection.is_current,
            "can_raise": may_verify
            and may(user, "assessments.raise_rectification")
            and inspection.is_locked,
            "amend_form": AmendForm(),
            "raise_form": RaiseRectificationForm(),
            "notices": RectificationNotice.objects.visible_to(user)
            .filter(inspection=inspection)
            .select_related("item_result__item", "company"),
            "is_inspector": _is_inspecting(user),
        },
    )


def _is_inspecting(user) -> bool:
    return may(user, "assessments.start_inspection") and (
        inspecting_street_ids(user) != []
    )


def _own_draft(request, pk: int) -> Inspection:
    """A draft the user may see; the service checks they started it."""
    require(request.user, "assessments.start_inspection")
    return get_object_or_404(
        Inspection.objects.visible_to(request.user).drafts().select_related("compound"),
        pk=pk,
    )


@login_required
def inspection_panel(request, pk: int):
    """Change the panel of a draft (by whoever started it)."""
    inspection = _own_draft(request, pk)
    if not _is_starter(request.user, inspection):
        raise PermissionDenied(
            _("Only the person who started this draft may change or delete it.")
        )
    Role = inspection.panel.model.Role
    seats = list(inspection.panel.all())
    form = InspectionPanelForm(
        request.POST or None,
        compound=inspection.compound,
        on=inspection.date,
        initial={
            "cadres": [m.person_id for m in seats if m.role == Role.CADRE],
            "resident_reps": [
                m.person_id for m in seats if m.role == Role.RESIDENT_REP
            ],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_panel(inspection=inspection, panel=form.panel(), actor=request.user)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Panel changed."))
            return redirect("assessments:inspection", pk=inspection.pk)
    return render(
        request,
        "assessments/inspection_panel.html",
        {
            "form": form,
            "inspection": inspection,
            "compound": inspection.compound,
            "is_inspector": True,
        },
    )


@login_required
@require_POST
def inspection_delete(request, pk: int):
    """Delete a draft (by whoever started it)."""
    inspection = _own_draft(request, pk)
    delete_draft(inspection=inspection, actor=request.user)
    messages.success(request, _("Draft deleted."))
    return redirect("assessments:inspections")


@login_required
@require_POST
def inspection_amend(request, pk: int):
    require(request.user, "assessments.amend_inspection")
    inspection = get_object_or_404(Inspection.objects.visible_to(request.user), pk=pk)
    form = AmendForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the reason for the amendment."))
        amendment = amend_inspection(
            inspection=inspection,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ValidationError as error:
        flash(request, error)
        return redirect("assessments:inspection", pk=pk)
    return redirect("assessments:inspection", pk=amendment.pk)


@login_required
@require_POST
def rectification_raise(request, pk: int):
    require(request.user, "assessments.raise_rectification")
    result = get_object_or_404(
        InspectionItemResult.objects.filter(
            inspection__in=Inspection.objects.visible_to(request.user)
        ).select_related("inspection", "item"),
        pk=pk,
    )
    form = RaiseRectificationForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give a valid deadline."))
        raise_rectification(
            result=result,
            deadline=form.cleaned_data["deadline"],
            requirement=form.cleaned_data["requirement"],
            actor=request.user,
        )
        messages.success(request, _("Rectification notice sent."))
    except ValidationError as error:
        flash(request, error)
    return redirect("assessments:inspection", pk=result.inspection_id)


@login_required
def rectification_list(request):
    require(request.user, "assessments.view_inspections")
    notices = (
        RectificationNotice.objects.visible_to(request.user)
        .select_related("inspection__compound", "item_result__item", "company")
        .order_by("status", "deadline")
    )
    return render(
        request,
        "assessments/inspection_rectification_list.html",
        {
            "notices": notices,
            "is_inspector": _is_inspecting(request.user),
        },
    )


@login_required
def rectification_detail(request, pk: int):
    """A notice, its rounds in order, and the form of whoever acts next."""
    user = request.user
    if request.method == "POST":
        require(
            user,
            "assessments.recheck_rectification"
            if "accepted" in request.POST
            else "assessments.answer_rectification",
        )
    else:
        require(user, "assessments.view_inspections")
    notice = get_object_or_404(
        RectificationNotice.objects.visible_to(user).select_related(
            "inspection__compound", "item_result__item", "company"
        ),
        pk=pk,
    )
    S = RectificationNotice.Status
    can_answer = (
        may(user, "assessments.answer_rectification")
        and may_answer_for(user, notice)
        and notice.status in (S.OPEN, S.RETURNED)
    )
    may_verify = (
        may(user, "assessments.recheck_rectification")
        and can_verify(user, notice.inspection)
        and notice.status == S.ANSWERED
    )
    answer_form = AnswerRectificationForm(
        request.POST if can_answer and request.method == "POST" else None
    )
    verify_form = VerifyRectificationForm(
        request.POST if may_verify and request.method == "POST" else None
    )
    if request.method == "POST":
        try:
            if can_answer and answer_form.is_valid():
                answer_rectification(
                    notice=notice,
                    note=answer_form.cleaned_data["note"],
                    photos=clean_photos(
                        request.FILES.getlist("photos"), policy="rectification_photo"
                    ),
                    actor=user,
                )
                messages.success(request, _("Answer sent."))
                return redirect("assessments:rectification", pk=pk)
            if may_verify and verify_form.is_valid():
                verify_rectification(
                    notice=notice,
                    accepted=verify_form.cleaned_data["accepted"],
                    note=verify_form.cleaned_data["note"],
                    actor=user,
                )
                messages.success(request, _("Verification recorded."))
                return redirect("assessments:rectification", pk=pk)
            if not (can_answer or may_verify):
                raise ValidationError(_("This notice awaits no action of yours."))
        except ValidationError as error:
            flash(request, error)
    inspection_visible = (
        Inspection.objects.visible_to(user).filter(pk=notice.inspection_id).exists()
    )
    return render(
        request,
        "assessments/inspection_rectification_detail.html",
        {
            "notice": notice,
            "rounds": notice.rounds.select_related("by__person").prefetch_related(
                "photos"
            ),
            "loose_photos": notice.photos.filter(round__isnull=True),
            "inspection_visible": inspection_visible,
            "can_answer": can_answer,
            "can_verify": may_verify,
            "answer_form": answer_form,
            "verify_form": verify_form,
            "is_inspector": _is_inspecting(user),
        },
    )

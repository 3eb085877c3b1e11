"""Phone-sized pages: inspectors file inspections, companies answer notices.

Views only parse, call a service and render; the rules live in
`assessments/services/inspections.py` and `assessments/draw.py`.
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
from org.scope import user_scope

from ..draw import draw_month, verify_plan
from ..forms import (
    AmendForm,
    AnswerRectificationForm,
    DrawForm,
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
    raise_rectification,
    save_sheet,
    start_inspection,
    submit_inspection,
    verify_rectification,
)


def _require_inspecting_staff(user) -> list[int] | None:
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
    return render(
        request,
        "assessments/inspection_list.html",
        {
            "visits": visits,
            "drafts": drafts,
            "done": done[:20],
            "done_ids": done_ids,
            "month": month,
            "is_inspector": True,
            "is_cadre": plan_street_ids(request.user) != [],
        },
    )


@login_required
def plan_list(request):
    """The sealed draws of the cadre's street; draw a month."""
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
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "compound", "scheme", "veto", "supersedes"
        ),
        pk=pk,
    )
    editable = not inspection.is_locked and can_inspect(
        request.user, inspection.compound
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
        },
    )


def _read_only(request, inspection: Inspection):
    may_verify = can_verify(request.user, inspection)
    return render(
        request,
        "assessments/inspection_detail.html",
        {
            "inspection": inspection,
            "groups": _grouped_results(inspection),
            "panel": inspection.panel.select_related("person"),
            "can_amend": may_verify and inspection.is_locked and inspection.is_current,
            "can_raise": may_verify and inspection.is_locked,
            "amend_form": AmendForm(),
            "raise_form": RaiseRectificationForm(),
            "notices": inspection.rectifications.select_related("item_result__item"),
            "is_inspector": inspecting_street_ids(request.user) != [],
        },
    )


@login_required
@require_POST
def inspection_amend(request, pk: int):
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
            "is_inspector": inspecting_street_ids(request.user) != [],
        },
    )


@login_required
def rectification_detail(request, pk: int):
    notice = get_object_or_404(
        RectificationNotice.objects.visible_to(request.user).select_related(
            "inspection__compound", "item_result__item", "company"
        ),
        pk=pk,
    )
    S = RectificationNotice.Status
    can_answer = notice.company_id in user_scope(request.user).company_ids and (
        notice.status in (S.OPEN, S.RETURNED)
    )
    may_verify = (
        can_verify(request.user, notice.inspection) and notice.status == S.ANSWERED
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
                    photos=clean_photos(request.FILES.getlist("photos")),
                    actor=request.user,
                )
                messages.success(request, _("Answer sent."))
                return redirect("assessments:rectification", pk=pk)
            if may_verify and verify_form.is_valid():
                verify_rectification(
                    notice=notice,
                    accepted=verify_form.cleaned_data["accepted"],
                    note=verify_form.cleaned_data["note"],
                    actor=request.user,
                )
                messages.success(request, _("Verification recorded."))
                return redirect("assessments:rectification", pk=pk)
            if not (can_answer or may_verify):
                raise PermissionDenied
        except ValidationError as error:
            flash(request, error)
    return render(
        request,
        "assessments/inspection_rectification_detail.html",
        {
            "notice": notice,
            "can_answer": can_answer,
            "can_verify": may_verify,
            "answer_form": answer_form,
            "verify_form": verify_form,
            "is_inspector": inspecting_street_ids(request.user) != [],
        },
    )

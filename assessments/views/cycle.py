"""Pages where the street office runs its cycle: scoring runs, rewards and
the exit ladder.

Views only parse, call a service of `assessments/services/cycle.py` (which
checks the rights table and the scope) and render. Reading follows the
scope rule alone: company staff keep their read-only view of their own rows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import add_to_form, flash
from org.rights import may, require

from ..cycle_forms import CaseStepForm, LadderStepForm, PaymentForm, RunForm
from ..models import ExitCase, ExitEvent, ExitLadderStep, Reward, ScoringRun
from ..runs import queue_scoring_run
from ..services.cycle import (
    approve_reward,
    decide_exit,
    move_exit_case,
    note_exit_case,
    pay_reward,
    record_ladder_step,
)

# Scoring runs ---------------------------------------------------------------


@login_required
def run_list(request):
    """The run log, and the form that queues a run."""
    can_start = may(request.user, "assessments.start_scoring_run")
    form = None
    if request.method == "POST":
        require(request.user, "assessments.start_scoring_run")
        form = RunForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                run = queue_scoring_run(
                    kind=form.cleaned_data["kind"],
                    period=form.cleaned_data["period"],
                    street=form.cleaned_data["street"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("%(job)s %(period)s is queued.")
                    % {"job": run.get_kind_display(), "period": run.period},
                )
                return redirect("assessments:run", run.pk)
    elif can_start:
        form = RunForm(user=request.user)
    runs = ScoringRun.objects.visible_to(request.user).select_related(
        "street", "started_by__person"
    )[:100]
    return render(
        request,
        "assessments/score_runs.html",
        {
            "runs": runs,
            "form": form,
            "pending": any(run.is_pending for run in runs),
        },
    )


@login_required
def run_detail(request, pk: int):
    """One run: its progress while it runs (the page refreshes), its outcome."""
    run = get_object_or_404(
        ScoringRun.objects.visible_to(request.user).select_related(
            "street", "started_by__person"
        ),
        pk=pk,
    )
    return render(request, "assessments/score_run_detail.html", {"run": run})


# Rewards ----------------------------------------------------------------------


@login_required
def reward_detail(request, pk: int):
    reward = get_object_or_404(
        Reward.objects.visible_to(request.user).select_related(
            "ranking__company",
            "ranking__street",
            "approved_by__person",
            "paid_recorded_by__person",
        ),
        pk=pk,
    )
    return render(
        request,
        "assessments/reward_detail.html",
        {
            "reward": reward,
            "can_approve": not reward.approved_at
            and may(request.user, "assessments.approve_reward"),
            "can_pay": reward.approved_at
            and not reward.is_paid
            and may(request.user, "assessments.pay_reward"),
            "payment_form": PaymentForm(),
        },
    )


@login_required
@require_POST
def reward_approve(request, pk: int):
    require(request.user, "assessments.approve_reward")
    try:
        approve_reward(reward_id=pk, actor=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("Reward approved."))
    return redirect("assessments:reward", pk)


@login_required
@require_POST
def reward_pay(request, pk: int):
    require(request.user, "assessments.pay_reward")
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            pay_reward(
                reward_id=pk,
                actor=request.user,
                reference=form.cleaned_data["payment_reference"],
                paid_on=form.cleaned_data["paid_on"],
            )
        except ValidationError as error:
            flash(request, error)
        else:
            messages.success(request, _("Payment recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("assessments:reward", pk)


# The exit ladder ----------------------------------------------------------------


@login_required
def ladder_step_detail(request, pk: int):
    if request.method == "POST":
        require(request.user, "assessments.record_exit_step")
    step = get_object_or_404(
        ExitLadderStep.objects.visible_to(request.user).select_related(
            "company", "street", "ranking"
        ),
        pk=pk,
    )
    form = LadderStepForm()
    if request.method == "POST":
        form = LadderStepForm(request.POST)
        if form.is_valid():
            try:
                record_ladder_step(
                    step_id=step.pk,
                    actor=request.user,
                    on=form.cleaned_data["on"],
                    deadline=form.cleaned_data["deadline"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Step recorded."))
                return redirect("assessments:ladder-step", step.pk)
    events = (
        ExitEvent.objects.visible_to(request.user)
        .of_step(step)
        .select_related("recorded_by__person")
    )
    return render(
        request,
        "assessments/ladder_step_detail.html",
        {
            "step": step,
            "events": events,
            "form": form,
            "can_record": step.kind != ExitLadderStep.Kind.EXIT
            and may(request.user, "assessments.record_exit_step"),
            "case": ExitCase.objects.visible_to(request.user)
            .filter(company_id=step.company_id, street_id=step.street_id)
            .order_by("-opened_at")
            .first()
            if step.kind == ExitLadderStep.Kind.EXIT
            else None,
        },
    )


def _case_forms(case, user) -> dict:
    """The moves the user may make on the case now, each with its form."""
    if not case.is_open:
        return {}
    wanted = []
    statuses = case.next_statuses
    if may(user, "assessments.record_exit_step"):
        if ExitCase.Status.OWNERS_CONSULTED in statuses:
            wanted.append("owners_consulted")
        if ExitCase.Status.CLOSED in statuses:
            wanted.append("close")
        if ExitCase.Status.REFUSED in statuses:
            wanted.append("refused")
    if ExitCase.Status.HANDOVER in statuses and may(user, "assessments.decide_exit"):
        wanted.append("decide")
    if may(user, "assessments.record_exit_step"):
        if ExitCase.Status.WITHDRAWN in statuses:
            wanted.append("withdraw")
        wanted.append("note")
    return {action: CaseStepForm(initial={"action": action}) for action in wanted}


def _case_task(action: str) -> str:
    if action == "decide":
        return "assessments.decide_exit"
    return "assessments.record_exit_step"


@login_required
def exit_case_detail(request, pk: int):
    action = request.POST.get("action", "")
    if request.method == "POST":
        require(request.user, _case_task(action))
    case = get_object_or_404(
        ExitCase.objects.visible_to(request.user).select_related("company", "street"),
        pk=pk,
    )
    forms = _case_forms(case, request.user)
    if request.method == "POST":
        form = CaseStepForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _act_on_case(case, request.user, data)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Step recorded."))
                return redirect("assessments:exit-case", case.pk)
        forms[action] = form
    events = case.events.select_related("recorded_by__person")
    return render(
        request,
        "assessments/exit_case_detail.html",
        {
            "case": case,
            "events": events,
            "forms": forms,
            "documents": case.documents.all(),
            "ended": case.ended_contracts.select_related("compound").order_by(
                "compound__name"
            ),
            "orphans": case.compounds_needing_company(),
        },
    )


def _act_on_case(case, user, data) -> None:
    action = data["action"]
    if action == "note":
        note_exit_case(case_id=case.pk, actor=user, on=data["on"], note=data["note"])
    elif action == "decide":
        if not data["handover_on"]:
            raise ValidationError({"handover_on": _("Give the handover date.")})
        decide_exit(
            case_id=case.pk,
            actor=user,
            on=data["on"],
            handover_on=data["handover_on"],
            note=data["note"],
        )
    else:
        move_exit_case(
            case_id=case.pk,
            status=CaseStepForm.ACTIONS[action],
            actor=user,
            on=data["on"],
            note=data["note"],
        )

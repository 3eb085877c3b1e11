"""The street office's cycle: rewards and the exit ladder.

Each function checks the task of the rights table (`org.rights`) and the
scope rule itself, so a page, the admin or a shell all refuse the same
things. Scheme versions and bonus points are kept by the models' own rules
(`AssessmentScheme.new_version`, `QuarterlyBonus.clean`) through the admin;
scoring runs are queued by `assessments.runs`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.models import Compound, ServiceContract
from org.rights import require
from org.scope_cache import forget_scopes

from ..models import ExitCase, ExitEvent, ExitLadderStep, Reward


def _visible(model, user, pk: int):
    """The row if `user` may see it; refuse as not found otherwise."""
    row = model.objects.visible_to(user).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(_("This record lies outside your area."))
    return row


# Rewards ----------------------------------------------------------------------


@transaction.atomic
def approve_reward(*, reward_id: int, actor) -> Reward:
    """审批: approve a prize of the ledger (who and when are recorded)."""
    require(actor, "assessments.approve_reward")
    reward = _visible(Reward, actor, reward_id)
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    reward.approve(by=actor)
    return reward


@transaction.atomic
def pay_reward(*, reward_id: int, actor, reference: str, paid_on: date) -> Reward:
    """支付: record the payment of an approved prize; it is then closed."""
    require(actor, "assessments.pay_reward")
    reward = _visible(Reward, actor, reward_id)
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    reward.pay(by=actor, reference=reference, paid_on=paid_on)
    return reward


# The exit ladder ----------------------------------------------------------------


def _refuse_future(day: date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"on": _("A step is recorded once it has happened.")})


@transaction.atomic
def record_ladder_step(
    *,
    step_id: int,
    actor,
    on: date,
    note: str = "",
    deadline: date | None = None,
) -> ExitEvent:
    """Record the warning delivered or the interview held for a ladder step.

    An interview sets a rectification deadline after the interview; the
    step shows the latest, and every record stays in the history.
    """
    require(actor, "assessments.record_exit_step")
    step = _visible(ExitLadderStep, actor, step_id)
    step = ExitLadderStep.objects.select_for_update().get(pk=step.pk)
    _refuse_future(on)
    if step.kind == ExitLadderStep.Kind.WARNING:
        kind = ExitEvent.Kind.WARNING
        deadline = None
    elif step.kind == ExitLadderStep.Kind.INTERVIEW:
        kind = ExitEvent.Kind.INTERVIEW
        if deadline is None:
            raise ValidationError(
                {"deadline": _("Give the deadline for the rectification.")}
            )
        if deadline <= on:
            raise ValidationError(
                {"deadline": _("The deadline comes after the interview.")}
            )
        step.interview_on = on
        step.rectification_deadline = deadline
        step.save(update_fields=["interview_on", "rectification_deadline"])
    else:
        raise ValidationError(
            _("This step opened an exit case; record its steps on the case.")
        )
    return ExitEvent.objects.create(
        company_id=step.company_id,
        street_id=step.street_id,
        quarter=step.quarter,
        kind=kind,
        on=on,
        deadline=deadline,
        note=note.strip(),
        recorded_by=actor,
    )


# Exit-case moves other than the decision, and the record each one leaves.
_MOVE_EVENTS = {
    ExitCase.Status.OWNERS_CONSULTED: ExitEvent.Kind.OWNERS_CONSULTED,
    ExitCase.Status.REFUSED: ExitEvent.Kind.REFUSED,
    ExitCase.Status.CLOSED: ExitEvent.Kind.CLOSED,
    ExitCase.Status.WITHDRAWN: ExitEvent.Kind.WITHDRAWN,
}


def _locked_case(case_id: int, actor) -> ExitCase:
    case = _visible(ExitCase, actor, case_id)
    return ExitCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def move_exit_case(
    *, case_id: int, status: str, actor, on: date, note: str = ""
) -> ExitEvent:
    """Move an exit case one step (owners consulted, the company's refusal
    to hand over, closed, withdrawn)."""
    require(actor, "assessments.record_exit_step")
    case = _locked_case(case_id, actor)
    if status not in _MOVE_EVENTS:
        raise ValidationError(
            _("The exit itself is decided with a handover date.")
            if status == ExitCase.Status.HANDOVER
            else _("Unknown step.")
        )
    _refuse_future(on)
    case.move_to(status)
    return ExitEvent.objects.create(
        company_id=case.company_id,
        street_id=case.street_id,
        case=case,
        kind=_MOVE_EVENTS[status],
        on=on,
        note=note.strip(),
        recorded_by=actor,
    )


@transaction.atomic
def note_exit_case(*, case_id: int, actor, on: date, note: str) -> ExitEvent:
    """Add a dated note to an exit case's history."""
    require(actor, "assessments.record_exit_step")
    case = _locked_case(case_id, actor)
    _refuse_future(on)
    if not note.strip():
        raise ValidationError({"note": _("Write the note.")})
    return ExitEvent.objects.create(
        company_id=case.company_id,
        street_id=case.street_id,
        case=case,
        kind=ExitEvent.Kind.NOTE,
        on=on,
        note=note.strip(),
        recorded_by=actor,
    )


@transaction.atomic
def decide_exit(
    *, case_id: int, actor, on: date, handover_on: date, note: str = ""
) -> list[Compound]:
    """作出退出决定: end the company's contracts in the street on a handover date.

    Every contract of the company in the case's street still running after
    the handover date ends on it (the company serves up to and including
    that day). Returns the compounds that then have no company.
    """
    require(actor, "assessments.decide_exit")
    case = _locked_case(case_id, actor)
    _refuse_future(on)
    if handover_on < on:
        raise ValidationError(
            {"handover_on": _("The handover date cannot come before the decision.")}
        )
    case.move_to(ExitCase.Status.HANDOVER)
    contracts = ServiceContract.objects.filter(
        company_id=case.company_id, compound__street_id=case.street_id
    ).filter(Q(end__isnull=True) | Q(end__gt=handover_on))
    late = contracts.filter(start__gt=handover_on).select_related("compound").first()
    if late is not None:
        raise ValidationError(
            {
                "handover_on": _(
                    "The contract for %(compound)s only starts on %(start)s; "
                    "the handover date cannot come before it."
                )
                % {"compound": late.compound, "start": late.start}
            }
        )
    ended = list(contracts.values_list("pk", flat=True))
    # One UPDATE: ending a period only shortens it, so no overlap can arise.
    ServiceContract.objects.filter(pk__in=ended).update(end=handover_on)
    forget_scopes()  # an update sends no signal; company scopes follow contracts
    case.handover_on = handover_on
    case.save(update_fields=["handover_on"])
    case.ended_contracts.add(*ended)
    ExitEvent.objects.create(
        company_id=case.company_id,
        street_id=case.street_id,
        case=case,
        kind=ExitEvent.Kind.DECISION,
        on=on,
        handover_on=handover_on,
        note=note.strip(),
        recorded_by=actor,
    )
    return list(case.compounds_needing_company())

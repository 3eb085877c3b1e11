"""The concern workflow in one table: its states, its verbs, who uses them.

Each row of `ACTIONS` is one verb: the function of `services.py` that runs
it, the words the pages show, the statuses it may start from, the roles
that may use it and the inputs it takes besides the note. The staff and
manager pages, the REST API's actions, the action form and the choices of
`ConcernEvent.action` are all made from it, so adding a verb is one row
here and one function in `services.py` (see docs/consultations.md).

The models import this module, so it imports no other module of the app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from org.scope import Scope


class Status(models.TextChoices):
    """Where a concern stands (`Concern.Status`)."""

    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    DISPATCHED = "dispatched", _("dispatched")
    SIGNED = "signed", _("signed for")
    IN_PROGRESS = "in_progress", _("in progress")
    RESPONDED = "responded", _("answered")
    FOLLOW_UP = "follow_up", _("followed up")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")
    REOPENED = "reopened", _("reopened")
    ESCALATED = "escalated", _("escalated (督办)")
    MERGED = "merged", _("merged")


class Role(StrEnum):
    """Who works concerns on the staff pages and through the API.

    Company staff hold a property company's seat and no staff post in the
    tree: they work on the manager pages. Org staff hold a staff post in the
    tree or are superusers (`Scope.is_org_staff`); an inspector or resident
    representative is neither and has no role here. The role x task matrix
    will split these further; `roles_of` is the one place that maps a
    user's scope to roles.
    """

    ORG_STAFF = "org_staff"
    COMPANY_STAFF = "company_staff"


# The refusal shown to a signed-in user with no role (an inspector, a
# resident representative) on the concern pages and the API.
NOT_CONCERN_STAFF = _(
    "Residents' concerns are worked by street, community and grid staff and "
    "by the property company they are dispatched to."
)

ORG = frozenset({Role.ORG_STAFF})
COMPANY = frozenset({Role.COMPANY_STAFF})
ANY_STATUS = tuple(Status)


@dataclass(frozen=True)
class Action:
    """One verb of the workflow; see the module docstring."""

    # Stored in ConcernEvent.action; the API's URL is /concerns/{id}/<name>/
    # with "-" for "_".
    name: str
    # The function of services.py, called as
    # service(concern=…, actor=…, note=…, **inputs).
    service: str
    # On the timeline: "accepted".
    label: Promise
    # In "… cannot be <verb> now."
    verb: Promise | str = ""
    # What staff click, and the "Done: …" message.
    button: Promise | str = ""
    # The API operation's summary (English, as the schema's other text).
    summary: str = ""
    # The statuses it may start from; () for submit, which creates the
    # concern.
    allowed_from: tuple[Status, ...] = ()
    # Who may use it on the staff pages and through the API; () for what
    # only residents do, on the public pages.
    roles: frozenset[Role] = frozenset()
    # Keyword arguments of the service besides concern, actor and note; each
    # has a field in forms.INPUT_FIELDS and in api.API_INPUTS.
    inputs: tuple[str, ...] = ()
    # The API refuses an empty note before calling the service.
    note_required: bool = False
    note_label: Promise = _("Note")
    # The button is offered only when this holds for the concern.
    shown_if: Callable[[Any], bool] | None = None

    def may_start_from(self, status: str) -> bool:
        return status in self.allowed_from

    def offered_on(self, concern: Any) -> bool:
        """Whether the concern's page shows this verb's button."""
        return self.may_start_from(concern.status) and (
            self.shown_if is None or self.shown_if(concern)
        )


S = Status

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "submit",
            service="submit_concern",
            label=_("submitted"),
            # Staff intake; residents use the public form, partners Open311.
            roles=ORG,
        ),
        Action(
            "accept",
            service="accept",
            label=_("accepted"),
            verb=_("accepted"),
            button=_("Accept"),
            summary="Accept (受理)",
            allowed_from=(S.SUBMITTED,),
            roles=ORG,
        ),
        Action(
            "reject",
            service="reject",
            label=_("rejected"),
            verb=_("rejected"),
            button=_("Reject"),
            summary="Reject, with a reason",
            allowed_from=(S.SUBMITTED, S.ACCEPTED),
            roles=ORG,
            note_required=True,
            note_label=_("Reason"),
        ),
        Action(
            "dispatch",
            service="dispatch",
            label=_("dispatched"),
            verb=_("dispatched"),
            button=_("Dispatch"),
            summary="Dispatch (派单)",
            allowed_from=(S.ACCEPTED, S.REOPENED),
            roles=ORG,
            inputs=("to", "department"),
        ),
        Action(
            "sign",
            service="sign",
            label=_("signed for"),
            verb=_("signed for"),
            button=_("Sign for"),
            summary="Sign for (签收)",
            allowed_from=(S.DISPATCHED, S.ESCALATED),
            roles=ORG | COMPANY,
        ),
        Action(
            "start",
            service="start",
            label=_("work started"),
            verb=_("started"),
            button=_("Start work"),
            summary="Start work",
            allowed_from=(S.SIGNED, S.ESCALATED),
            roles=ORG | COMPANY,
        ),
        Action(
            "respond",
            service="respond",
            label=_("answered"),
            verb=_("answered"),
            button=_("Answer"),
            summary="Answer (答复)",
            # Answered on the spot (直办) straight after acceptance is allowed.
            allowed_from=(S.ACCEPTED, S.SIGNED, S.IN_PROGRESS, S.ESCALATED),
            roles=ORG | COMPANY,
            inputs=("photos",),
            note_required=True,
            note_label=_("Answer to the resident (public)"),
        ),
        Action(
            "extend",
            service="extend",
            label=_("deadline extended"),
            verb=_("extended"),
            button=_("Extend the deadline"),
            summary="Extend the deadline",
            allowed_from=(S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.ESCALATED),
            roles=ORG | COMPANY,
            inputs=("days",),
            note_label=_("Reason"),
            shown_if=lambda concern: not concern.extended,
        ),
        Action(
            "return",
            service="return_concern",
            label=_("returned as misrouted"),
            verb=_("returned"),
            button=_("Return as misrouted"),
            summary="Return as misrouted (退回)",
            allowed_from=(S.DISPATCHED, S.SIGNED),
            roles=ORG | COMPANY,
            note_required=True,
            note_label=_("Reason"),
        ),
        Action(
            "escalate",
            service="escalate",
            label=_("escalated (督办)"),
            verb=_("escalated"),
            button=_("Escalate (督办)"),
            summary="Escalate (督办)",
            allowed_from=(
                S.ACCEPTED,
                S.DISPATCHED,
                S.SIGNED,
                S.IN_PROGRESS,
                S.REOPENED,
                S.SUBMITTED,
            ),
            roles=ORG,
        ),
        Action(
            "follow_up",
            service="follow_up",
            label=_("follow-up call"),
            verb=_("followed up"),
            button=_("Record the follow-up call"),
            summary="Follow-up call (回访) with the rating",
            allowed_from=(S.RESPONDED,),
            roles=ORG,
            inputs=("rating", "resolved"),
        ),
        Action(
            "rate",
            service="rate_concern",
            label=_("rated by the resident"),
            verb=_("rated"),
            # The resident, on the tracking page.
            allowed_from=(S.RESPONDED,),
        ),
        Action(
            "close",
            service="close",
            label=_("closed"),
            verb=_("closed"),
            button=_("Close"),
            summary="Close",
            allowed_from=(S.RESPONDED, S.FOLLOW_UP),
            roles=ORG,
        ),
        Action(
            "reopen",
            service="reopen",
            label=_("reopened"),
            verb=_("reopened"),
            button=_("Reopen"),
            summary="Reopen (重办)",
            allowed_from=(S.RESPONDED, S.FOLLOW_UP, S.CLOSED),
            roles=ORG,
            note_label=_("Reason"),
        ),
        Action(
            "merge",
            service="merge",
            label=_("merged"),
            verb=_("merged"),
            button=_("Merge"),
            summary="Merge into another concern",
            allowed_from=(S.SUBMITTED, S.ACCEPTED),
            roles=ORG,
            inputs=("into",),
        ),
        Action(
            "hide",
            service="hide",
            label=_("description hidden"),
            button=_("Hide the description"),
            summary="Hide the description",
            allowed_from=ANY_STATUS,
            roles=ORG,
            note_required=True,
            note_label=_("Reason for hiding the description"),
            shown_if=lambda concern: not concern.is_hidden,
        ),
        Action(
            "note",
            service="add_note",
            label=_("note"),
            button=_("Add an internal note"),
            summary="Add a note",
            allowed_from=ANY_STATUS,
            roles=ORG,
            note_required=True,
            note_label=_("Internal note"),
        ),
    )
}

# What can be done to a concern that exists, by someone with a role: the
# staff pages' buttons and the API's actions.
VERBS: dict[str, Action] = {
    name: action
    for name, action in ACTIONS.items()
    if action.allowed_from and action.roles
}

ACTION_CHOICES = [(action.name, action.label) for action in ACTIONS.values()]


def roles_of(scope: Scope) -> frozenset[Role]:
    """The workflow roles of the holder of `scope` (see `Role`)."""
    if scope.is_company_user:
        return COMPANY
    if scope.is_org_staff:
        return ORG
    return frozenset()


def may_use(scope: Scope, action: Action, concern: Any = None) -> bool:
    """Whether the holder of `scope` may run `action` (on `concern`)."""
    roles = roles_of(scope)
    if not action.roles & roles:
        return False
    # Company staff work only on the concerns dispatched to their company.
    return (
        Role.COMPANY_STAFF not in roles
        or concern is None
        or concern.handler_company_id in scope.company_ids
    )


def offered_actions(roles: frozenset[Role], concern: Any) -> list[Action]:
    """The verbs `roles` may use on `concern` now: its page's buttons."""
    return [
        action
        for action in VERBS.values()
        if action.roles & roles and action.offered_on(concern)
    ]

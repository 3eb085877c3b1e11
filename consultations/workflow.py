"""The concern workflow in one table: its states, its verbs, who uses them.

Each row of `ACTIONS` is one verb: the function of `services.py` that runs
it, the words the pages show, the statuses it may start from, the roles
that may use it and the inputs it takes besides the note. The staff and
manager pages, the REST API's actions, the action form and the choices of
`ConcernEvent.action` are all made from it, so adding a verb is one row
here and one function in `services.py` (see docs/consultations.md).

Who may use a verb is `Action.roles`, in the roles of the rights table
(`org.rights.Role`); consultations/roles.py makes one task of the table per
verb from it ("consultations.<verb>"), so the table and the verbs cannot
disagree. The scope (`Concern.objects.visible_to`) still says on which
concerns.

The models import this module, so it imports no other module of the app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from org.rights import COMPANY, ORG_STAFF, STREET, Role


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


ANY_STATUS = tuple(Status)


@dataclass(frozen=True)
class Action:
    """One verb of the workflow; see the module docstring."""

    # Stored in ConcernEvent.action; the API's URL is /concerns/{id}/<name>/
    # with "-" for "_"; the rights table's task is "consultations.<name>".
    name: str
    # The function of services.py, called as
    # service(concern=…, actor=…, note=…, **inputs).
    service: str
    # On the timeline: "accepted".
    label: Promise
    # The task of the rights table: "accept a concern" (受理诉求).
    task_label: Promise | str = ""
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
    # Beyond the status: the verb is offered, and allowed, only when this
    # holds for the concern.
    only_if: Callable[[Any], bool] | None = None

    @property
    def task(self) -> str:
        """Its task in the rights table (`org.rights`)."""
        return f"consultations.{self.name}"

    def may_start_from(self, status: str) -> bool:
        return status in self.allowed_from

    def allowed_on(self, concern: Any) -> bool:
        """Whether the concern is in a state this verb may start from."""
        return self.may_start_from(concern.status) and (
            self.only_if is None or self.only_if(concern)
        )

    # The concern's page shows the verb's button exactly when it is allowed.
    offered_on = allowed_on


S = Status
HANDLER_SIDE = ORG_STAFF | COMPANY

# The states where the handler works; ESCALATED among them only while it
# has a handler (the sweep also escalates concerns nobody was given yet).
WORKING = (S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.ESCALATED)


def _handled_unless_escalated(concern: Any) -> bool:
    return concern.status != S.ESCALATED or concern.has_handler


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "submit",
            service="submit_concern",
            label=_("submitted"),
            task_label=_("take in a concern for a resident"),
            # Staff intake; residents use the public form, partners Open311.
            roles=ORG_STAFF,
        ),
        Action(
            "accept",
            service="accept",
            label=_("accepted"),
            task_label=_("accept a concern"),
            verb=_("accepted"),
            button=_("Accept"),
            summary="Accept (受理)",
            allowed_from=(S.SUBMITTED,),
            roles=ORG_STAFF,
        ),
        Action(
            "reject",
            service="reject",
            label=_("rejected"),
            task_label=_("reject a concern"),
            verb=_("rejected"),
            button=_("Reject"),
            summary="Reject, with a reason",
            allowed_from=(S.SUBMITTED, S.ACCEPTED),
            roles=ORG_STAFF,
            note_required=True,
            note_label=_("Reason"),
        ),
        Action(
            "dispatch",
            service="dispatch",
            label=_("dispatched"),
            task_label=_("dispatch a concern"),
            verb=_("dispatched"),
            button=_("Dispatch"),
            summary="Dispatch (派单)",
            # An escalated concern nobody was given yet still needs one.
            allowed_from=(S.ACCEPTED, S.REOPENED, S.ESCALATED),
            roles=ORG_STAFF,
            inputs=("to", "department"),
            only_if=lambda concern: (
                concern.status != S.ESCALATED or not concern.has_handler
            ),
        ),
        Action(
            "sign",
            service="sign",
            label=_("signed for"),
            task_label=_("sign for a dispatched concern"),
            verb=_("signed for"),
            button=_("Sign for"),
            summary="Sign for (签收)",
            allowed_from=(S.DISPATCHED, S.ESCALATED),
            roles=HANDLER_SIDE,
            only_if=lambda concern: (
                _handled_unless_escalated(concern) and concern.signed_at is None
            ),
        ),
        Action(
            "start",
            service="start",
            label=_("work started"),
            task_label=_("start work on a concern"),
            verb=_("started"),
            button=_("Start work"),
            summary="Start work",
            allowed_from=(S.SIGNED, S.ESCALATED),
            roles=HANDLER_SIDE,
            only_if=_handled_unless_escalated,
        ),
        Action(
            "respond",
            service="respond",
            label=_("answered"),
            task_label=_("answer a concern"),
            verb=_("answered"),
            button=_("Answer"),
            summary="Answer (答复)",
            # Answered on the spot (直办) straight after acceptance is allowed.
            allowed_from=(S.ACCEPTED, S.SIGNED, S.IN_PROGRESS, S.ESCALATED),
            roles=HANDLER_SIDE,
            inputs=("photos",),
            note_required=True,
            note_label=_("Answer to the resident (public)"),
        ),
        Action(
            "request_extension",
            service="request_extension",
            label=_("extension asked for"),
            task_label=_("ask for a deadline extension"),
            verb=_("given an extension request"),
            button=_("Ask for an extension"),
            summary="Ask the dispatcher for a deadline extension",
            allowed_from=WORKING,
            roles=HANDLER_SIDE,
            inputs=("days",),
            note_required=True,
            note_label=_("Reason"),
            only_if=lambda concern: (
                concern.has_handler
                and not concern.extended
                and not concern.extension_requested
            ),
        ),
        Action(
            "extend",
            service="extend",
            label=_("deadline extended"),
            task_label=_("grant a deadline extension"),
            verb=_("extended"),
            button=_("Grant the extension"),
            summary="Grant the extension asked for (the deadline moves)",
            allowed_from=WORKING,
            roles=ORG_STAFF,
            only_if=lambda concern: concern.extension_requested,
        ),
        Action(
            "decline_extension",
            service="decline_extension",
            label=_("extension declined"),
            task_label=_("decline a deadline extension"),
            verb=_("refused an extension"),
            button=_("Decline the extension"),
            summary="Decline the extension asked for",
            allowed_from=WORKING,
            roles=ORG_STAFF,
            note_required=True,
            note_label=_("Reason"),
            only_if=lambda concern: concern.extension_requested,
        ),
        Action(
            "return",
            service="return_concern",
            label=_("returned as misrouted"),
            task_label=_("return a misrouted concern"),
            verb=_("returned"),
            button=_("Return as misrouted"),
            summary="Return as misrouted (退回)",
            allowed_from=(S.DISPATCHED, S.SIGNED),
            roles=HANDLER_SIDE,
            note_required=True,
            note_label=_("Reason"),
        ),
        Action(
            "escalate",
            service="escalate",
            label=_("escalated (督办)"),
            task_label=_("escalate a concern (督办)"),
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
            roles=STREET,
        ),
        Action(
            "follow_up",
            service="follow_up",
            label=_("follow-up call"),
            task_label=_("record an independent follow-up call"),
            verb=_("followed up"),
            button=_("Record the follow-up call"),
            summary="Follow-up call (回访) with the rating",
            allowed_from=(S.RESPONDED,),
            roles=ORG_STAFF,
            inputs=("rating", "resolved"),
        ),
        Action(
            "rate",
            service="rate_concern",
            label=_("rated by the resident"),
            verb=_("rated"),
            # The resident, through the rating link (no role: no task).
            allowed_from=(S.RESPONDED,),
        ),
        Action(
            "close",
            service="close",
            label=_("closed"),
            task_label=_("close a concern"),
            verb=_("closed"),
            button=_("Close"),
            summary="Close",
            allowed_from=(S.RESPONDED, S.FOLLOW_UP),
            roles=ORG_STAFF,
        ),
        Action(
            "reopen",
            service="reopen",
            label=_("reopened"),
            task_label=_("reopen a concern"),
            verb=_("reopened"),
            button=_("Reopen"),
            summary="Reopen (重办)",
            allowed_from=(S.RESPONDED, S.FOLLOW_UP, S.CLOSED),
            roles=ORG_STAFF,
            note_label=_("Reason"),
        ),
        Action(
            "merge",
            service="merge",
            label=_("merged"),
            task_label=_("merge duplicate concerns"),
            verb=_("merged"),
            button=_("Merge"),
            summary="Merge into another concern",
            allowed_from=(S.SUBMITTED, S.ACCEPTED),
            roles=ORG_STAFF,
            inputs=("into",),
        ),
        Action(
            "hide",
            service="hide",
            label=_("description hidden"),
            task_label=_("hide a concern's description from the public"),
            button=_("Hide the description"),
            summary="Hide the description",
            allowed_from=ANY_STATUS,
            roles=ORG_STAFF,
            note_required=True,
            note_label=_("Reason for hiding the description"),
            only_if=lambda concern: not concern.is_hidden,
        ),
        Action(
            "unhide",
            service="unhide",
            label=_("description shown again"),
            task_label=_("show a hidden description to the public again"),
            button=_("Show the description again"),
            summary="Show the hidden description to the public again",
            allowed_from=ANY_STATUS,
            roles=ORG_STAFF,
            note_label=_("Internal note"),
            only_if=lambda concern: concern.is_hidden,
        ),
        Action(
            "note",
            service="add_note",
            label=_("note"),
            task_label=_("add an internal note to a concern"),
            button=_("Add an internal note"),
            summary="Add a note",
            allowed_from=ANY_STATUS,
            roles=ORG_STAFF,
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

# Who reads a hidden description (and its photos' place on the staff
# page): those who may hide and unhide it, within their scope.
READS_HIDDEN_ORIGINALS = "consultations.unhide"


def offered_actions(roles: frozenset[Role], concern: Any) -> list[Action]:
    """The verbs `roles` may use on `concern` now: its page's buttons."""
    return [
        action
        for action in VERBS.values()
        if (Role.SUPERUSER in roles or action.roles & roles)
        and action.offered_on(concern)
    ]

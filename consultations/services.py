"""Every change to a concern: submission and the workflow verbs.

`submit_concern` is the only way a concern is created (public form, staff
intake, visit-day needs, disclosure objections, Open311). Each verb locks
the row, refuses an illegal transition with a Chinese message (nothing is
changed: the transaction rolls back), writes a ConcernEvent and queues its
e-mails in the outbox. Which verb may start from which status is the table
in workflow.py; the state machine is drawn in docs/consultations.md.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.phones import parse_phone
from compounds.models import CompanyStaff, Compound
from org.audit import record_event
from org.models import AuditEvent, LiaisonDepartment, OrgUnit, Post, User
from org.rights import require
from org.scope import user_scope

from . import notifications
from .deadlines import add_hours, add_working_days
from .models import (
    Concern,
    ConcernCategory,
    ConcernEvent,
    ConcernHold,
    ConcernPhoto,
    Notification,
    Theme,
)
from .uploads import prepare_photos
from .workflow import ACTIONS

S = Concern.Status

DUPLICATE_WINDOW = timedelta(days=14)
MAX_EXTENSION_DAYS = 10
RETURN_WITHIN_WORKING_DAYS = 2
# Emergencies and urgent matters run on hours whatever their category.
URGENCY_HOURS = {Concern.Urgency.EMERGENCY: 2, Concern.Urgency.URGENT: 24}

# Helpers ---------------------------------------------------------------------


def _lock(concern: Concern) -> Concern:
    """Re-read the row under a lock so two clicks cannot both change it."""
    return (
        Concern.objects.select_for_update(of=("self",))
        .select_related("compound", "category")
        .get(pk=concern.pk)
    )


def _check(concern: Concern, name: str, actor: User | None = None) -> None:
    """Refuse the verb `name` unless the table lets `actor` use it and lets
    it start from here.

    `actor` None is the system (the deadline sweep) or the resident.
    """
    action = ACTIONS[name]
    if actor is not None and action.roles:
        require(actor, action.task)
    if not action.allowed_on(concern):
        raise ValidationError(
            _("This concern is “%(status)s”; it cannot be %(verb)s now.")
            % {
                "status": concern.get_status_display(),
                "verb": action.verb or action.label,
            },
            code="illegal_transition",
        )


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code="required")
    return text


def _event(
    concern: Concern,
    *,
    actor: User | None,
    action: str,
    from_status: str,
    note: str = "",
    is_public: bool = True,
) -> ConcernEvent:
    return ConcernEvent.objects.create(
        concern=concern,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        from_status=from_status,
        to_status=concern.status,
        note=note,
        is_public=is_public,
    )


def _move(
    concern: Concern,
    *,
    actor: User | None,
    action: str,
    to_status: str,
    note: str = "",
    is_public: bool = True,
    fields: Iterable[str] = (),
) -> Concern:
    from_status = concern.status
    concern.status = to_status
    concern.save(update_fields=["status", "updated_at", *fields])
    _event(
        concern,
        actor=actor,
        action=action,
        from_status=from_status,
        note=note,
        is_public=is_public,
    )
    return concern


def deadline_for(
    category: ConcernCategory, urgency: str, start: datetime
) -> tuple[datetime, bool]:
    """(due moment, counted on the fallback calendar) for a new clock."""
    if urgency in URGENCY_HOURS:
        result = add_hours(start, URGENCY_HOURS[urgency])
    elif category.sla_hours:
        result = add_hours(start, category.sla_hours)
    else:
        days = category.sla_working_days or settings.CONCERN_DEFAULT_WORKING_DAYS
        result = add_working_days(start, days)
    return result.moment, result.fallback


def unit_contacts(field: str, *units: OrgUnit | int | None) -> list[str]:
    """The `field` ("email" or "phone") of the people holding active staff
    posts in `units` (units or their ids), in one query."""
    units = [u for u in units if u is not None]
    if not units:
        return []
    return list(
        Post.objects.active()
        .filter(
            unit__in=units,
            role__in=[
                Post.Role.SECRETARY,
                Post.Role.DEPUTY_SECRETARY,
                Post.Role.FULL_TIME_STAFF,
                Post.Role.GRID_WORKER,
            ],
        )
        .exclude(**{f"person__{field}": ""})
        .values_list(f"person__{field}", flat=True)
        # The outbox sorts the addresses: no join on the tree to order them.
        .order_by()
        .distinct()
    )


def _unit_emails(*units: OrgUnit | int | None) -> list[str]:
    """E-mail addresses of the people holding active posts in `units`."""
    return unit_contacts("email", *units)


def _handler_contacts(concern: Concern, field: str) -> list[str]:
    """The `field` ("email" or "phone") of whoever handles `concern`: its
    company (and the company's staff), its unit's staff or its liaison
    department's contacts in the concern's community."""
    if concern.handler_company_id:
        values = [getattr(concern.handler_company, f"contact_{field}")]
        values += list(
            CompanyStaff.objects.active()
            .filter(company_id=concern.handler_company_id)
            .exclude(**{f"person__{field}": ""})
            .values_list(f"person__{field}", flat=True)
        )
        return [v for v in values if v]
    if concern.handler_unit_id:
        return unit_contacts(field, concern.handler_unit)
    if concern.handler_department_id:
        return list(
            concern.handler_department.contacts.filter(
                community_id=concern.community_id
            )
            .exclude(**{f"person__{field}": ""})
            .values_list(f"person__{field}", flat=True)
        )
    return []


def handler_emails(concern: Concern) -> list[str]:
    return _handler_contacts(concern, "email")


def handler_phones(concern: Concern) -> list[str]:
    return _handler_contacts(concern, "phone")


def _tell_resident(
    concern: Concern,
    *,
    template: str,
    params: dict[str, object],
    subject: str,
    body: str,
) -> None:
    """Queue the news by e-mail and by SMS, to whichever the resident gave."""
    if concern.email:
        notifications.queue_email(
            concern=concern, to=[concern.email], subject=subject, body=body
        )
    if concern.phone:
        notifications.queue_sms(
            concern=concern,
            to=[concern.phone],
            template=template,
            params={"code": concern.formatted_code, **params},
        )


def _tell_handler(
    concern: Concern,
    *,
    template: str,
    subject: str,
    body: str,
    fallback_unit: OrgUnit | None = None,
) -> list[Notification]:
    """Queue the news by e-mail and SMS to the concern's handler (or, when
    it has none, the staff of `fallback_unit`); return the outbox rows."""
    emails = handler_emails(concern) or _unit_emails(fallback_unit)
    phones = handler_phones(concern) or unit_contacts("phone", fallback_unit)
    rows = notifications.queue_email(
        concern=concern, to=emails, subject=subject, body=body
    )
    return rows + notifications.queue_sms(
        concern=concern,
        to=phones,
        template=template,
        params={
            "code": concern.formatted_code,
            "place": concern.place_display,
            "due": _short_time(concern.due_at),
        },
    )


def _short_time(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M") if moment else ""


def _track_url(concern: Concern) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}{concern.get_absolute_url()}"


def rating_url(concern: Concern) -> str:
    """The resident's one-time rating link, as mailed."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}{concern.get_rating_url()}"


def on_handler_side(concern: Concern, user: User | None) -> bool:
    """Whether `user` works for the concern's handler: staff of its company,
    or a staff post in its handling unit."""
    if user is None or not user.pk:
        return False
    scope = user_scope(user)
    if concern.handler_company_id:
        return concern.handler_company_id in scope.company_ids
    if concern.handler_unit_id:
        return any(unit.pk == concern.handler_unit_id for unit in scope.staff_units)
    return False


# Submission ------------------------------------------------------------------


def contact_phone(phone: str, *, source: str) -> str:
    """The number to store: E.164, or "" when none was given.

    Residents and staff must give a valid number (a Chinese
    ValidationError otherwise). A partner's number (Open311) is never a
    reason to lose the report: stored in E.164 when it parses, else as
    given, trimmed to the field's length, for staff to read.
    """
    if source != Concern.Source.OPEN311:
        return parse_phone(phone, strict=True)
    raw = " ".join((phone or "").split())
    return (
        parse_phone(raw, strict=False)
        or raw[: Concern._meta.get_field("phone").max_length]
    )


def max_description_length() -> int:
    # Open311 GeoReport v2 allows 4000 characters; the same limit holds for
    # every channel so a partner's request is never refused for its length.
    return settings.CONCERN_MAX_DESCRIPTION


@transaction.atomic
def submit_concern(
    *,
    compound: Compound | None,
    category: ConcernCategory,
    description: str,
    kind: str = Concern.Kind.CONSULTATION,
    source: str = Concern.Source.WEB,
    urgency: str = Concern.Urgency.NORMAL,
    name: str = "",
    phone: str = "",
    email: str = "",
    photos: Iterable = (),
    actor: User | None = None,
    partner: str = "",
    submission_token: str | None = None,
    place: str = "",
    community: OrgUnit | None = None,
) -> Concern:
    """Store a resident's concern with its photos, first event and e-mails.

    A repeated `submission_token` (a replayed form) returns the concern
    already stored instead of a second one. Without a `compound` (the
    resident's was not in the list) the `place` as typed and the
    `community` are required; staff assign the compound later
    (`assign_compound`).
    """
    if submission_token:
        existing = Concern.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
    description = _require(description, _("Describe the concern."))
    if len(description) > max_description_length():
        raise ValidationError(
            _("The description may be at most %(n)d characters.")
            % {"n": max_description_length()},
            code="too_long",
        )
    if not category.is_active:
        raise ValidationError(_("This category is no longer in use."))
    for value, choices, label in (
        (kind, Concern.Kind, _("kind")),
        (source, Concern.Source, _("source")),
        (urgency, Concern.Urgency, _("urgency")),
    ):
        if value not in choices.values:
            raise ValidationError(
                _("Unknown %(field)s: %(value)s") % {"field": label, "value": value}
            )
    phone = contact_phone(phone, source=source)
    place, community = _reported_place(compound, place, community)
    prepared = prepare_photos(list(photos))

    now = timezone.now()
    due_at, fallback = deadline_for(category, urgency, now)
    concern = Concern(
        compound=compound,
        place=place,
        community=community,
        category=category,
        description=description,
        kind=kind,
        source=source,
        urgency=urgency,
        name=(name or "").strip()[:50],
        phone=phone,
        email=(email or "").strip(),
        partner=partner,
        is_public_on_open311=source in Concern.SELF_SERVICE_SOURCES,
        submission_token=submission_token or None,
        created_at=now,
        due_at=due_at,
        due_on_fallback_calendar=fallback,
    )
    # The database checks what needs a query: the token's and the tracking
    # code's uniqueness (unique indexes, below), the compound-or-place
    # constraint (_reported_place has made sure of it) and the foreign keys
    # (the compound and category were passed in as rows).
    concern.full_clean(
        exclude=[
            "street",
            "community",
            "grid",
            "submission_token",
            "compound",
            "category",
        ],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        # A double tap sends one token twice at once: both requests may get
        # past the look-up above, the unique index lets one insert, and the
        # other (its savepoint rolled back) answers with the row that one
        # committed.
        with transaction.atomic():
            concern.save()
    except IntegrityError:
        existing = (
            Concern.objects.filter(submission_token=submission_token).first()
            if submission_token
            else None
        )
        if existing is None:
            raise
        return existing
    for photo in prepared:
        ConcernPhoto.objects.create(
            concern=concern, image=photo, stage=ConcernPhoto.Stage.SUBMITTED
        )
    _event(
        concern,
        actor=actor,
        action="submit",
        from_status="",
        note=str(Concern.Source(source).label),
    )
    with notifications.batch():
        _tell_of_new_concern(concern, due_at)
    return concern


def _tell_of_new_concern(concern: Concern, due_at) -> None:
    """Queue the staff's e-mail and the resident's receipt of a new concern."""
    notifications.queue_email(
        concern=concern,
        to=_unit_emails(concern.grid_id, concern.community_id),
        subject=_("New concern %(code)s in %(compound)s")
        % {"code": concern.formatted_code, "compound": concern.place_display},
        body=_("%(category)s · %(kind)s\n\n%(description)s\n\nDeadline: %(due)s")
        % {
            "category": concern.category,
            "kind": concern.get_kind_display(),
            "description": concern.description,
            "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    _tell_resident(
        concern,
        template="receipt",
        params={"url": rating_url(concern)},
        subject=_("We received your concern %(code)s")
        % {"code": concern.formatted_code},
        body=_(
            "Your tracking code is %(code)s. Follow it here: %(url)s\n\n"
            "Once it is answered, rate the answer (once) here: %(rate)s"
        )
        % {
            "code": concern.formatted_code,
            "url": _track_url(concern),
            "rate": rating_url(concern),
        },
    )


def _reported_place(
    compound: Compound | None, place: str, community: OrgUnit | None
) -> tuple[str, OrgUnit | None]:
    """The place text and community of a concern (see `submit_concern`)."""
    if compound is not None:
        return "", None
    place = " ".join((place or "").split())
    if not place:
        raise ValidationError(
            {"place": _("Say where it is: the compound, building or street.")},
            code="required",
        )
    if len(place) > Concern._meta.get_field("place").max_length:
        raise ValidationError(
            {"place": _("Say where it is in at most 100 characters.")},
            code="too_long",
        )
    if community is None or community.kind != OrgUnit.Kind.COMMUNITY:
        raise ValidationError(
            {"community": _("Choose the community it is in.")}, code="required"
        )
    return place, community


@transaction.atomic
def assign_compound(
    *, concern: Concern, compound: Compound, actor: User | None
) -> Concern:
    """Put a concern reported as not in the list under its compound.

    The street, community and grid follow the compound; the place the
    resident typed is kept, and an internal event says who assigned what.
    """
    if actor is not None:
        require(actor, "consultations.assign_compound")
    concern = _lock(concern)
    if concern.compound_id is not None:
        raise ValidationError(
            _("This concern already has its compound: %(compound)s.")
            % {"compound": concern.compound},
            code="has_compound",
        )
    if compound.street_id != concern.street_id:
        raise ValidationError(
            _("Choose a compound of the concern's street."), code="other_street"
        )
    concern.compound = compound
    concern.save(
        update_fields=["compound", "street", "community", "grid", "updated_at"]
    )
    # The events' place copies move with the concern (one UPDATE).
    concern.events.update(
        street_id=concern.street_id,
        community_id=concern.community_id,
        grid_id=concern.grid_id,
    )
    _event(
        concern,
        actor=actor,
        action="note",
        from_status=concern.status,
        note=_("Compound assigned: %(compound)s (reported as “%(place)s”).")
        % {"compound": compound.name, "place": concern.place},
        is_public=False,
    )
    return concern


# Workflow verbs ---------------------------------------------------------------


@transaction.atomic
def accept(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """受理: staff take the concern on."""
    concern = _lock(concern)
    _check(concern, "accept", actor)
    return _move(concern, actor=actor, action="accept", to_status=S.ACCEPTED, note=note)


@transaction.atomic
def reject(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """不予受理: out of scope or invalid; the reason is public."""
    concern = _lock(concern)
    _check(concern, "reject", actor)
    note = _require(note, _("Give the reason for rejecting."))
    concern.closed_at = timezone.now()
    _move(
        concern,
        actor=actor,
        action="reject",
        to_status=S.REJECTED,
        note=note,
        fields=["closed_at"],
    )
    _tell_resident(
        concern,
        template="rejected",
        params={"reason": note},
        subject=_("Your concern %(code)s was not accepted")
        % {"code": concern.formatted_code},
        body=_("Reason: %(reason)s\n\nThe concern's page: %(url)s")
        % {"reason": note, "url": _track_url(concern)},
    )
    return concern


@transaction.atomic
def dispatch(
    *,
    concern: Concern,
    actor: User | None,
    note: str = "",
    to: str = "",
    department: LiaisonDepartment | None = None,
) -> Concern:
    """派单 to the serving company (default), community, grid or department."""
    concern = _lock(concern)
    _check(concern, "dispatch", actor)
    H = ConcernCategory.Handler
    to = to or concern.category.default_handler
    company = unit = None
    if to in (H.COMPANY, H.GRID) and concern.compound_id is None:
        raise ValidationError(
            _(
                "Assign the compound first: the resident's was not in the "
                "list. Until then it can go to the community or a liaison "
                "department."
            ),
            code="needs_compound",
        )
    if to == H.COMPANY:
        company = concern.compound.current_company
        if company is None:
            raise ValidationError(
                _(
                    "%(compound)s has no serving property company; dispatch it "
                    "to the community or the grid."
                )
                % {"compound": concern.compound}
            )
    elif to == H.COMMUNITY:
        unit = concern.community
    elif to == H.GRID:
        unit = concern.compound.grid
    elif to == H.LIAISON:
        if department is None:
            raise ValidationError(_("Choose the liaison department."))
        if department.street_id != concern.street_id:
            raise ValidationError(
                _("This department does not serve the concern's street.")
            )
    else:
        raise ValidationError(_("Unknown handler."))
    now = timezone.now()
    concern.handler_company = company
    concern.handler_unit = unit
    concern.handler_department = department if to == H.LIAISON else None
    concern.dispatched_at = now
    concern.signed_at = None
    concern.sign_due_at = add_working_days(now, 1).moment
    _move(
        concern,
        actor=actor,
        action="dispatch",
        to_status=S.DISPATCHED,
        note=note
        or _("Dispatched to %(handler)s") % {"handler": concern.handler_display},
        fields=[
            "handler_company",
            "handler_unit",
            "handler_department",
            "dispatched_at",
            "signed_at",
            "sign_due_at",
        ],
    )
    _tell_handler(
        concern,
        template="dispatched",
        subject=_("Concern %(code)s dispatched to you")
        % {"code": concern.formatted_code},
        body=_("%(compound)s · %(category)s\n\n%(description)s\n\nDeadline: %(due)s")
        % {
            "compound": concern.place_display,
            "category": concern.category,
            "description": concern.description,
            "due": timezone.localtime(concern.due_at).strftime("%Y-%m-%d %H:%M")
            if concern.due_at
            else "",
        },
    )
    return concern


@transaction.atomic
def sign(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """签收: the handler confirms it has the concern."""
    concern = _lock(concern)
    _check(concern, "sign", actor)
    if concern.signed_at is not None:
        raise ValidationError(_("This concern has already been signed for."))
    concern.signed_at = timezone.now()
    return _move(
        concern,
        actor=actor,
        action="sign",
        to_status=S.SIGNED,
        note=note,
        fields=["signed_at"],
    )


@transaction.atomic
def start(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """办理: work on the concern begins."""
    concern = _lock(concern)
    _check(concern, "start", actor)
    if concern.signed_at is None:
        concern.signed_at = timezone.now()
    return _move(
        concern,
        actor=actor,
        action="start",
        to_status=S.IN_PROGRESS,
        note=note,
        fields=["signed_at"],
    )


@transaction.atomic
def respond(
    *, concern: Concern, actor: User | None, note: str = "", photos: Iterable = ()
) -> Concern:
    """答复: the result, public, with photos; e-mails the resident."""
    concern = _lock(concern)
    _check(concern, "respond", actor)
    note = _require(note, _("Write the answer to the resident."))
    prepared = prepare_photos(list(photos))
    concern.response = note
    concern.responded_at = timezone.now()
    _move(
        concern,
        actor=actor,
        action="respond",
        to_status=S.RESPONDED,
        note=note,
        fields=["response", "responded_at"],
    )
    for photo in prepared:
        ConcernPhoto.objects.create(
            concern=concern, image=photo, stage=ConcernPhoto.Stage.RESPONSE
        )
    _tell_resident(
        concern,
        template="answered",
        params={"url": rating_url(concern)},
        subject=_("Your concern %(code)s has been answered")
        % {"code": concern.formatted_code},
        body=_("%(answer)s\n\nPlease rate the answer (once): %(url)s")
        % {"answer": note, "url": rating_url(concern)},
    )
    return concern


@transaction.atomic
def request_extension(
    *, concern: Concern, actor: User | None, note: str = "", days: int = 0
) -> Concern:
    """申请延期: the handler asks for up to 10 working days, with a reason.

    The deadline does not move until the dispatcher grants it (`extend`).
    """
    concern = _lock(concern)
    _check(concern, "request_extension", actor)
    note = _require(note, _("Give the reason for the extension."))
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            _("An extension is 1 to %(n)d working days.") % {"n": MAX_EXTENSION_DAYS}
        )
    concern.extension_days_requested = days
    concern.extension_requested_by = actor if actor is not None and actor.pk else None
    return _move(
        concern,
        actor=actor,
        action="request_extension",
        to_status=concern.status,
        note=_("%(reason)s (%(n)d working days asked for)")
        % {"reason": note, "n": days},
        is_public=False,
        fields=["extension_days_requested", "extension_requested_by"],
    )


def _decide_extension(concern: Concern, actor: User | None, name: str) -> None:
    _check(concern, name, actor)
    if actor is not None and (
        on_handler_side(concern, actor)
        or (actor.pk and actor.pk == concern.extension_requested_by_id)
    ):
        raise ValidationError(
            _(
                "The dispatcher decides on an extension, not the handler who "
                "asked for it."
            ),
            code="own_extension",
        )


@transaction.atomic
def extend(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """延期: grant the extension asked for; the deadline moves, once."""
    concern = _lock(concern)
    _decide_extension(concern, actor, "extend")
    days = concern.extension_days_requested
    result = add_working_days(concern.due_at or timezone.now(), days)
    concern.due_at = result.moment
    concern.due_on_fallback_calendar = result.fallback
    concern.extended = True
    concern.extension_days_requested = None
    concern.overdue_notified_at = None
    reason = (note or "").strip()
    due = timezone.localtime(result.moment).strftime("%Y-%m-%d")
    return _move(
        concern,
        actor=actor,
        action="extend",
        to_status=concern.status,
        note=(
            _("%(reason)s (new deadline %(due)s)") % {"reason": reason, "due": due}
            if reason
            else _("New deadline %(due)s") % {"due": due}
        ),
        fields=[
            "due_at",
            "due_on_fallback_calendar",
            "extended",
            "extension_days_requested",
            "overdue_notified_at",
        ],
    )


@transaction.atomic
def decline_extension(
    *, concern: Concern, actor: User | None, note: str = ""
) -> Concern:
    """The dispatcher declines the extension asked for; the deadline stays."""
    concern = _lock(concern)
    _decide_extension(concern, actor, "decline_extension")
    note = _require(note, _("Give the reason for declining."))
    concern.extension_days_requested = None
    return _move(
        concern,
        actor=actor,
        action="decline_extension",
        to_status=concern.status,
        note=note,
        is_public=False,
        fields=["extension_days_requested"],
    )


@transaction.atomic
def return_concern(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """退回: misrouted, within 2 working days of dispatch, with a reason."""
    concern = _lock(concern)
    _check(concern, "return", actor)
    note = _require(note, _("Give the reason for returning."))
    limit = add_working_days(concern.dispatched_at, RETURN_WITHIN_WORKING_DAYS)
    if timezone.now() > limit.moment:
        raise ValidationError(
            _("A concern can be returned only within %(n)d working days of dispatch.")
            % {"n": RETURN_WITHIN_WORKING_DAYS}
        )
    concern.handler_company = None
    concern.handler_unit = None
    concern.handler_department = None
    return _move(
        concern,
        actor=actor,
        action="return",
        to_status=S.ACCEPTED,
        note=note,
        is_public=False,
        fields=["handler_company", "handler_unit", "handler_department"],
    )


@transaction.atomic
def escalate(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """督办: the street presses the handler; automatic when overdue."""
    concern = _lock(concern)
    _check(concern, "escalate", actor)
    concern.escalated_at = timezone.now()
    _move(
        concern,
        actor=actor,
        action="escalate",
        to_status=S.ESCALATED,
        note=note,
        fields=["escalated_at"],
    )
    return concern


def _held(concern: Concern) -> bool:
    return concern.holds.open().exists()


@transaction.atomic
def place_hold(*, concern: Concern, reason: str) -> ConcernHold:
    """Keep `concern` from closing until the hold is released.

    The interface for other apps (a meeting's action item, say): the
    workflow only asks whether a concern has open holds.
    """
    reason = _require(reason, _("Give the reason for the hold."))
    return ConcernHold.objects.create(concern=concern, reason=reason[:300])


@transaction.atomic
def release_hold(*, hold: ConcernHold) -> ConcernHold:
    """Release a hold; the concern may close once none is left open."""
    ConcernHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    hold.refresh_from_db(fields=["released_at"])
    return hold


def _rated(
    concern: Concern,
    *,
    actor: User | None,
    action: str,
    rating: str,
    comment: str,
    resolved: bool | None,
) -> Concern:
    """Record a rating; dissatisfied reopens (or escalates the second time)."""
    if rating not in Concern.Rating.values:
        raise ValidationError(
            _("Choose satisfied, basically satisfied or dissatisfied.")
        )
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError(_("The comment may be at most 500 characters."))
    dissatisfied = rating == Concern.Rating.DISSATISFIED
    concern.rating = rating
    concern.rating_comment = comment
    concern.is_resolved = (not dissatisfied) if resolved is None else resolved
    # The link that carried this rating (or any link of this round) is used.
    concern.rating_round += 1
    label = Concern.Rating(rating).label
    note = f"{label}：{comment}" if comment else str(label)
    fields = ["rating", "rating_comment", "is_resolved", "rating_round"]
    if dissatisfied:
        if concern.reopened_count >= 1:
            # 重办 once; dissatisfied again goes to the street (督办).
            concern.escalated_at = timezone.now()
            return _move(
                concern,
                actor=actor,
                action=action,
                to_status=S.ESCALATED,
                note=note,
                fields=[*fields, "escalated_at"],
            )
        _move(
            concern,
            actor=actor,
            action=action,
            to_status=S.FOLLOW_UP,
            note=note,
            fields=fields,
        )
        return _reopen(concern, actor=actor, note=_("The resident is dissatisfied."))
    if _held(concern):
        return _move(
            concern,
            actor=actor,
            action=action,
            to_status=S.FOLLOW_UP,
            note=note,
            fields=fields,
        )
    concern.closed_at = timezone.now()
    _move(
        concern,
        actor=actor,
        action=action,
        to_status=S.CLOSED,
        note=note,
        fields=[*fields, "closed_at"],
    )
    _tell_resident_closed(concern)
    return concern


def _responder_id(concern: Concern) -> int | None:
    return (
        concern.events.filter(action="respond")
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


@transaction.atomic
def follow_up(
    *,
    concern: Concern,
    actor: User | None,
    note: str = "",
    rating: str = "",
    resolved: bool | None = None,
) -> Concern:
    """回访: an independent call records the resident's rating.

    Independent: not by the handler (its company or unit) nor by whoever
    wrote the answer; the rating is what the resident says, never a
    default.
    """
    concern = _lock(concern)
    _check(concern, "follow_up", actor)
    if actor is not None and (
        on_handler_side(concern, actor)
        or (actor.pk and actor.pk == _responder_id(concern))
    ):
        raise ValidationError(
            _(
                "The follow-up call is made by someone other than the handler "
                "of the concern."
            ),
            code="not_independent",
        )
    if not rating:
        raise ValidationError(_("Record the rating the resident gave on the call."))
    return _rated(
        concern,
        actor=actor,
        action="follow_up",
        rating=rating,
        comment=note,
        resolved=resolved,
    )


@transaction.atomic
def rate_concern(*, token: str, rating: str, comment: str = "") -> Concern:
    """The resident rates the answer through the one-time rating link."""
    concern = (
        Concern.objects.for_rating_token(token)
        .select_for_update(of=("self",))
        .select_related("compound", "category")
        .first()
    )
    if concern is None:
        raise ValidationError(
            _("This rating link has been used already or is not valid."),
            code="rating_link",
        )
    _check(concern, "rate")
    return _rated(
        concern,
        actor=None,
        action="rate",
        rating=rating,
        comment=comment,
        resolved=None,
    )


@transaction.atomic
def close(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """办结: refused while a hold on it is open (a meeting's action item)."""
    concern = _lock(concern)
    _check(concern, "close", actor)
    reasons = list(concern.holds.open().values_list("reason", flat=True)[:3])
    if reasons:
        raise ValidationError(
            _("This concern cannot be closed while these are open: %(holds)s.")
            % {"holds": "; ".join(reasons)}
        )
    concern.closed_at = timezone.now()
    _move(
        concern,
        actor=actor,
        action="close",
        to_status=S.CLOSED,
        note=note,
        fields=["closed_at"],
    )
    _tell_resident_closed(concern)
    return concern


def _tell_resident_closed(concern: Concern) -> None:
    _tell_resident(
        concern,
        template="closed",
        params={},
        subject=_("Your concern %(code)s is closed") % {"code": concern.formatted_code},
        body=_("Thank you for telling us. The concern's page: %(url)s")
        % {"url": _track_url(concern)},
    )


def _reopen(concern: Concern, *, actor: User | None, note: str) -> Concern:
    now = timezone.now()
    concern.reopened_count += 1
    concern.closed_at = None
    concern.overdue_notified_at = None
    # A new round: the earlier rating (kept in its event) no longer counts
    # in 三率, and the new deadline may be extended once again.
    concern.rating = ""
    concern.rating_comment = ""
    concern.is_resolved = None
    concern.extended = False
    concern.extension_days_requested = None
    concern.due_at, concern.due_on_fallback_calendar = deadline_for(
        concern.category, concern.urgency, now
    )
    _move(
        concern,
        actor=actor,
        action="reopen",
        to_status=S.REOPENED,
        note=note,
        fields=[
            "reopened_count",
            "closed_at",
            "overdue_notified_at",
            "due_at",
            "due_on_fallback_calendar",
            "rating",
            "rating_comment",
            "is_resolved",
            "extended",
            "extension_days_requested",
        ],
    )
    _tell_resident(
        concern,
        template="reopened",
        params={},
        subject=_("Your concern %(code)s has been reopened")
        % {"code": concern.formatted_code},
        body=_("It will be handled and answered again. The concern's page: %(url)s")
        % {"url": _track_url(concern)},
    )
    return concern


@transaction.atomic
def reopen(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """重办: back to work with a fresh deadline."""
    concern = _lock(concern)
    _check(concern, "reopen", actor)
    note = _require(note, _("Give the reason for reopening."))
    return _reopen(concern, actor=actor, note=note)


@transaction.atomic
def merge(
    *, concern: Concern, actor: User | None, into: Concern, note: str = ""
) -> Concern:
    """合并: a duplicate points at the concern that is kept."""
    concern = _lock(concern)
    _check(concern, "merge", actor)
    if into.pk == concern.pk:
        raise ValidationError(_("A concern cannot be merged into itself."))
    into = Concern.objects.get(pk=into.pk)
    if into.compound_id != concern.compound_id:
        raise ValidationError(_("Only concerns about the same compound can be merged."))
    if not into.is_open and into.status != S.RESPONDED:
        raise ValidationError(_("The concern kept must still be open."))
    concern.merged_into = into
    concern.closed_at = timezone.now()
    return _move(
        concern,
        actor=actor,
        action="merge",
        to_status=S.MERGED,
        note=note or _("Merged into %(code)s") % {"code": into.formatted_code},
        fields=["merged_into", "closed_at"],
    )


@transaction.atomic
def hide(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """Moderation: hide the public description; the original is kept."""
    concern = _lock(concern)
    _check(concern, "hide", actor)
    note = _require(note, _("Give the reason for hiding the description."))
    concern.is_hidden = True
    concern.hidden_reason = note[:200]
    return _move(
        concern,
        actor=actor,
        action="hide",
        to_status=concern.status,
        note=note,
        is_public=False,
        fields=["is_hidden", "hidden_reason"],
    )


@transaction.atomic
def unhide(*, concern: Concern, actor: User | None, note: str = "") -> Concern:
    """Moderation undone: the description is public again (an event says
    who and why)."""
    concern = _lock(concern)
    _check(concern, "unhide", actor)
    concern.is_hidden = False
    concern.hidden_reason = ""
    return _move(
        concern,
        actor=actor,
        action="unhide",
        to_status=concern.status,
        note=(note or "").strip(),
        is_public=False,
        fields=["is_hidden", "hidden_reason"],
    )


@transaction.atomic
def add_note(*, concern: Concern, actor: User | None, note: str) -> Concern:
    """An internal note on the timeline, no change of status."""
    _check(concern, "note", actor)
    note = _require(note, _("Write the note."))
    _event(
        concern,
        actor=actor,
        action="note",
        from_status=concern.status,
        note=note,
        is_public=False,
    )
    return concern


def duplicate_candidates(concern: Concern):
    """Open concerns in the same compound and category from the last 14 days."""
    return (
        Concern.objects.open()
        .filter(
            compound_id=concern.compound_id,
            category_id=concern.category_id,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .exclude(pk=concern.pk)
        .order_by("-created_at", "-id")
    )


# Sweeps and signals -----------------------------------------------------------


def sweep_deadlines(*, now: datetime | None = None) -> notifications.Queued:
    """Escalate and report newly overdue concerns (red); return how many,
    with the e-mails and SMS queued to their handlers."""
    now = now or timezone.now()
    ids = list(
        Concern.objects.overdue(now)
        .filter(overdue_notified_at__isnull=True)
        .values_list("pk", flat=True)[:1000]
    )
    return sum((_mark_overdue(pk, now) for pk in ids), notifications.Queued())


@transaction.atomic
def _mark_overdue(pk: int, now: datetime) -> notifications.Queued:
    concern = (
        Concern.objects.select_for_update(of=("self",))
        .select_related("compound", "category", "handler_company", "handler_department")
        .get(pk=pk)
    )
    if concern.overdue_notified_at is not None or not concern.is_overdue:
        return notifications.Queued()
    concern.overdue_notified_at = now
    concern.save(update_fields=["overdue_notified_at", "updated_at"])
    if ACTIONS["escalate"].may_start_from(concern.status):
        escalate(
            concern=concern, actor=None, note=_("Overdue: escalated automatically.")
        )
    rows = _tell_handler(
        concern,
        template="overdue",
        fallback_unit=concern.community,
        subject=_("Concern %(code)s is overdue") % {"code": concern.formatted_code},
        body=_("%(compound)s · %(category)s: the deadline %(due)s has passed.")
        % {
            "compound": concern.place_display,
            "category": concern.category,
            "due": timezone.localtime(concern.due_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return notifications.Queued.of(rows, reminded=1)


def remind_due_tomorrow(*, today: date | None = None) -> notifications.Queued:
    """Tell the handlers of the open concerns due tomorrow (e-mail and SMS),
    each deadline once; return how many concerns were reminded, with the
    e-mails and SMS queued."""
    today = today or timezone.localdate()
    candidates = list(
        Concern.objects.due_on(today + timedelta(days=1))
        .exclude(due_reminded_for=F("due_at"))
        .values_list("pk", flat=True)[:1000]
    )
    return sum((_remind_due(pk) for pk in candidates), notifications.Queued())


@transaction.atomic
def _remind_due(pk: int) -> notifications.Queued:
    # Claimed by the update, so two runs never both remind one deadline.
    if not (
        Concern.objects.filter(pk=pk)
        .exclude(due_reminded_for=F("due_at"))
        .update(due_reminded_for=F("due_at"))
    ):
        return notifications.Queued()
    concern = Concern.objects.select_related(
        "compound", "category", "handler_company", "handler_department"
    ).get(pk=pk)
    rows = _tell_handler(
        concern,
        template="due_tomorrow",
        fallback_unit=concern.community,
        subject=_("Concern %(code)s is due tomorrow")
        % {"code": concern.formatted_code},
        body=_("%(compound)s · %(category)s: the deadline is %(due)s.")
        % {
            "compound": concern.place_display,
            "category": concern.category,
            "due": timezone.localtime(concern.due_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return notifications.Queued.of(rows, reminded=1)


REVEALS_PHONE = "consultations.reveal_phone"
# A revealed number stays shown to the login that revealed it for this long,
# on the detail page and through the API alike, so a reload, a second tap or
# a client's retry is not a second entry in the audit trail.
REVEAL_WINDOW = timedelta(minutes=5)


def phone_shown_until(
    *, concern: Concern, actor: User, now: datetime | None = None
) -> datetime | None:
    """When the reveal window of `actor` on `concern`'s number ends, or None
    when no reveal of theirs is that recent.

    The window is read from the audit trail itself: only a logged reveal
    opens one, so nothing shows a number the trail does not hold.
    """
    now = now or timezone.now()
    last = (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.REVEAL_PHONE,
            actor=actor,
            object_type=Concern._meta.label_lower,
            object_id=str(concern.pk),
            at__gt=now - REVEAL_WINDOW,
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return last + REVEAL_WINDOW if last else None


@transaction.atomic
def reveal_phone(*, concern: Concern, actor: User, request=None) -> str:
    """The resident's full number for `actor`, the reveal kept in the trail
    once per REVEAL_WINDOW.

    The caller has found the concern among those the actor may read; this
    checks the task, so no other path shows a number unlogged.
    """
    require(actor, REVEALS_PHONE)
    # Two taps at once wait for each other here, so one window is one entry.
    list(Concern.objects.select_for_update().filter(pk=concern.pk).values("pk"))
    if phone_shown_until(concern=concern, actor=actor) is None:
        record_event(
            action=AuditEvent.Action.REVEAL_PHONE,
            actor=actor,
            request=request,
            obj=concern,
            street=concern.street_id,
            detail=_in_chinese(
                "Viewed the resident's phone number of concern %(code)s",
                code=concern.formatted_code,
            ),
        )
    return concern.phone


def _in_chinese(message: str, **values) -> str:
    """`message` translated into Chinese whatever the page's language: the
    audit trail is read in Chinese."""
    with translation.override("zh-hans"):
        return _(message) % values


def set_concern_themes(
    *, concern: Concern, themes: Iterable[Theme], actor: User
) -> None:
    """Tag `concern` with exactly `themes` (what the street reports it under)."""
    require(actor, "consultations.tag_themes")
    concern.themes.set(list(themes))

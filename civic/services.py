"""Every change to visit days, meetings and disclosures.

Views, the admin, tasks and the demo call these functions; none of them
writes these models directly.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from common.parsing import parse_id
from common.periods import Month
from compounds.models import (
    Committee,
    CompanyStaff,
    Compound,
    ServiceContract,
    active_on_q,
)
from consultations.models import Concern, ConcernCategory
from consultations.notifications import Queued, queue_email, queue_sms
from consultations.services import (
    place_hold,
    release_hold,
    submit_concern,
    unit_contacts,
)
from org.models import CrossAppointment
from org.rights import may, require

from .models import (
    ActionItem,
    Disclosure,
    DisclosureObjection,
    Meeting,
    MeetingAgendaItem,
    MeetingDecision,
    VisitDayOverride,
    VisitNeed,
    VisitPhoto,
    VisitReport,
)

SATURDAY = 5
DEFAULT_OBJECTION_DAYS = 7

# What the serving company discloses itself (see civic/roles.py).
COMPANY_DISCLOSURE_KINDS = frozenset(
    {
        Disclosure.Kind.SERVICE_STANDARD,
        Disclosure.Kind.FEES,
        Disclosure.Kind.FINANCES,
        Disclosure.Kind.PUBLIC_INCOME,
        Disclosure.Kind.MAINTENANCE_FUND,
    }
)


def _check(actor, task: str) -> None:
    """Refuse a person the rights table does not allow (no actor: the
    system itself, e.g. the demo loader)."""
    if actor is not None:
        require(actor, task)


# Visit day -----------------------------------------------------------------


def second_saturday(year: int, month: int) -> date:
    first = date(year, month, 1)
    first_saturday = first + timedelta(days=(SATURDAY - first.weekday()) % 7)
    return first_saturday + timedelta(days=7)


def visit_day(
    year: int, month: int, *, compound: Compound | None = None, street_id=None
) -> date:
    """The visit day of a month: the compound's override, else its street's,
    else a general one, else the month's second Saturday."""
    if compound is not None:
        street_id = compound.street_id
    rows = VisitDayOverride.objects.filter(month=date(year, month, 1))
    wanted = Q(compound__isnull=True, street__isnull=True)
    if street_id is not None:
        wanted |= Q(compound__isnull=True, street_id=street_id)
    if compound is not None:
        wanted |= Q(compound=compound)
    found = {
        (compound_id is not None, street is not None): day
        for compound_id, street, day in rows.filter(wanted).values_list(
            "compound_id", "street_id", "date"
        )
    }
    for key in ((True, True), (False, True), (False, False)):
        if key in found:
            return found[key]
    return second_saturday(year, month)


def next_visit_day(on: date | None = None, *, street_id=None) -> date:
    """The first visit day on or after `on` (today by default)."""
    on = on or timezone.localdate()
    this_month = visit_day(on.year, on.month, street_id=street_id)
    if this_month >= on:
        return this_month
    following = Month.of(on).next()
    return visit_day(following.year, following.number, street_id=street_id)


def with_visit_day(compounds: QuerySet[Compound], month: date) -> QuerySet[Compound]:
    """Annotate each compound's `visit_day` in `month` (see `visit_day`), in
    the same query."""
    start = Month.of(month).start
    rows = VisitDayOverride.objects.filter(month=start)
    general = rows.filter(compound__isnull=True)

    def first(overrides):
        return Subquery(overrides.values("date")[:1])

    return compounds.annotate(
        visit_day=Coalesce(
            first(rows.filter(compound=OuterRef("pk"))),
            first(general.filter(street=OuterRef("street"))),
            first(general.filter(street__isnull=True)),
            Value(second_saturday(start.year, start.month)),
            output_field=DateField(),
        )
    )


def _served_on_visit_day() -> Exists:
    return Exists(
        ServiceContract.objects.filter(compound=OuterRef("pk")).filter(
            active_on_q(OuterRef("visit_day"))
        )
    )


def report_on_visit_day() -> Exists:
    return Exists(
        VisitReport.objects.filter(compound=OuterRef("pk"), date=OuterRef("visit_day"))
    )


def compounds_due_for_visit(
    month: date, compounds: QuerySet[Compound] | None = None
) -> QuerySet[Compound]:
    """Compounds served by a company on their visit day of `month`, with
    `visit_day` annotated."""
    base = compounds if compounds is not None else Compound.objects.all()
    return with_visit_day(base, month).filter(_served_on_visit_day())


def compounds_missing_report(
    month: date,
    compounds: QuerySet[Compound] | None = None,
    on: date | None = None,
) -> QuerySet[Compound]:
    """Compounds that a company served on their visit day, once that day has
    passed, with no report dated on it. `compounds` narrows the search (e.g.
    to a scope).

    A report on another day is kept but does not count; a visit day still
    ahead (or today) is not missed yet.
    """
    on = on or timezone.localdate()
    return (
        compounds_due_for_visit(month, compounds)
        .filter(visit_day__lt=on)
        .exclude(report_on_visit_day())
    )


def with_serving_company(compounds: QuerySet[Compound]) -> QuerySet[Compound]:
    """Annotate `company_name`, the company serving on `visit_day`."""
    contracts = ServiceContract.objects.filter(compound=OuterRef("pk")).filter(
        active_on_q(OuterRef("visit_day"))
    )
    return compounds.annotate(
        company_name=Subquery(contracts.values("company__name")[:1])
    )


def counts_for_month(report: VisitReport) -> bool:
    """Whether the report is dated on its compound's visit day."""
    return report.date == visit_day(
        report.date.year, report.date.month, compound=report.compound
    )


def _company_on(compound: Compound, day: date):
    contract = compound.contract_on(day)
    return contract.company if contract else None


@transaction.atomic
def file_visit_report(
    *,
    compound: Compound,
    manager,
    date: date,
    households_visited: int,
    notes: str = "",
    photos: Sequence = (),
    needs: Iterable[str] = (),
) -> VisitReport:
    """Store one compound's visit-day report with its photos and needs.

    A report dated on another day than the compound's visit day is stored
    but does not count for the month (`counts_for_month`).
    """
    _check(manager, "civic.file_visit_report")
    today = timezone.localdate()
    if date > today:
        raise ValidationError(
            {"date": _("A visit cannot be reported before it happened.")}
        )
    if date < today - timedelta(days=366):
        raise ValidationError({"date": _("The date is more than a year ago.")})
    if households_visited < 0:
        raise ValidationError(
            {"households_visited": _("The number of households cannot be negative.")}
        )
    if compound.households and households_visited > compound.households:
        raise ValidationError(
            {
                "households_visited": _("%(compound)s has only %(n)d households.")
                % {"compound": compound.name, "n": compound.households}
            }
        )
    if len(photos) > settings.VISIT_MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(n)d photos.") % {"n": settings.VISIT_MAX_PHOTOS}}
        )
    if VisitReport.objects.filter(compound=compound, date=date).exists():
        raise ValidationError(
            _("A report for this compound on this day has already been filed.")
        )
    report = VisitReport.objects.create(
        compound=compound,
        company=_company_on(compound, date),
        manager=manager,
        date=date,
        households_visited=households_visited,
        notes=notes.strip(),
    )
    for photo in photos:
        VisitPhoto.objects.create(report=report, image=photo)
    VisitNeed.objects.bulk_create(
        [VisitNeed(report=report, text=text.strip()) for text in needs if text.strip()]
    )
    return report


@transaction.atomic
def need_to_concern(
    *,
    need: VisitNeed,
    category: ConcernCategory,
    actor=None,
    kind: str = Concern.Kind.HELP,
    urgency: str = Concern.Urgency.NORMAL,
) -> Concern:
    """Turn a need heard on a visit day into a concern linked to the report."""
    _check(actor, "civic.turn_need_into_concern")
    need = (
        VisitNeed.objects.select_for_update().select_related("report").get(pk=need.pk)
    )
    if need.concern_id:
        raise ValidationError(_("This need has already become a concern."))
    concern = submit_concern(
        compound=need.report.compound,
        category=category,
        description=need.text,
        kind=kind,
        source=Concern.Source.VISIT_DAY,
        urgency=urgency,
        actor=actor,
    )
    need.concern = concern
    need.save(update_fields=["concern"])
    return concern


def managers_to_remind(day: date, *, by: str = "email") -> dict[str, list[str]]:
    """E-mail (or, `by="phone"`, phone) → names of the compounds the
    manager's company serves whose visit day is `day`."""
    staff = (
        CompanyStaff.objects.active(day)
        .filter(role=CompanyStaff.Role.MANAGER)
        .exclude(**{f"person__{by}": ""})
        .values_list(f"person__{by}", "company_id")
    )
    due = with_visit_day(Compound.objects.all(), day).filter(visit_day=day)
    served: dict[int, list[str]] = {}
    for company_id, name in (
        ServiceContract.objects.filter(active_on_q(day))
        .filter(compound__in=due.values("pk"))
        .order_by("compound__name")
        .values_list("company_id", "compound__name")
    ):
        served.setdefault(company_id, []).append(name)
    result: dict[str, list[str]] = {}
    for email, company_id in staff:
        result.setdefault(email, []).extend(served.get(company_id, []))
    return {email: names for email, names in result.items() if names}


@transaction.atomic
def send_visit_day_reminders(*, on: date | None = None) -> Queued:
    """On the eve of a visit day, e-mail and text each manager their
    compounds whose visit day is tomorrow.

    The messages go through the outbox like every other. Returns how many
    compounds the managers were reminded of and what was queued per channel
    (nothing when tomorrow is no compound's visit day).
    """
    on = on or timezone.localdate()
    tomorrow = on + timedelta(days=1)
    rows = []
    compounds: set[str] = set()
    for email, names in sorted(managers_to_remind(tomorrow).items()):
        subject = _("Visit day tomorrow (%(day)s)") % {"day": tomorrow.isoformat()}
        body = _(
            "Tomorrow, %(day)s, is the visit day. Please visit the households "
            "of these compounds and file a report for each:\n\n%(compounds)s\n"
        ) % {
            "day": tomorrow.isoformat(),
            "compounds": "\n".join(f"- {name}" for name in names),
        }
        rows += queue_email(concern=None, to=[email], subject=subject, body=body)
        compounds.update(names)
    for phone, names in sorted(managers_to_remind(tomorrow, by="phone").items()):
        rows += queue_sms(
            concern=None,
            to=[phone],
            template="visit_day",
            params={"day": tomorrow.strftime("%m-%d"), "compounds": "、".join(names)},
        )
        compounds.update(names)
    return Queued.of(rows, reminded=len(compounds))


# Committee terms and cross-appointment seats --------------------------------

# Days before a committee's term ends on which its community is told.
TERM_REMINDER_DAYS = (90, 30)


def _claim(rows: QuerySet, marker: str, on: date) -> list[int]:
    """Mark `rows` as reminded `on` and return the ids this run claimed.

    Rows another run holds are skipped, and a row it has marked no longer
    matches once its lock is released, so two runs on one day (or two at
    once) never both claim a row.
    """
    ids = list(
        rows.exclude(**{marker: on})
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)
    )
    rows.model.objects.filter(pk__in=ids).update(**{marker: on})
    return ids


@transaction.atomic
def send_term_ending_reminders(*, on: date | None = None) -> Queued:
    """Tell the staff of the committee's community and grid, by e-mail and
    SMS, when its term ends in exactly 90 or 30 days, once on that day;
    return how many committees were reminded and what was queued."""
    on = on or timezone.localdate()
    ends = [on + timedelta(days=days) for days in TERM_REMINDER_DAYS]
    claimed = _claim(
        Committee.objects.filter(term_end__in=ends), "term_reminded_on", on
    )
    committees = (
        Committee.objects.filter(pk__in=claimed)
        .select_related("compound__community", "compound__grid")
        .order_by("term_end", "name")
    )
    queued = Queued()
    for committee in committees:
        days = (committee.term_end - on).days
        units = (committee.compound.community, committee.compound.grid)
        mails = queue_email(
            concern=None,
            to=unit_contacts("email", *units),
            subject=_("The term of %(committee)s ends in %(days)d days")
            % {"committee": committee.name, "days": days},
            body=_(
                "The term of %(committee)s (%(compound)s) ends on %(end)s. "
                "Prepare the election of the next committee."
            )
            % {
                "committee": committee.name,
                "compound": committee.compound.name,
                "end": committee.term_end.isoformat(),
            },
        )
        texts = queue_sms(
            concern=None,
            to=unit_contacts("phone", *units),
            template="term_ending",
            params={
                "committee": committee.name,
                "ends": committee.term_end.isoformat(),
                "days": days,
            },
        )
        queued += Queued.of(mails + texts, reminded=1)
    return queued


@transaction.atomic
def send_empty_seat_reminders(*, on: date | None = None) -> Queued:
    """The day after a cross-appointment seat falls empty (its holder's term
    ended the day before and nobody holds it on `on`), tell the staff of the
    grid branch and its community, by e-mail and SMS, once; return how many
    seats were reminded and what was queued."""
    on = on or timezone.localdate()
    held = CrossAppointment.objects.active(on).filter(
        branch_id=OuterRef("branch_id"), seat=OuterRef("seat")
    )
    emptied = CrossAppointment.objects.filter(end=on - timedelta(days=1)).exclude(
        Exists(held)
    )
    claimed = _claim(emptied, "vacancy_reminded_on", on)
    queued = Queued()
    told = set()
    for appointment in (
        CrossAppointment.objects.filter(pk__in=claimed)
        .select_related("branch__parent", "person")
        .order_by("branch_id", "seat", "pk")
    ):
        key = (appointment.branch_id, appointment.seat)
        if key in told:
            continue
        told.add(key)
        branch = appointment.branch
        units = (branch, branch.parent)
        seat = appointment.get_seat_display()
        mails = queue_email(
            concern=None,
            to=unit_contacts("email", *units),
            subject=_("%(branch)s: the seat %(seat)s is empty")
            % {"branch": branch.name, "seat": seat},
            body=_(
                "%(person)s left the cross-appointment seat %(seat)s of "
                "%(branch)s on %(end)s and nobody holds it now. Appoint the "
                "successor."
            )
            % {
                "person": appointment.person.name,
                "seat": seat,
                "branch": branch.name,
                "end": appointment.end.isoformat(),
            },
        )
        texts = queue_sms(
            concern=None,
            to=unit_contacts("phone", *units),
            template="seat_empty",
            params={"unit": branch.name, "seat": seat},
        )
        queued += Queued.of(mails + texts, reminded=1)
    return queued


# Meetings ------------------------------------------------------------------


@dataclass
class ActionInput:
    concern: Concern
    owner: str
    deadline: date


@dataclass
class DecisionInput:
    text: str
    publish: bool = False
    actions: list[ActionInput] = field(default_factory=list)


@transaction.atomic
def create_meeting(
    *,
    kind: str,
    title: str,
    date: date,
    place: str,
    host: str,
    compound: Compound | None = None,
    community=None,
    agenda: Iterable[tuple[str, Concern | None]] = (),
    actor=None,
) -> Meeting:
    """Plan a meeting for a compound or a community, with its agenda."""
    _check(actor, "civic.plan_meeting")
    meeting = Meeting(
        kind=kind,
        title=title,
        date=date,
        place=place,
        host=host,
        compound=compound,
        community=community,
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    for order, (topic, concern) in enumerate(agenda, start=1):
        add_agenda_item(
            meeting=meeting, title=topic, concern=concern, order=order, actor=actor
        )
    return meeting


def _check_concern_in_meeting_area(meeting: Meeting, concern: Concern) -> None:
    if meeting.compound_id:
        ok = concern.compound_id == meeting.compound_id
    else:
        ok = concern.community_id == meeting.community_id
    if not ok:
        raise ValidationError(
            _("Concern %(code)s is not from this meeting's compound or community.")
            % {"code": concern.tracking_code}
        )


@transaction.atomic
def add_agenda_item(
    *,
    meeting: Meeting,
    title: str,
    concern: Concern | None = None,
    order=None,
    actor=None,
) -> MeetingAgendaItem:
    """Add a topic to a planned meeting, optionally about a concern."""
    _check(actor, "civic.plan_meeting")
    if meeting.is_closed:
        raise ValidationError(_("The meeting is closed."))
    title = (title or "").strip() or (concern.description[:60] if concern else "")
    if not title:
        raise ValidationError({"title": _("Give the topic.")})
    if concern is not None:
        _check_concern_in_meeting_area(meeting, concern)
    if order is None:
        order = meeting.agenda_items.count() + 1
    return MeetingAgendaItem.objects.create(
        meeting=meeting, title=title[:200], concern=concern, order=order
    )


@transaction.atomic
def close_meeting(
    *,
    meeting: Meeting,
    actor=None,
    minutes: str,
    attendee_count: int,
    attending_organisations: Iterable[str] = (),
    decisions: Sequence[DecisionInput] = (),
) -> Meeting:
    """Record the minutes and decisions of a meeting and close it.

    A decision may put action items (owner, deadline) on concerns; while an
    action item is open its concern cannot be closed.
    """
    _check(actor, "civic.record_decisions")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_closed:
        raise ValidationError(_("The meeting is already closed."))
    if not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes.")})
    if attendee_count is None or attendee_count < 1:
        raise ValidationError({"attendee_count": _("Give the number of attendees.")})
    for decision in decisions:
        if not decision.text.strip():
            raise ValidationError({"decisions": _("A decision needs its text.")})
        for action in decision.actions:
            _check_concern_in_meeting_area(meeting, action.concern)
            if not action.owner.strip():
                raise ValidationError(
                    {"decisions": _("An action item needs an owner.")}
                )
            if action.deadline < meeting.date:
                raise ValidationError(
                    {"decisions": _("An action item's deadline is before the meeting.")}
                )
            if action.concern.status in Concern.DONE_STATUSES:
                raise ValidationError(
                    {
                        "decisions": _(
                            "Concern %(code)s is already closed; it cannot take "
                            "an action item."
                        )
                        % {"code": action.concern.tracking_code}
                    }
                )
    today = timezone.localdate()
    meeting.minutes = minutes.strip()
    meeting.attendee_count = attendee_count
    meeting.attending_organisations = "\n".join(
        name.strip() for name in attending_organisations if name.strip()
    )
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save()
    for order, decision in enumerate(decisions, start=1):
        row = MeetingDecision.objects.create(
            meeting=meeting,
            order=order,
            text=decision.text.strip(),
            is_published=decision.publish,
            published_on=today if decision.publish else None,
        )
        for action in decision.actions:
            ActionItem.objects.create(
                decision=row,
                concern=action.concern,
                owner=action.owner.strip(),
                deadline=action.deadline,
                hold=place_hold(
                    concern=action.concern,
                    reason=_("Meeting action item: %(owner)s, by %(deadline)s")
                    % {"owner": action.owner.strip(), "deadline": action.deadline},
                ),
            )
    return meeting


@transaction.atomic
def publish_decision(*, decision: MeetingDecision, actor=None) -> MeetingDecision:
    """Show a decision of a closed meeting on the compound's public board."""
    _check(actor, "civic.record_decisions")
    decision = MeetingDecision.objects.select_related("meeting").get(pk=decision.pk)
    if not decision.meeting.is_closed:
        raise ValidationError(_("Only decisions of a closed meeting can be published."))
    if not decision.is_published:
        decision.is_published = True
        decision.published_on = timezone.localdate()
        decision.save(update_fields=["is_published", "published_on"])
    return decision


@transaction.atomic
def complete_action_item(*, item: ActionItem, actor=None, note: str = "") -> ActionItem:
    """Mark an action item done and release its hold on the concern.

    Marking it again changes nothing: the first who marked it stays.
    """
    _check(actor, "civic.complete_action_item")
    items = ActionItem.objects.select_for_update(of=("self",))
    if actor is not None:
        items = items.visible_to(actor)
    item = items.filter(pk=item.pk).first()
    if item is None:
        raise PermissionDenied(_("This action item is not in your area."))
    if item.done_at is None:
        item.done_at = timezone.now()
        item.done_note = note.strip()[:500]
        item.done_by = actor
        item.save(update_fields=["done_at", "done_note", "done_by"])
        if item.hold is not None:
            release_hold(hold=item.hold)
    return item


def holds_of(concern: Concern, user) -> list:
    """The open holds that keep `concern` from closing, each with `item`
    (its action item with decision and meeting, or None when something
    else placed the hold) and `can_complete` (whether `user` may mark that
    item done: the rights table and the scope)."""
    holds = list(concern.holds.open().order_by("placed_at", "pk"))
    items = {
        item.hold_id: item
        for item in ActionItem.objects.filter(
            hold__in=[hold.pk for hold in holds]
        ).select_related("decision__meeting")
    }
    allowed = may(user, "civic.complete_action_item")
    mine = set()
    if allowed and items:
        mine = set(
            ActionItem.objects.visible_to(user)
            .filter(pk__in=[item.pk for item in items.values()])
            .values_list("pk", flat=True)
        )
    for hold in holds:
        hold.item = items.get(hold.pk)
        hold.can_complete = hold.item is not None and hold.item.pk in mine
    return holds


def open_action_items(concern: Concern) -> QuerySet[ActionItem]:
    """Action items that keep `concern` from being closed."""
    return concern.action_items.filter(done_at__isnull=True)


# Disclosures ---------------------------------------------------------------


@transaction.atomic
def publish_disclosure(
    *,
    compound: Compound,
    kind: str,
    title: str,
    content: str,
    attachment=None,
    published_on: date | None = None,
    objection_days: int | None = DEFAULT_OBJECTION_DAYS,
    meeting: Meeting | None = None,
    actor=None,
) -> Disclosure:
    """Publish a disclosure on a compound's board with an objection window.

    The window runs `objection_days` days from publication (inclusive);
    None or 0 publishes without one. Org staff publish every kind; the
    serving company only its own duties of disclosure
    (`COMPANY_DISCLOSURE_KINDS`), on the compounds it serves.
    """
    _check_publisher(actor, compound, kind)
    published_on = published_on or timezone.localdate()
    if objection_days is not None and objection_days < 0:
        raise ValidationError({"objection_days": _("The window cannot be negative.")})
    disclosure = Disclosure(
        compound=compound,
        kind=kind,
        title=(title or "").strip(),
        content=(content or "").strip(),
        published_on=published_on,
        objection_until=(
            published_on + timedelta(days=objection_days) if objection_days else None
        ),
        meeting=meeting,
        created_by=actor,
    )
    if attachment:
        disclosure.attachment = attachment
    disclosure.full_clean()
    disclosure.save()
    return disclosure


def may_publish_disclosures(user) -> bool:
    """Whether `user` may publish some kind of disclosure."""
    return may(user, "civic.publish_service_disclosure")


def publishing_task(kind: str) -> str:
    """The task that publishes a disclosure of `kind` (see civic/roles.py)."""
    if kind in COMPANY_DISCLOSURE_KINDS:
        return "civic.publish_service_disclosure"
    return "civic.publish_disclosure"


def _check_publisher(actor, compound: Compound, kind: str) -> None:
    if actor is None:
        return
    require(actor, publishing_task(kind))
    if not Compound.objects.visible_to(actor).filter(pk=compound.pk).exists():
        raise PermissionDenied(_("This compound is not in your area."))


def disclosure_for_objection(disclosure_id, on: date | None = None) -> Disclosure:
    """The disclosure a resident objects to, if its window is open."""
    disclosure = (
        Disclosure.objects.open_for_objection(on)
        .select_related("compound")
        .filter(pk=parse_id(disclosure_id))
        .first()
        if parse_id(disclosure_id) is not None
        else None
    )
    if disclosure is None:
        raise ValidationError(
            _("The objection window of this disclosure is closed or it does not exist.")
        )
    return disclosure


@transaction.atomic
def object_to_disclosure(
    *, disclosure: Disclosure, compound: Compound | None, **concern_fields
) -> Concern:
    """A resident's objection: a concern about the disclosure, linked to it.

    Takes the fields of `submit_concern`. A replayed form returns the concern
    already stored, still linked once.
    """
    disclosure = disclosure_for_objection(disclosure.pk)
    if compound is None or compound.pk != disclosure.compound_id:
        raise ValidationError(
            {"compound": _("An objection is about a disclosure of its own compound.")}
        )
    concern = submit_concern(compound=compound, **concern_fields)
    DisclosureObjection.objects.get_or_create(
        concern=concern, defaults={"disclosure": disclosure}
    )
    return concern


def manager_compounds(user, on: date | None = None) -> QuerySet[Compound]:
    """The compounds a user may file visit reports for: those in scope that
    a company serves on the day."""
    on = on or timezone.localdate()
    return Compound.objects.visible_to(user).filter(
        Exists(
            ServiceContract.objects.filter(compound=OuterRef("pk")).filter(
                active_on_q(on)
            )
        )
    )


def visit_status(compounds: QuerySet[Compound], month: date) -> QuerySet[Compound]:
    """Annotate `visit_day`, `reported` (a report on the visit day) and
    `reported_other_day` (a report in the month, on another day) on
    `compounds`."""
    period = Month.of(month)
    in_month = VisitReport.objects.in_month(period.start).filter(
        compound=OuterRef("pk")
    )
    return with_visit_day(compounds, month).annotate(
        reported=report_on_visit_day(),
        reported_other_day=Exists(in_month.exclude(date=OuterRef("visit_day"))),
    )

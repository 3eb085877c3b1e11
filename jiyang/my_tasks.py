"""我的待办: what waits for a user, counted, each with the page to act on.

One small function per kind of work. Each counts with one aggregate query
over the rows the user sees (`visible_to`), so the page costs the same
number of queries whatever the size of the street. Which kinds a user gets
follows their roles (`org.rights.roles_of`); the superuser gets every kind
that is not a company's.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.models import (
    Inspection,
    PlannedVisit,
    RectificationNotice,
    Reward,
    inspecting_street_ids,
    plan_street_ids,
)
from civic import services as civic_services
from civic.models import ActionItem, VisitReport
from common.periods import Month
from compounds.models import Committee
from consultations.models import Concern
from org.models import LedgerJob
from org.rights import Role, roles_of
from org.scope import user_scope

# Committees whose term ends this soon need an election prepared (换届).
TERM_WARNING_DAYS = 90


@dataclass(frozen=True)
class Item:
    """One line of the page: "3 concerns to sign for", and where to go."""

    # Names the line for code and tests: "concerns.to_sign".
    key: str
    label: Promise | str
    count: int
    url: str
    # "alert" (red: late), "warn" (yellow: due soon) or "" (plain).
    tone: str = ""
    note: str = ""


@dataclass
class Section:
    title: Promise | str
    items: list[Item] = field(default_factory=list)

    @property
    def waiting(self) -> list[Item]:
        return [item for item in self.items if item.count]


def _url(name: str, *args, **params) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


# Concerns ---------------------------------------------------------------------


def _today_bounds(now: datetime) -> tuple[datetime, datetime]:
    today = timezone.localtime(now).date()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    return start, start + timedelta(days=1)


def concern_items(user, now: datetime) -> list[Item]:
    """Org staff: to accept, to sign (dispatched to their own unit), due
    today, overdue and answered awaiting the follow-up call."""
    start, end = _today_bounds(now)
    scope = user_scope(user)
    own_units = [unit.pk for unit in scope.staff_units]
    open_ = Q(status__in=Concern.OPEN_STATUSES)
    sign_q = Q(status=Concern.Status.DISPATCHED)
    if not scope.everything:
        sign_q &= Q(handler_unit__in=own_units)
    counts = Concern.objects.visible_to(user).aggregate(
        to_accept=Count("pk", filter=Q(status=Concern.Status.SUBMITTED)),
        to_sign=Count("pk", filter=sign_q),
        due_today=Count("pk", filter=open_ & Q(due_at__gte=start, due_at__lt=end)),
        overdue=Count("pk", filter=open_ & Q(due_at__lt=now)),
        to_follow_up=Count("pk", filter=Q(status=Concern.Status.RESPONDED)),
    )
    today = timezone.localtime(now).date().isoformat()
    sign_params = {"status": Concern.Status.DISPATCHED}
    if len(own_units) == 1:
        sign_params["handler_unit"] = own_units[0]
    return [
        Item(
            "concerns.to_accept",
            _("Concerns to accept"),
            counts["to_accept"],
            _url("consultations:staff-list", status=Concern.Status.SUBMITTED),
        ),
        Item(
            "concerns.to_sign",
            _("Concerns dispatched to my unit, to sign for"),
            counts["to_sign"],
            _url("consultations:staff-list", **sign_params),
        ),
        Item(
            "concerns.due_today",
            _("Concerns due today"),
            counts["due_today"],
            _url(
                "consultations:staff-list",
                open="true",
                due_after=today,
                due_before=today,
            ),
            tone="warn",
        ),
        Item(
            "concerns.overdue",
            _("Overdue concerns"),
            counts["overdue"],
            _url("consultations:staff-list", alert="red"),
            tone="alert",
        ),
        Item(
            "concerns.to_follow_up",
            _("Answered concerns awaiting the follow-up call"),
            counts["to_follow_up"],
            _url("consultations:staff-list", status=Concern.Status.RESPONDED),
        ),
    ]


def company_concern_items(user, now: datetime) -> list[Item]:
    """Company staff: only the concerns dispatched to their company."""
    start, end = _today_bounds(now)
    open_ = Q(status__in=Concern.OPEN_STATUSES)
    counts = (
        Concern.objects.visible_to(user)
        .for_company(user_scope(user).company_ids)
        .aggregate(
            to_sign=Count("pk", filter=Q(status=Concern.Status.DISPATCHED)),
            due_today=Count("pk", filter=open_ & Q(due_at__gte=start, due_at__lt=end)),
            overdue=Count("pk", filter=open_ & Q(due_at__lt=now)),
        )
    )
    url = reverse("consultations:manager-list")
    return [
        Item(
            "concerns.to_sign",
            _("Concerns dispatched to my company, to sign for"),
            counts["to_sign"],
            url,
        ),
        Item(
            "concerns.due_today",
            _("Concerns due today"),
            counts["due_today"],
            url,
            tone="warn",
        ),
        Item(
            "concerns.overdue",
            _("Overdue concerns"),
            counts["overdue"],
            url,
            tone="alert",
        ),
    ]


# Inspections and rectification -----------------------------------------------


def inspection_items(user, today: date) -> list[Item]:
    """Drafts the user sits on the panel of (or started), and this month's
    drawn compounds not yet inspected (for those who see the draw)."""
    url = reverse("assessments:inspections")
    panel = Q(created_by=user)
    if user.person_id:
        panel |= Q(panel__person_id=user.person_id)
    drafts = (
        Inspection.objects.visible_to(user)
        .drafts()
        .filter(panel)
        .aggregate(n=Count("pk", distinct=True), first=Min("pk"))
    )
    items = [
        Item(
            "inspections.drafts",
            _("Inspections started, not yet submitted"),
            drafts["n"],
            reverse("assessments:inspection", args=[drafts["first"]])
            if drafts["n"] == 1
            else url,
        )
    ]
    if plan_street_ids(user) != []:
        month = Month.of(today)
        done = Inspection.objects.submitted().filter(
            compound=OuterRef("compound"), month=month.start
        )
        counts = (
            PlannedVisit.objects.visible_to(user)
            .filter(plan__month=month.start)
            .exclude(Exists(done))
            .aggregate(
                waiting=Count("pk"),
                late=Count("pk", filter=Q(window_end__lt=today)),
            )
        )
        items.append(
            Item(
                "inspections.drawn",
                _("Drawn compounds to inspect this month"),
                counts["waiting"],
                url,
                tone="alert" if counts["late"] else "",
                note=_("%(n)d past their window") % {"n": counts["late"]}
                if counts["late"]
                else "",
            )
        )
    return items


def company_rectification_items(user, today: date) -> list[Item]:
    """Rectification notices the company has to answer."""
    counts = (
        RectificationNotice.objects.visible_to(user)
        .filter(company_id__in=user_scope(user).company_ids)
        .open()
        .aggregate(waiting=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
    )
    return [
        Item(
            "rectification.to_answer",
            _("Rectification notices to answer"),
            counts["waiting"],
            reverse("assessments:rectifications"),
            tone="alert" if counts["late"] else "",
            note=_("%(n)d past the deadline") % {"n": counts["late"]}
            if counts["late"]
            else "",
        )
    ]


def recheck_items(user) -> list[Item]:
    """Answered notices the street office verifies on site."""
    count = (
        RectificationNotice.objects.visible_to(user)
        .filter(status=RectificationNotice.Status.ANSWERED)
        .count()
    )
    return [
        Item(
            "rectification.to_recheck",
            _("Answered rectification notices to re-check"),
            count,
            reverse("assessments:rectifications"),
        )
    ]


def rewards_waiting(user) -> dict[str, int]:
    """Rewards awaiting approval, and approved ones awaiting payment.

    The reward's approval steps are read here only, so a change to them
    changes this function and nothing else.
    """
    return Reward.objects.visible_to(user).aggregate(
        to_approve=Count("pk", filter=Q(approved_at__isnull=True)),
        to_pay=Count("pk", filter=Q(approved_at__isnull=False, paid_on__isnull=True)),
    )


def reward_items(user) -> list[Item]:
    counts = rewards_waiting(user)
    url = reverse("assessments:rewards")
    return [
        Item("rewards.to_approve", _("Rewards to approve"), counts["to_approve"], url),
        Item("rewards.to_pay", _("Approved rewards to pay"), counts["to_pay"], url),
    ]


# Visit days, meetings, committees ---------------------------------------------


def visit_items(user, today: date) -> list[Item]:
    """Compounds the company serves with no visit report yet this month."""
    month = Month.of(today)
    day = civic_services.visit_day(month.year, month.number)
    reported = VisitReport.objects.in_month(month.start).filter(compound=OuterRef("pk"))
    count = (
        civic_services.manager_compounds(user, today).exclude(Exists(reported)).count()
    )
    day_text = date_format(day, "MONTH_DAY_FORMAT")
    if today < day:
        label, tone = _("Compounds to visit on the visit day"), ""
        note = _("Visit day: %(day)s") % {"day": day_text}
    elif today == day:
        label, tone = _("Compounds to visit today, the visit day"), "warn"
        note = ""
    else:
        label, tone = _("Compounds still without this month's visit report"), "alert"
        note = _("The visit day was %(day)s") % {"day": day_text}
    return [
        Item(
            "visits.due", label, count, reverse("civic:visit-day"), tone=tone, note=note
        )
    ]


def action_items(user, today: date) -> list[Item]:
    """Open action items of meetings in the user's area."""
    counts = (
        ActionItem.objects.visible_to(user)
        .open()
        .aggregate(waiting=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
    )
    if user.has_perm("civic.view_actionitem"):
        url = _url("admin:civic_actionitem_changelist", done_at__isempty="1")
    else:
        url = reverse("civic:meetings")
    return [
        Item(
            "meetings.open_actions",
            _("Open action items of meetings"),
            counts["waiting"],
            url,
            tone="alert" if counts["late"] else "",
            note=_("%(n)d past the deadline") % {"n": counts["late"]}
            if counts["late"]
            else "",
        )
    ]


def committee_items(user, today: date) -> list[Item]:
    """Owners' and self-management committees whose term ends soon."""
    count = (
        Committee.objects.visible_to(user)
        .terms_ending_within(TERM_WARNING_DAYS, today)
        .count()
    )
    return [
        Item(
            "committees.terms_ending",
            _("Committee terms ending within %(days)d days")
            % {"days": TERM_WARNING_DAYS},
            count,
            _url("admin:compounds_committee_changelist", term="ending"),
        )
    ]


def job_items(user, now: datetime) -> list[Item]:
    """The user's exports ready to download, and imports and exports under way."""
    counts = LedgerJob.objects.filter(user=user, expires_at__gt=now).aggregate(
        ready=Count(
            "pk",
            filter=Q(kind=LedgerJob.Kind.EXPORT, state=LedgerJob.State.DONE)
            & ~Q(result=""),
        ),
        running=Count(
            "pk", filter=Q(state__in=[LedgerJob.State.QUEUED, LedgerJob.State.RUNNING])
        ),
    )
    url = reverse("ledger-jobs")
    return [
        Item(
            "jobs.downloads", _("Exported workbooks to download"), counts["ready"], url
        ),
        Item(
            "jobs.running", _("Imports and exports under way"), counts["running"], url
        ),
    ]


# The page -----------------------------------------------------------------------


def my_tasks(user, now: datetime | None = None) -> list[Section]:
    """The sections of 我的待办 for `user`, in the order of the page."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    roles = roles_of(user)
    everything = Role.SUPERUSER in roles

    def holds(*wanted: Role) -> bool:
        return everything or bool(roles & set(wanted))

    org_staff = holds(Role.STREET_OFFICE, Role.COMMUNITY_STAFF, Role.GRID_STAFF)
    company = Role.COMPANY_STAFF in roles
    sections = []
    if org_staff:
        sections.append(Section(_("Residents' concerns"), concern_items(user, now)))
    elif company:
        sections.append(
            Section(_("Residents' concerns"), company_concern_items(user, now))
        )
    assessment = Section(_("Assessment and rectification"))
    if inspecting_street_ids(user) != []:
        assessment.items += inspection_items(user, today)
    if company:
        assessment.items += company_rectification_items(user, today)
    if holds(Role.STREET_OFFICE):
        assessment.items += recheck_items(user)
        assessment.items += reward_items(user)
    if assessment.items:
        sections.append(assessment)
    local = Section(_("Visit days, meetings and committees"))
    if company:
        local.items += visit_items(user, today)
    if holds(Role.COMMUNITY_STAFF):
        local.items += action_items(user, today)
    if holds(Role.COMMUNITY_STAFF, Role.GRID_STAFF):
        local.items += committee_items(user, today)
    if local.items:
        sections.append(local)
    jobs = Section(_("Imports and exports"), job_items(user, now))
    if jobs.waiting:
        sections.append(jobs)
    return sections

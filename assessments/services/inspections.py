"""Inspection services: the one write path for inspections and notices.

Every function validates before it writes and runs in one transaction, so
bad input leaves nothing changed. The pages, the admin and the API all call
these. Who may is decided here too: the task of the rights table
(`org.rights.require`, tasks in `assessments/roles.py`), then where
(`can_inspect`, `can_verify`: the street of one's posts).

The company addressed by a notice hears of it through the outbox of
`consultations` (an e-mail and an SMS): when it is raised, when it is returned,
and `REMINDER_DAYS` before its deadline (`send_rectification_reminders`,
run daily by Celery beat).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.models import CommitteeMember, CompanyStaff, Compound, PropertyCompany
from consultations.notifications import Queued, queue_email, queue_sms
from org.models import OrgUnit, Person, Post
from org.rights import Role as RightsRole
from org.rights import require, roles_of
from org.scope import user_scope

from ..models import (
    CADRE_ROLES,
    AssessmentScheme,
    Inspection,
    InspectionItemResult,
    InspectionPanelMember,
    InspectionPhoto,
    PlannedVisit,
    RectificationNotice,
    RectificationPhoto,
    RectificationRound,
    SchemeItem,
    VetoRule,
    inspecting_street_ids,
    plan_street_ids,
)
from ..scoring import InspectionScore, ItemInput, Poll, inspection_score

Role = InspectionPanelMember.Role


@dataclass(frozen=True)
class PanelSeat:
    person: Person
    role: str


@dataclass(frozen=True)
class ItemEntry:
    """What the panel found for one item, as `record_item` takes it."""

    item: SchemeItem
    occurrences: int
    not_applicable: bool = False
    note: str = ""
    photos: Sequence[UploadedFile] = ()


# Who may do what -------------------------------------------------------------


def can_inspect(user, compound: Compound) -> bool:
    streets = inspecting_street_ids(user)
    return streets is None or compound.street_id in streets


def can_verify(user, inspection: Inspection) -> bool:
    streets = plan_street_ids(user)
    return streets is None or inspection.street_id in streets


def shows_panel_names(user) -> bool:
    """Whether `user` reads who sat on a panel: everyone but company staff
    (a company sees its deductions, never the representatives who scored
    it)."""
    return bool(roles_of(user) - {RightsRole.COMPANY_STAFF})


def may_answer_for(user, notice: RectificationNotice) -> bool:
    """Whether `user` works for the company a notice is addressed to."""
    scope = user_scope(user)
    return scope.everything or notice.company_id in scope.company_ids


def _require_inspector(user, compound: Compound, task: str) -> None:
    require(user, task)
    if not can_inspect(user, compound):
        raise PermissionDenied(
            _("Only the street office's inspection staff may do this.")
        )


def _require_cadre(user, inspection: Inspection, task: str) -> None:
    require(user, task)
    if not can_verify(user, inspection):
        raise PermissionDenied(
            _("Only the street office's inspection staff may do this.")
        )


def _require_starter(user, inspection: Inspection) -> None:
    """A draft's panel is changed, or the draft deleted, by whoever began it."""
    require(user, "assessments.start_inspection")
    if not (user.is_superuser or inspection.created_by_id == user.pk):
        raise PermissionDenied(
            _("Only the person who started this draft may change or delete it.")
        )


def _refuse_if_locked(inspection: Inspection) -> None:
    if inspection.is_locked:
        raise ValidationError(
            _(
                "This inspection has been submitted and is locked. To correct "
                "it, file an amendment with a reason."
            ),
            code="locked",
        )


# Panel rules -----------------------------------------------------------------


def eligible_people(street: OrgUnit, role: str, on: date):
    """People who may sit on a panel in the street in `role` on `on`."""
    posts = Post.objects.active(on).filter(
        unit__in=OrgUnit.objects.subtree_of(street).values("pk")
    )
    if role == Role.CADRE:
        posts = posts.filter(unit=street, role__in=CADRE_ROLES)
    else:
        posts = posts.filter(role=Post.Role.RESIDENT_REPRESENTATIVE)
    return Person.objects.filter(pk__in=posts.values("person_id")).order_by("name")


def own_compound_q(compound: Compound, on: date) -> Q:
    """People for whom `compound` is their own (see `is_own_compound`)."""
    grid_units = OrgUnit.objects.subtree_of(compound.grid).values("pk")
    posts = Post.objects.active(on).filter(unit__in=grid_units)
    seats = CommitteeMember.objects.filter(
        committee__compound=compound,
        committee__term_start__lte=on,
        committee__term_end__gte=on,
    )
    return (
        Q(unit__in=grid_units)
        | Q(pk__in=posts.values("person_id"))
        | Q(pk__in=seats.values("person_id"))
    )


def is_own_compound(person: Person, compound: Compound, on: date) -> bool:
    """A representative may not score their own compound: one whose grid
    (or party group) keeps their record or holds a post of theirs, or on
    whose committee they sit."""
    return Person.objects.filter(own_compound_q(compound, on), pk=person.pk).exists()


def panel_conflicts(compound: Compound, on: date) -> dict[int, str]:
    """Person id → why they may not sit on `compound`'s panel on `on`
    (their own compound, or the serving company's staff): the start form
    says so beside each name, before anyone is chosen."""
    compound = Compound.objects.select_related("street", "grid").get(pk=compound.pk)
    street = compound.street
    reasons: dict[int, str] = {}
    reps = eligible_people(street, Role.RESIDENT_REP, on)
    for pk in reps.filter(own_compound_q(compound, on)).values_list("pk", flat=True):
        reasons[pk] = _("own compound")
    contract = compound.contract_on(on)
    if contract is not None:
        for pk in (
            CompanyStaff.objects.active(on)
            .filter(company=contract.company)
            .values_list("person_id", flat=True)
        ):
            reasons[pk] = _("works for the serving company")
    return reasons


def validate_panel(*, compound: Compound, on: date, seats: Sequence[PanelSeat]) -> None:
    """Refuse a panel that breaks a rule, naming each person and the reason.

    At least one cadre and one resident representative, each holding the
    post in the street; no representative for their own compound; nobody
    working for the company serving the compound on `on`. Checked when the
    panel is chosen and again at submission.
    """
    # The tree's bounds held in memory go stale when units are added; read
    # the compound's place afresh.
    compound = Compound.objects.select_related("street", "grid").get(pk=compound.pk)
    errors = []
    cadres = [s.person for s in seats if s.role == Role.CADRE]
    reps = [s.person for s in seats if s.role == Role.RESIDENT_REP]
    if not cadres:
        errors.append(_("The panel needs at least one cadre."))
    if not reps:
        errors.append(_("The panel needs at least one resident representative."))
    persons = [s.person.pk for s in seats]
    if len(persons) != len(set(persons)):
        errors.append(_("A person sits on the panel only once."))
    street = compound.street
    for role, people in ((Role.CADRE, cadres), (Role.RESIDENT_REP, reps)):
        allowed = set(
            eligible_people(street, role, on)
            .filter(pk__in=[p.pk for p in people])
            .values_list("pk", flat=True)
        )
        for person in people:
            if person.pk not in allowed:
                errors.append(
                    _("%(person)s holds no post as %(role)s in this street.")
                    % {"person": person, "role": Role(role).label}
                )
    if reps:
        own = Person.objects.filter(
            own_compound_q(compound, on), pk__in=[p.pk for p in reps]
        )
        for person in own:
            errors.append(
                _(
                    "%(person)s is a resident representative of %(compound)s "
                    "and may not score their own compound."
                )
                % {"person": person, "compound": compound}
            )
    contract = compound.contract_on(on)
    if contract is not None:
        staff = (
            CompanyStaff.objects.active(on)
            .filter(company=contract.company, person__in=persons)
            .select_related("person")
            .order_by("person__name")
        )
        for seat in {s.person_id: s for s in staff}.values():
            errors.append(
                _(
                    "%(person)s works for %(company)s, which serves "
                    "%(compound)s, and may not sit on its panel."
                )
                % {
                    "person": seat.person,
                    "company": contract.company,
                    "compound": compound,
                }
            )
    if errors:
        raise ValidationError(errors, code="panel")


def _validate_date(on: date) -> AssessmentScheme:
    if on > timezone.localdate():
        raise ValidationError(
            {"date": _("The date of an inspection cannot be in the future.")},
            code="future",
        )
    scheme = AssessmentScheme.objects.in_force(on)
    if scheme is None:
        raise ValidationError(
            {"date": _("No assessment scheme is in force on %(date)s.") % {"date": on}},
            code="no_scheme",
        )
    return scheme


def _seats(panel: Iterable) -> list[PanelSeat]:
    seats = []
    for seat in panel:
        if isinstance(seat, PanelSeat):
            seats.append(seat)
        else:
            person, role = seat
            seats.append(PanelSeat(person=person, role=role))
    return seats


# The inspection workflow -----------------------------------------------------


@transaction.atomic
def start_inspection(
    *,
    compound: Compound,
    date: date,
    panel: Iterable,
    actor,
    planned_visit: PlannedVisit | None = None,
) -> Inspection:
    """Open a draft inspection with a row for every item of the scheme in
    force on `date`. `panel` holds (person, role) pairs; a panel breaking
    a rule is refused before anything is stored."""
    _require_inspector(actor, compound, "assessments.start_inspection")
    scheme = _validate_date(date)
    seats = _seats(panel)
    validate_panel(compound=compound, on=date, seats=seats)
    inspection = Inspection.objects.create(
        compound=compound,
        date=date,
        scheme=scheme,
        planned_visit=planned_visit,
        created_by=actor,
    )
    _write_panel(inspection, seats)
    InspectionItemResult.objects.bulk_create(
        InspectionItemResult(inspection=inspection, item=item)
        for item in scheme.items()
    )
    return inspection


def _write_panel(inspection: Inspection, seats: list[PanelSeat]) -> None:
    inspection.panel.all().delete()
    seen = set()
    members = []
    for seat in seats:
        if seat.person.pk in seen:
            continue
        seen.add(seat.person.pk)
        members.append(
            InspectionPanelMember(
                inspection=inspection, person=seat.person, role=seat.role
            )
        )
    InspectionPanelMember.objects.bulk_create(members)


def _locked_draft(inspection: Inspection) -> Inspection:
    fresh = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _refuse_if_locked(fresh)
    return fresh


@transaction.atomic
def set_panel(*, inspection: Inspection, panel: Iterable, actor) -> Inspection:
    """Replace the panel of a draft (by whoever started it), checking the
    panel rules on the draft's date."""
    inspection = _locked_draft(inspection)
    _require_starter(actor, inspection)
    seats = _seats(panel)
    validate_panel(compound=inspection.compound, on=inspection.date, seats=seats)
    _write_panel(inspection, seats)
    return inspection


@transaction.atomic
def delete_draft(*, inspection: Inspection, actor) -> None:
    """Delete a draft (by whoever started it); a submitted inspection stays."""
    inspection = _locked_draft(inspection)
    _require_starter(actor, inspection)
    inspection.delete()


@transaction.atomic
def update_draft(
    *,
    inspection: Inspection,
    actor,
    date: date | None = None,
    satisfied: int | None = None,
    basically_satisfied: int | None = None,
    dissatisfied: int | None = None,
    veto: VetoRule | None = None,
    veto_note: str | None = None,
    note: str | None = None,
) -> Inspection:
    """Change the date, poll counts, veto or note of a draft."""
    inspection = _locked_draft(inspection)
    _require_inspector(actor, inspection.compound, "assessments.start_inspection")
    if date is not None and date != inspection.date:
        scheme = _validate_date(date)
        if scheme.pk != inspection.scheme_id:
            raise ValidationError(
                {
                    "date": _(
                        "Another scheme version is in force on %(date)s; start "
                        "a new inspection for that day."
                    )
                    % {"date": date}
                }
            )
        inspection.date = date
    counts = {
        "satisfied": satisfied,
        "basically_satisfied": basically_satisfied,
        "dissatisfied": dissatisfied,
    }
    for field, value in counts.items():
        if value is None:
            continue
        if value < 0:
            raise ValidationError(
                {field: _("A household count cannot be negative.")}, code="negative"
            )
        setattr(inspection, field, value)
    if veto is not None or veto_note is not None:
        if veto is not None and veto.scheme_id != inspection.scheme_id:
            raise ValidationError({"veto": _("This veto belongs to another scheme.")})
        inspection.veto = veto
        inspection.veto_note = veto_note or ""
    if note is not None:
        inspection.note = note
    inspection.save()
    return inspection


@transaction.atomic
def record_item(
    *,
    inspection: Inspection,
    item: SchemeItem,
    occurrences: int,
    not_applicable: bool = False,
    note: str = "",
    photos: Sequence[UploadedFile] = (),
    actor,
) -> InspectionItemResult:
    """Record what the panel found for one item of a draft."""
    inspection = _locked_draft(inspection)
    _require_inspector(actor, inspection.compound, "assessments.start_inspection")
    if item.category.scheme_id != inspection.scheme_id:
        raise ValidationError(
            _("Item %(code)s is not part of this inspection's scheme.")
            % {"code": item.code}
        )
    if occurrences is None or occurrences < 0:
        raise ValidationError(
            {
                "occurrences": _(
                    "%(code)s: the number of occurrences cannot be negative."
                )
                % {"code": item.code}
            },
            code="negative",
        )
    if not_applicable and not item.allows_na:
        raise ValidationError(
            {
                "not_applicable": _("%(code)s may not be marked not applicable.")
                % {"code": item.code}
            },
            code="na_not_allowed",
        )
    result, _created = InspectionItemResult.objects.update_or_create(
        inspection=inspection,
        item=item,
        defaults={
            "occurrences": occurrences,
            "not_applicable": not_applicable,
            "note": note,
        },
    )
    for photo in photos:
        InspectionPhoto.objects.create(result=result, image=photo)
    return result


@transaction.atomic
def save_sheet(
    *,
    inspection: Inspection,
    actor,
    entries: Iterable[ItemEntry],
    **changes: int | str | VetoRule | None,
) -> Inspection:
    """Apply a whole inspection sheet to a draft: all of it or none.

    `changes` (poll counts, veto, notes) go to `update_draft`, each entry
    to `record_item`.
    """
    inspection = update_draft(inspection=inspection, actor=actor, **changes)
    for entry in entries:
        record_item(
            inspection=inspection,
            item=entry.item,
            occurrences=entry.occurrences,
            not_applicable=entry.not_applicable,
            note=entry.note,
            photos=entry.photos,
            actor=actor,
        )
    return inspection


def compute_score(inspection: Inspection) -> InspectionScore:
    """The inspection's score from its rows (pure function, SCORING.md)."""
    results = inspection.results.select_related("item")
    items = [
        ItemInput(
            code=r.item.code,
            max_points=r.item.max_points,
            deduction=r.item.deduction,
            occurrences=r.occurrences,
            not_applicable=r.not_applicable,
            is_satisfaction_poll=r.item.is_satisfaction_poll,
        )
        for r in results
    ]
    scheme = inspection.scheme
    return inspection_score(
        items,
        poll=Poll(
            inspection.satisfied,
            inspection.basically_satisfied,
            inspection.dissatisfied,
        ),
        min_sample=scheme.satisfaction_min_sample,
        vetoed=inspection.veto_id is not None,
        veto_score=scheme.veto_score,
        poll_as_item=scheme.poll_as_item,
    )


@transaction.atomic
def submit_inspection(*, inspection: Inspection, actor) -> Inspection:
    """Validate, score and lock a draft; an amendment replaces its original."""
    inspection = _locked_draft(inspection)
    _require_inspector(actor, inspection.compound, "assessments.submit_inspection")
    scheme = _validate_date(inspection.date)
    if scheme.pk != inspection.scheme_id:
        raise ValidationError(
            _(
                "The scheme in force on %(date)s has changed since this draft "
                "was started; start the inspection again."
            )
            % {"date": inspection.date}
        )
    seats = [
        PanelSeat(person=m.person, role=m.role)
        for m in inspection.panel.select_related("person")
    ]
    validate_panel(compound=inspection.compound, on=inspection.date, seats=seats)
    na_refused = inspection.results.filter(
        not_applicable=True, item__allows_na=False
    ).select_related("item")
    if na_refused:
        raise ValidationError(
            [
                _("%(code)s may not be marked not applicable.") % {"code": r.item.code}
                for r in na_refused
            ]
        )
    if inspection.veto_id and not inspection.veto_note.strip():
        raise ValidationError(
            {"veto_note": _("Say what happened when a veto applies.")}
        )
    result = compute_score(inspection)
    rows = list(inspection.results.select_related("item"))
    for row in rows:
        row.points = result.items.get(row.item.code)
    InspectionItemResult.objects.bulk_update(rows, ["points"])
    if inspection.supersedes_id:
        Inspection.objects.filter(pk=inspection.supersedes_id).update(is_current=False)
    inspection.is_current = True
    inspection.score = result.score
    inspection.status = Inspection.Status.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.submitted_by = actor
    inspection.save()
    return inspection


@transaction.atomic
def amend_inspection(*, inspection: Inspection, reason: str, actor) -> Inspection:
    """Open version+1 of a submitted inspection as a draft, copying it.

    The original stays current (and scored) until the amendment is
    submitted.
    """
    original = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require_cadre(actor, original, "assessments.amend_inspection")
    if not original.is_locked:
        raise ValidationError(
            _("A draft is changed directly; only a submitted inspection is amended.")
        )
    if not original.is_current:
        raise ValidationError(_("Only the current version can be amended."))
    if Inspection.objects.filter(supersedes=original).exists():
        raise ValidationError(_("An amendment of this inspection is already open."))
    if not (reason or "").strip():
        raise ValidationError(
            {"amendment_reason": _("Give the reason for the amendment.")}
        )
    amendment = Inspection.objects.create(
        compound=original.compound,
        date=original.date,
        scheme=original.scheme,
        planned_visit=original.planned_visit,
        version=original.version + 1,
        supersedes=original,
        amendment_reason=reason.strip(),
        is_current=False,
        veto=original.veto,
        veto_note=original.veto_note,
        satisfied=original.satisfied,
        basically_satisfied=original.basically_satisfied,
        dissatisfied=original.dissatisfied,
        note=original.note,
        created_by=actor,
    )
    InspectionPanelMember.objects.bulk_create(
        InspectionPanelMember(inspection=amendment, person_id=m.person_id, role=m.role)
        for m in original.panel.all()
    )
    for row in original.results.prefetch_related("photos"):
        photos = list(row.photos.all())
        row.pk = None
        row.inspection = amendment
        row.points = None
        row.save(force_insert=True)
        InspectionPhoto.objects.bulk_create(
            InspectionPhoto(result=row, image=p.image.name, uploaded_at=p.uploaded_at)
            for p in photos
        )
    return amendment


# Rectification notices -------------------------------------------------------

# Days before the deadline on which the company is reminded (0: the day).
REMINDER_DAYS = (2, 0)


def company_emails(company: PropertyCompany, on: date | None = None) -> list[str]:
    """Where a company's notices go: its contact and its active staff."""
    emails = [company.contact_email]
    emails += (
        CompanyStaff.objects.active(on)
        .filter(company=company)
        .exclude(person__email="")
        .values_list("person__email", flat=True)
    )
    return sorted({e for e in emails if e})


def company_phones(company: PropertyCompany, on: date | None = None) -> list[str]:
    """Where a company's notices are texted: its contact and active staff."""
    phones = [company.contact_phone]
    phones += (
        CompanyStaff.objects.active(on)
        .filter(company=company)
        .exclude(person__phone="")
        .values_list("person__phone", flat=True)
    )
    return sorted({p for p in phones if p})


def _notice_url(notice: RectificationNotice) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}{reverse('assessments:rectification', args=[notice.pk])}"


def _mail_company(
    notice: RectificationNotice,
    subject: str,
    lead: str,
    *,
    template: str = "rectification",
    reason: str = "",
) -> Queued:
    """Mail and text the company the notice and its deadline (the SMS
    `template`, with the re-check's `reason` when it was returned); return
    what was queued."""
    item = notice.item_result.item if notice.item_result_id else None
    texts = queue_sms(
        concern=None,
        to=company_phones(notice.company),
        template=template,
        params={
            "compound": notice.inspection.compound.name,
            "item": item.name if item else notice.requirement,
            "reason": reason,
            "deadline": notice.deadline.isoformat(),
        },
    )
    body = _(
        "%(lead)s\n\nCompound: %(compound)s\nInspection of %(date)s, item "
        "%(item)s\nWhat to rectify: %(requirement)s\nDeadline: %(deadline)s\n\n"
        "Answer on the notice's page: %(url)s\n"
    ) % {
        "lead": lead,
        "compound": notice.inspection.compound,
        "date": notice.inspection.date.isoformat(),
        "item": f"{item.code} {item.name}" if item else "—",
        "requirement": notice.requirement,
        "deadline": notice.deadline.isoformat(),
        "url": _notice_url(notice),
    }
    mails = queue_email(
        concern=None, to=company_emails(notice.company), subject=subject, body=body
    )
    return Queued.of(mails + texts, reminded=1)


def _subject(notice: RectificationNotice, what: str) -> str:
    return _("%(what)s: %(compound)s, by %(deadline)s") % {
        "what": what,
        "compound": notice.inspection.compound,
        "deadline": notice.deadline.isoformat(),
    }


@transaction.atomic
def raise_rectification(
    *,
    result: InspectionItemResult,
    actor,
    deadline: date | None = None,
    requirement: str = "",
) -> RectificationNotice:
    """Address a failed item to the company serving the compound that day,
    and mail the company the notice."""
    inspection = result.inspection
    _require_cadre(actor, inspection, "assessments.raise_rectification")
    if not inspection.is_locked:
        raise ValidationError(_("Submit the inspection before raising notices."))
    if not result.failed:
        raise ValidationError(
            _("Item %(code)s did not fail; there is nothing to rectify.")
            % {"code": result.item.code}
        )
    company = inspection.serving_company()
    if company is None:
        raise ValidationError(
            _("No property company served %(compound)s on %(date)s.")
            % {"compound": inspection.compound, "date": inspection.date}
        )
    today = timezone.localdate()
    if deadline is None:
        deadline = today + timedelta(days=inspection.scheme.rectification_days)
    if deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    notice = RectificationNotice.objects.create(
        inspection=inspection,
        item_result=result,
        company=company,
        deadline=deadline,
        requirement=requirement or result.note or result.item.name,
        created_by=actor,
    )
    _mail_company(
        notice,
        _subject(notice, _("Rectification notice")),
        _("The street property office asks your company to rectify a finding."),
    )
    return notice


@transaction.atomic
def answer_rectification(
    *,
    notice: RectificationNotice,
    note: str,
    photos: Sequence[UploadedFile] = (),
    actor,
) -> RectificationNotice:
    """The company reports what was done: a new round; earlier rounds stay."""
    require(actor, "assessments.answer_rectification")
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if not may_answer_for(actor, notice):
        raise PermissionDenied(
            _("Only the staff of the company addressed may answer this notice.")
        )
    S = RectificationNotice.Status
    if notice.status not in (S.OPEN, S.RETURNED):
        raise ValidationError(
            _("This notice has been answered already and awaits verification.")
            if notice.status == S.ANSWERED
            else _("This notice is closed.")
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was done to rectify.")})
    now = timezone.now()
    answer = RectificationRound.objects.create(
        notice=notice,
        kind=RectificationRound.Kind.ANSWER,
        text=note.strip(),
        by=actor,
        at=now,
    )
    notice.answer_note = answer.text
    notice.answered_at = now
    notice.answered_by = actor
    notice.status = S.ANSWERED
    notice.save()
    for photo in photos:
        RectificationPhoto.objects.create(notice=notice, round=answer, image=photo)
    return notice


@transaction.atomic
def verify_rectification(
    *, notice: RectificationNotice, accepted: bool, actor, note: str = ""
) -> RectificationNotice:
    """The street re-checks an answer: accepts it, or returns it to the
    company (which is told, and answers again in a new round)."""
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    _require_cadre(actor, notice.inspection, "assessments.recheck_rectification")
    S = RectificationNotice.Status
    if notice.status != S.ANSWERED:
        raise ValidationError(_("Only an answered notice can be verified."))
    now = timezone.now()
    Kind = RectificationRound.Kind
    RectificationRound.objects.create(
        notice=notice,
        kind=Kind.ACCEPTED if accepted else Kind.RETURNED,
        text=(note or "").strip(),
        by=actor,
        at=now,
    )
    notice.status = S.VERIFIED if accepted else S.RETURNED
    notice.verified_by = actor
    notice.verified_at = now
    notice.verification_note = (note or "").strip()
    notice.save()
    if not accepted:
        _mail_company(
            notice,
            _subject(notice, _("Rectification returned")),
            _("The re-check found the finding not rectified: %(note)s")
            % {"note": notice.verification_note or "—"},
            template="rectification_returned",
            reason=notice.verification_note or "—",
        )
    return notice


@transaction.atomic
def send_rectification_reminders(*, on: date | None = None) -> Queued:
    """Remind each company of its open notices due in `REMINDER_DAYS`.

    A notice is reminded at most once a day (`reminded_on`, claimed with a
    conditional update), so a second run on the same day sends nothing.
    Returns how many notices were reminded and what was queued per channel.
    """
    on = on or timezone.localdate()
    queued = Queued()
    due = RectificationNotice.objects.due_for_reminder(on, REMINDER_DAYS)
    for notice in due.select_related(
        "inspection__compound", "item_result__item", "company"
    ).order_by("deadline", "pk"):
        claimed = (
            RectificationNotice.objects.filter(pk=notice.pk)
            .exclude(reminded_on=on)
            .update(reminded_on=on)
        )
        if not claimed:
            continue
        days = (notice.deadline - on).days
        lead = (
            _("The deadline of this rectification notice is today.")
            if days == 0
            else _("This rectification notice is due in %(days)s days.")
            % {"days": days}
        )
        queued += _mail_company(notice, _subject(notice, _("Reminder")), lead)
    return queued

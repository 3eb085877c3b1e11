"""Inspection services: the one write path for inspections and notices.

Every function validates before it writes and runs in one transaction, so
bad input leaves nothing changed. The pages, the admin and the API all call
these; who may inspect or verify is decided here too (`can_inspect`,
`can_verify`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.models import CommitteeMember, Compound
from org.models import OrgUnit, Person, Post
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


def _require_inspector(user, compound: Compound) -> None:
    if not can_inspect(user, compound):
        raise PermissionDenied(
            _("Only the street office's inspection staff may do this.")
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


def validate_panel(*, compound: Compound, on: date, seats: Sequence[PanelSeat]) -> None:
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
    force on `date`. `panel` holds (person, role) pairs."""
    _require_inspector(actor, compound)
    scheme = _validate_date(date)
    seats = _seats(panel)
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
    """Replace the panel of a draft."""
    inspection = _locked_draft(inspection)
    _require_inspector(actor, inspection.compound)
    _write_panel(inspection, _seats(panel))
    return inspection


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
    _require_inspector(actor, inspection.compound)
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
    _require_inspector(actor, inspection.compound)
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
    )


@transaction.atomic
def submit_inspection(*, inspection: Inspection, actor) -> Inspection:
    """Validate, score and lock a draft; an amendment replaces its original."""
    inspection = _locked_draft(inspection)
    _require_inspector(actor, inspection.compound)
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
    _require_inspector(actor, original.compound)
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


@transaction.atomic
def raise_rectification(
    *,
    result: InspectionItemResult,
    actor,
    deadline: date | None = None,
    requirement: str = "",
) -> RectificationNotice:
    """Address a failed item to the company serving the compound that day."""
    inspection = result.inspection
    if not can_verify(actor, inspection):
        raise PermissionDenied(
            _("Only the street office's inspection staff may do this.")
        )
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
    return RectificationNotice.objects.create(
        inspection=inspection,
        item_result=result,
        company=company,
        deadline=deadline,
        requirement=requirement or result.note or result.item.name,
        created_by=actor,
    )


@transaction.atomic
def answer_rectification(
    *,
    notice: RectificationNotice,
    note: str,
    photos: Sequence[UploadedFile] = (),
    actor,
) -> RectificationNotice:
    """The company's project manager reports what was done."""
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.company_id not in user_scope(actor).company_ids:
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
    notice.answer_note = note.strip()
    notice.answered_at = timezone.now()
    notice.answered_by = actor
    notice.status = S.ANSWERED
    notice.save()
    for photo in photos:
        RectificationPhoto.objects.create(notice=notice, image=photo)
    return notice


@transaction.atomic
def verify_rectification(
    *, notice: RectificationNotice, accepted: bool, actor, note: str = ""
) -> RectificationNotice:
    """The inspector accepts the rectification or returns it."""
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if not can_verify(actor, notice.inspection):
        raise PermissionDenied(
            _("Only the street office's inspection staff may do this.")
        )
    S = RectificationNotice.Status
    if notice.status != S.ANSWERED:
        raise ValidationError(_("Only an answered notice can be verified."))
    notice.status = S.VERIFIED if accepted else S.RETURNED
    notice.verified_by = actor
    notice.verified_at = timezone.now()
    notice.verification_note = note
    notice.save()
    return notice

"""Factories and builders for the assessments tests (shared)."""

from datetime import date

from django.utils import timezone

from assessments.default_scheme import ensure_default_scheme
from assessments.models import Inspection, InspectionPanelMember
from assessments.services.inspections import (
    record_item,
    start_inspection,
    submit_inspection,
    update_draft,
)
from org.models import OrgUnit, Post
from tests.factories import PersonFactory, PostFactory, UserFactory

Role = InspectionPanelMember.Role


def cadre(street: OrgUnit, **user_kwargs):
    """A street-office inspector (a cadre) with a login."""
    person = PersonFactory(unit=street)
    PostFactory(person=person, unit=street, role=Post.Role.INSPECTOR)
    return UserFactory(person=person, **user_kwargs)


def resident_rep(unit: OrgUnit):
    """A resident representative registered with `unit` (no login)."""
    person = PersonFactory(unit=unit)
    PostFactory(person=person, unit=unit, role=Post.Role.RESIDENT_REPRESENTATIVE)
    return person


def default_scheme():
    return ensure_default_scheme()


def panel_for(street: OrgUnit, inspector_user):
    """A valid panel: the inspector as cadre and an outside representative."""
    return [
        (inspector_user.person, Role.CADRE),
        (resident_rep(street), Role.RESIDENT_REP),
    ]


def draft_inspection(
    compound, inspector_user, *, on: date | None = None, panel=None
) -> Inspection:
    default_scheme()
    return start_inspection(
        compound=compound,
        date=on or timezone.localdate(),
        panel=panel
        if panel is not None
        else panel_for(compound.street, inspector_user),
        actor=inspector_user,
    )


def item(inspection: Inspection, code: str):
    return inspection.scheme.items().get(code=code)


def submitted_inspection(
    compound,
    inspector_user,
    *,
    on: date | None = None,
    occurrences: dict[str, int] | None = None,
    poll: tuple[int, int, int] = (8, 2, 0),
    panel=None,
) -> Inspection:
    inspection = draft_inspection(compound, inspector_user, on=on, panel=panel)
    for code, n in (occurrences or {}).items():
        record_item(
            inspection=inspection,
            item=item(inspection, code),
            occurrences=n,
            actor=inspector_user,
        )
    update_draft(
        inspection=inspection,
        actor=inspector_user,
        satisfied=poll[0],
        basically_satisfied=poll[1],
        dissatisfied=poll[2],
    )
    return submit_inspection(inspection=inspection, actor=inspector_user)

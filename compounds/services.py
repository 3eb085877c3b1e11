"""Writes on companies that carry a rule of who may: their staff seats."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Person, User
from org.rights import require

from .models import CompanyStaff, PropertyCompany


def check_may_keep_staff(*, by: User, company: PropertyCompany) -> None:
    """Refuse unless `by` may keep `company`'s staff (its task, its company)."""
    require(by, "compounds.edit_company_staff")
    if not PropertyCompany.objects.visible_to(by).filter(pk=company.pk).exists():
        raise PermissionDenied(_("You may keep the staff of your own company only."))


@transaction.atomic
def add_company_staff(
    *,
    by: User,
    company: PropertyCompany,
    role: str,
    person: Person | None = None,
    new_person_name: str = "",
    new_person_phone: str = "",
    start: date | None = None,
    end: date | None = None,
    seat: CompanyStaff | None = None,
) -> CompanyStaff:
    """Give a person (picked, or registered here) a seat at `company`.

    A new person is registered with the company's supervising street.
    `seat` is an unsaved seat to fill (the admin's form).
    """
    check_may_keep_staff(by=by, company=company)
    new_person_name = new_person_name.strip()
    if person is None and not new_person_name:
        raise ValidationError(
            {"person": _("Choose a person or enter the new person's name.")}
        )
    if person is not None and new_person_name:
        raise ValidationError(
            {"new_person_name": _("Choose a person or enter a new name, not both.")}
        )
    if (
        person is not None
        and not Person.objects.visible_to(by).filter(pk=person.pk).exists()
    ):
        raise PermissionDenied(_("You may not pick this person."))
    if person is None:
        person = Person(
            name=new_person_name,
            phone=new_person_phone.strip(),
            work_unit=company.name,
            unit=company.registered_with,
        )
        person.full_clean()
        person.save()
    seat = seat or CompanyStaff()
    seat.company, seat.person, seat.role = company, person, role
    seat.start, seat.end = start, end
    seat.full_clean()
    seat.save()
    return seat


@transaction.atomic
def end_company_staff(
    *, by: User, seats: Iterable[CompanyStaff], on: date | None = None
) -> int:
    """End staff seats on `on` (today); the seat stays as history. How many."""
    on = on or timezone.localdate()
    ended = 0
    for seat in seats:
        check_may_keep_staff(by=by, company=seat.company)
        if by.person_id and seat.person_id == by.person_id and not by.is_superuser:
            raise PermissionDenied(
                _("Someone else must end your own seat; you would lose your access.")
            )
        if seat.end is not None and seat.end <= on:
            continue
        if seat.start and seat.start > on:
            raise ValidationError(
                _("%(seat)s begins after %(day)s: change its dates instead.")
                % {"seat": seat, "day": on}
            )
        seat.end = on
        seat.save(update_fields=["end"])
        ended += 1
    return ended

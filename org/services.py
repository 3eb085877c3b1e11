"""Logins of the street office's own staff: create, deactivate, reset.

A login's rights follow from its person's posts (`org.rights.roles_of`),
so none of these picks a group or a permission. The street office keeps
the logins of people registered in its street (the scope rule); superusers
and the logins of other streets stay the superuser's.
"""

import secrets
import string
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Person, User
from .rights import require

# No 0/O, 1/l/I: a temporary password is read out or copied by hand.
_PASSWORD_ALPHABET = "".join(
    c for c in string.ascii_letters + string.digits if c not in "0O1lI"
)
TEMPORARY_PASSWORD_LENGTH = 12


def temporary_password() -> str:
    """A random password that passes the strong-password rules."""
    while True:
        password = "".join(
            secrets.choice(_PASSWORD_ALPHABET)
            for _i in range(TEMPORARY_PASSWORD_LENGTH)
        )
        if (
            any(c.isdigit() for c in password)
            and any(c.islower() for c in password)
            and any(c.isupper() for c in password)
        ):
            return password


def check_may_manage_login(*, by: User, login: User) -> None:
    """Refuse unless `by` may change `login` (its task, its street, no superuser)."""
    require(by, "org.edit_logins")
    if by.is_superuser:
        return
    if login.is_superuser:
        raise PermissionDenied(_("Only a superuser may change a superuser's login."))
    if not User.objects.visible_to(by).filter(pk=login.pk).exists():
        raise PermissionDenied(_("This login belongs to someone outside your street."))


def check_may_give_login(*, by: User, person: Person | None) -> None:
    """Refuse unless `by` may give `person` a login."""
    require(by, "org.edit_logins")
    if by.is_superuser:
        return
    if person is None:
        raise PermissionDenied(_("A login needs the person it belongs to."))
    if not Person.objects.visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied(_("This person is registered outside your street."))


@transaction.atomic
def create_login(
    *,
    by: User,
    person: Person | None,
    username: str,
    password: str | None = None,
    usable_password: bool = True,
    login: User | None = None,
) -> tuple[User, str | None]:
    """Give `person` a staff login; (login, temporary password or None).

    Without `password` a temporary one is made and returned, to be shown
    once; with `usable_password=False` the login cannot sign in until a
    password is set. `login` is an unsaved user to fill (the admin's form).
    """
    check_may_give_login(by=by, person=person)
    login = login or User(username=username)
    login.username = username
    login.person = person
    # Every login of the portal works in the staff pages and the admin.
    login.is_staff = True
    if not by.is_superuser:
        login.is_superuser = False
    temporary = None
    if not usable_password:
        login.set_unusable_password()
    else:
        if password is None:
            temporary = password = temporary_password()
        validate_password(password, login)
        login.given_password(password)
    login.full_clean(exclude=["password"])
    login.save()
    return login, temporary


@transaction.atomic
def set_logins_active(*, by: User, logins: Iterable[User], active: bool) -> int:
    """Deactivate (or reactivate) logins; how many changed."""
    changed = 0
    for login in logins:
        check_may_manage_login(by=by, login=login)
        if not active and login.pk == by.pk:
            raise PermissionDenied(_("You cannot deactivate your own login."))
        if login.is_active != active:
            login.is_active = active
            login.save(update_fields=["is_active"])
            changed += 1
    return changed


@transaction.atomic
def reset_password(*, by: User, login: User, password: str | None = None) -> str:
    """Set `login`'s password (a temporary one when none is given); returns it."""
    check_may_manage_login(by=by, login=login)
    password = password or temporary_password()
    try:
        validate_password(password, login)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    login.given_password(password)
    login.save(update_fields=["password", "must_change_password"])
    return password

"""The second factor of a login (第二因素): a TOTP authenticator app.

django-otp keeps the devices (`TOTPDevice`) and marks a session verified;
this module says whose login needs it, enrols, verifies and resets. A
street-office login and a superuser must pass it while `OTP_REQUIRED` is
on; any other login may enrol and, once enrolled, passes it too.

A wrong code counts against the device: each failure doubles the wait
before the next try (django-otp's throttle, `OTP_TOTP_THROTTLE_FACTOR`),
and is recorded in the audit trail. A code is accepted once: the device
remembers the last time step it accepted (`last_t`).
"""

import base64
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import record_event
from .models import AuditEvent
from .rights import Role, require, roles_of
from .services import check_may_manage_login

# What the authenticator app shows beside the code.
DEVICE_NAME = "authenticator"

_CODE = re.compile(r"^\d{6}$")


def is_required(user) -> bool:
    """Whether `user` may not work without a second factor."""
    if not settings.OTP_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or Role.STREET_OFFICE in roles_of(user)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# Set in a session whose login needs no second factor, so that its every
# request does not ask again; a new sign-in drops it (forget_at_login).
_OWES_NOTHING = "second_factor_owes_nothing"


def pending_check(request) -> str | None:
    """What the signed-in session of `request` still owes: "verify",
    "enrol" or nothing."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if request.session.get(_OWES_NOTHING) == user.pk:
        return None
    if is_enrolled(user):
        return "verify"
    if is_required(user):
        return "enrol"
    request.session[_OWES_NOTHING] = user.pk
    return None


def forget_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: a new sign-in is checked afresh."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(_OWES_NOTHING, None)


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device `user` is enrolling, made on first call.

    The secret stays the same until it is confirmed, so a reload of the
    page does not invalidate what the phone already scanned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for an app that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean_code(code) -> str:
    code = re.sub(r"\s", "", str(code or ""))
    if not _CODE.match(code):
        raise ValidationError(
            _("Enter the 6-digit code your authenticator app shows."),
            code="bad_format",
        )
    return code


def check_code(device: TOTPDevice, code, request=None) -> None:
    """Accept `code` for `device` or raise a Chinese ValidationError."""
    code = _clean_code(code)
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int((why["locked_until"] - timezone.now()).total_seconds()) + 1)
        raise ValidationError(
            _("Too many wrong codes: try again in %(seconds)d seconds.")
            % {"seconds": wait},
            code="throttled",
        )
    if device.verify_token(code):
        return
    record_event(
        action=AuditEvent.Action.SECOND_FACTOR_FAILED,
        actor=device.user,
        request=request,
        obj=device.user,
    )
    raise ValidationError(
        _("The code is wrong or already used: enter the code shown now."),
        code="wrong_code",
    )


def mark_verified(request, device: TOTPDevice) -> None:
    """This session has passed the second factor with `device`."""
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.user.otp_device = device


def verify(request, code) -> None:
    """Pass the second factor of the signed-in user with `code`."""
    device = confirmed_device(request.user)
    if device is None:
        raise ValidationError(_("This login has no authenticator yet."))
    check_code(device, code, request)
    mark_verified(request, device)


@transaction.atomic
def confirm_enrolment(request, code) -> TOTPDevice:
    """Confirm the device being enrolled with its first code."""
    user = request.user
    device = enrolment_device(user)
    check_code(device, code, request)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only one authenticator per login: an old one stops working.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    mark_verified(request, device)
    request.session.pop(_OWES_NOTHING, None)
    record_event(
        action=AuditEvent.Action.SECOND_FACTOR_ENROLLED,
        actor=user,
        request=request,
        obj=user,
    )
    return device


@transaction.atomic
def reset(*, by, login, request=None) -> int:
    """Remove `login`'s authenticator; it enrols again at its next sign-in.

    Only the street office (and the superuser) may, for logins it keeps.
    """
    require(by, "org.reset_second_factor")
    check_may_manage_login(by=by, login=login)
    removed, _by_model = TOTPDevice.objects.filter(user=login).delete()
    record_event(
        action=AuditEvent.Action.SECOND_FACTOR_RESET,
        actor=by,
        request=request,
        obj=login,
        detail=login.get_username(),
    )
    return removed

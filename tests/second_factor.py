"""The second factor in tests: an authenticator of a known key, its codes,
and the pass every test login gets (tests/conftest.py).

Every login a test makes (`client.force_login`, `client.login`, the login
form in a browser test) passes the second factor of a login that has or
needs one, with an authenticator made here when it has none, so tests of
other parts sign in as the street office or the superuser as they always
did. Tests of the second factor itself are marked `second_factor` and sign
in without that pass.
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from org import second_factor

# 20 bytes, hex, as django-otp stores it.
KNOWN_KEY = "3132333435363738393031323334353637383930"


def confirmed_device(user, key: str = KNOWN_KEY) -> TOTPDevice:
    device = second_factor.confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=second_factor.DEVICE_NAME, key=key, confirmed=True
        )
    return device


def code_of(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def pass_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the session has passed the second factor."""
    if second_factor.is_required(user) or second_factor.is_enrolled(user):
        request.session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id

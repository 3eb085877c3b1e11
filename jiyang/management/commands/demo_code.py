"""Print the current second-factor code of the demo logins.

The demo's street-office and superuser logins share the public demo key
(demo.org.DEMO_OTP_KEY); this computes that key's code and reads no
login's device, so it tells nothing about a real authenticator.
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from demo.org import DEMO_OTP_KEY

STEP = 30


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo logins (demo key only)."

    def handle(self, *args, **options):
        now = time.time()
        totp = TOTP(bytes.fromhex(DEMO_OTP_KEY), step=STEP)
        totp.time = now
        left = STEP - int(now) % STEP
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(
            _("Code of the demo authenticator, valid for %(seconds)d more seconds.")
            % {"seconds": left}
        )

"""Load the demo street (济宁市任城区济阳街道) and print how to log in.

The demo lives in the top-level `demo/` package, one module per app, each
with a `load(*, stdout)` function, run here in the order the apps depend on
each other. Safe to run again: every part writes on natural keys.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from demo import assessments, compounds, consultations, open311, org
from demo.org import DemoLogin, demo_otp_secret
from org import change_audit

# Dependency order: org ← compounds ← consultations (with civic) ← assessments.
DEMO_MODULES = (org, compounds, consultations, assessments, open311)
ADDRESS = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Load the Jiyang demo street and print the addresses and demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default=ADDRESS,
            help="Base address to print for the portal (default: %(default)s).",
        )

    def handle(self, *args, address: str = ADDRESS, **options):
        logins: list[DemoLogin] = []
        # One transaction: a failing step leaves the database as it was.
        # The demo's rows are set-up, not anyone's edits: not in the trail.
        with transaction.atomic(), change_audit.paused():
            for module in DEMO_MODULES:
                result = module.load(
                    stdout=self.stdout if options["verbosity"] > 0 else None
                )
                logins.extend(r for r in result or () if isinstance(r, DemoLogin))
                if options["verbosity"] > 1:
                    self.stdout.write(_("Loaded %(step)s.") % {"step": module.__name__})
        if options["verbosity"] > 0:
            self.report(address.rstrip("/") + "/", logins)

    def report(self, address: str, logins: list[DemoLogin]) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS(_("The Jiyang demo street is loaded.")))
        out.write(_("Portal: %(url)s") % {"url": address})
        out.write(_("Staff admin: %(url)s") % {"url": f"{address}admin/"})
        out.write(_("Demo logins (username, password, role, scope):"))
        width = max((len(login.username) for login in logins), default=0)
        for login in logins:
            out.write(
                f"  {login.username.ljust(width)}  {login.password}  "
                f"{login.role} · {login.scope}"
            )
        out.write(
            _(
                "admin and street_admin also need the code of an authenticator "
                "app: add the key %(secret)s (time-based, 6 digits) to one, or "
                "run `python manage.py demo_code` for the current code."
            )
            % {"secret": demo_otp_secret()}
        )

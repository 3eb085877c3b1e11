"""Load the demo street (济宁市任城区济阳街道) and print how to log in.

Each app builds its own part in `<app>/demo.py` with a `load(*, stdout)`
function, run here in the order the apps depend on each other. An app
without a demo module is skipped, so the command works while apps are being
added. Safe to run again: every part writes on natural keys.
"""

import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from org.demo import DemoLogin

# Dependency order: org ← compounds ← consultations ← assessments.
DEMO_MODULES = (
    "org.demo",
    "compounds.demo",
    "consultations.demo",
    "assessments.demo",
    "consultations.partners_demo",
)
REQUIRED = {"org.demo", "compounds.demo"}
ADDRESS = "http://127.0.0.1:8000/"


def demo_module(path: str):
    """The module at `path`, or None when its app is absent or has no demo."""
    if path not in REQUIRED and (
        not apps.is_installed(path.split(".", 1)[0])
        or importlib.util.find_spec(path) is None
    ):
        return None
    return importlib.import_module(path)


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
        with transaction.atomic():
            for path in DEMO_MODULES:
                module = demo_module(path)
                if module is None:
                    if options["verbosity"] > 1:
                        self.stdout.write(_("Skipped %(step)s.") % {"step": path})
                    continue
                result = module.load(
                    stdout=self.stdout if options["verbosity"] > 0 else None
                )
                logins.extend(r for r in result or () if isinstance(r, DemoLogin))
                if options["verbosity"] > 1:
                    self.stdout.write(_("Loaded %(step)s.") % {"step": path})
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

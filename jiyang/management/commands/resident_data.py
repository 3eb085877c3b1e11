"""Answer a resident's request about their data: export it or erase it."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiyang.resident_data import (
    concerns_of_phone,
    erase_resident_data,
    export_resident_data,
)


class Command(BaseCommand):
    help = (
        "Export (--export FILE.json) or erase (--erase) what the portal holds "
        "about a resident's phone number, written in any usual form."
    )

    def add_arguments(self, parser):
        parser.add_argument("--phone", required=True, help="e.g. 138 0013 8000")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--export", metavar="FILE.json", help="Write it as JSON.")
        action.add_argument(
            "--erase",
            action="store_true",
            help="Blank the contact data; the concerns stay.",
        )
        parser.add_argument(
            "--yes", action="store_true", help="Erase without asking first."
        )

    def handle(self, *args, phone, export=None, erase=False, yes=False, **options):
        try:
            concerns = concerns_of_phone(phone)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if export:
            self._export(phone, Path(export))
        elif erase:
            self._erase(phone, concerns.count(), yes=yes)

    def _export(self, phone: str, path: Path) -> None:
        data = export_resident_data(phone)
        try:
            path.write_text(
                json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror}
            ) from None
        self.stdout.write(
            _("%(count)s concerns written to %(path)s.")
            % {"count": len(data["concerns"]), "path": path}
        )

    def _erase(self, phone: str, count: int, *, yes: bool) -> None:
        if not yes:
            answer = input(
                _(
                    "Erase the contact data of %(count)s concerns of this number? "
                    "Type yes to go on: "
                )
                % {"count": count}
            )
            if answer.strip().lower() not in ("yes", "y", "是"):
                raise CommandError(_("Nothing erased."))
        counts = erase_resident_data(phone)
        self.stdout.write(
            _(
                "Contact data erased from %(concerns)s concerns; %(photos)s photos, "
                "%(mails)s e-mails and SMS deleted; contact data cut from "
                "%(texts)s texts."
            )
            % {
                "concerns": counts.concerns,
                "photos": counts.photos,
                "mails": counts.notifications,
                "texts": counts.texts,
            }
        )

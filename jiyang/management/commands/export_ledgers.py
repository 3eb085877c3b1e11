"""Write every ledger of the street into a folder of workbooks."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from org.ledger_folders import export_folder
from org.models import User


def acting_user(username: str | None) -> User:
    """The named login, or the only superuser; CommandError otherwise."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active login {username!r}.")
        return user
    superusers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(superusers) != 1:
        raise CommandError(
            "Name the login to act as with --user (there is not exactly one "
            "superuser; `manage.py createsuperuser` makes one)."
        )
    return superusers[0]


class Command(BaseCommand):
    help = (
        "Export every ledger the login sees (a superuser: everything) into "
        "FOLDER as <ledger>.xlsx, in the templates' layout."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--user", help="login to act as (default: the superuser)")

    def handle(self, folder: Path, user=None, **options):
        written = export_folder(folder, user=acting_user(user))
        if options["verbosity"] < 1:
            return
        for slug, rows in written.items():
            self.stdout.write(f"{folder / slug}.xlsx: {rows} rows")

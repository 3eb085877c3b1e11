"""Import a folder of ledger workbooks (from export_ledgers) in order."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from org.ledger_folders import import_folder

from .export_ledgers import acting_user

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        "Import FOLDER's ledger workbooks (<ledger>.xlsx) in dependency order: "
        "units, staff, companies, compounds, contracts, packages, committees, "
        "members, building heads, facilities, holidays. Run after migrate and "
        "createsuperuser to rebuild a street into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--user", help="login to act as (default: the superuser)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every file, change nothing"
        )

    def handle(self, folder: Path, user=None, dry_run=False, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        translation.activate("zh-hans")
        done = import_folder(folder, user=acting_user(user), apply=not dry_run)
        if not done:
            raise CommandError(f"{folder} holds no ledger workbook.")
        for step in done:
            report = step.report
            self.stdout.write(
                f"{step.ledger.slug}: {report.count('create')} created, "
                f"{report.count('update')} updated, "
                f"{report.count('unchanged')} unchanged"
            )
            if report.file_error:
                raise CommandError(f"{step.ledger.slug}: {report.file_error}")
            if report.problems:
                for problem in report.problems[:SHOWN_PROBLEMS]:
                    self.stderr.write(
                        f"  row {problem.row} {problem.column} "
                        f"{problem.value!r}: {problem.message}"
                    )
                raise CommandError(
                    f"{step.ledger.slug}: {len(report.problems)} problems; "
                    "nothing of this file was imported."
                )

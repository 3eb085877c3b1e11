from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from jiyang.rights_doc import rights_table_markdown

DOC = Path("docs") / "rights.md"


class Command(BaseCommand):
    help = (
        "Print the rights table (role × task) as Markdown; with --write, "
        "write it to docs/rights.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--write",
            action="store_true",
            help="Write docs/rights.md instead of printing.",
        )

    def handle(self, *args, write: bool = False, **options):
        text = rights_table_markdown()
        if write:
            path = Path(settings.BASE_DIR) / DOC
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {DOC}.")
        else:
            self.stdout.write(text, ending="")

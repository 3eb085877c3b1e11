from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.services.scoring import rank_quarter
from common.periods import Quarter


class Command(BaseCommand):
    help = "Rank a finished quarter (default: the quarter before), e.g. 2026Q3."

    def add_arguments(self, parser):
        parser.add_argument("quarter", nargs="?", help="YYYYQn, e.g. 2026Q3")

    def handle(self, *args, quarter=None, **options):
        try:
            target = Quarter.parse(quarter) if quarter else Quarter.current().previous()
            run = rank_quarter(target)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("%(quarter)s ranked: %(rows)s rows in %(ms)s ms.")
            % {"quarter": run.period, "rows": run.rows_written, "ms": run.duration_ms}
        )
        if run.note:
            self.stdout.write(run.note)

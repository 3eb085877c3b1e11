from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.services.scoring import score_month
from assessments.tasks import fan_out_month
from common.periods import Month


class Command(BaseCommand):
    help = "Score a finished month (default: the month before), in-process."

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="YYYY-MM")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Send the job to the Celery workers (one task per street).",
        )

    def handle(self, *args, month=None, queue=False, **options):
        try:
            target = Month.parse(month) if month else Month.current().previous()
            if queue:
                run_id = fan_out_month(target)
                self.stdout.write(_("Run %(id)s queued.") % {"id": run_id})
                return
            run = score_month(target)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("%(month)s scored: %(rows)s rows in %(ms)s ms.")
            % {"month": run.period, "rows": run.rows_written, "ms": run.duration_ms}
        )

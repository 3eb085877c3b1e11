"""The scoring jobs: score a month, rank a quarter, each recorded as a run.

The figures are computed and written by the SQL in `assessments/scoring_sql.py`
(the rules are in `assessments/SCORING.md`). These functions check the
period, pick the scheme version and record every run as a `ScoringRun`. The
Celery tasks, including the monthly fan-out to one task per street, are in
`assessments/tasks.py` and call these.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.periods import Month, Quarter
from org.models import OrgUnit

from ..models import AssessmentScheme, QuarterReRank, ScoringRun
from ..scoring_sql import write_month, write_quarter
from .notices import PublishedGuard, ReRankDecision


class RankingUnavailable(ValidationError):
    pass


def refuse_unfinished_month(month: Month) -> None:
    """A month is scored only after its last day (Asia/Shanghai)."""
    current = Month.current()
    if month > current:
        raise ValidationError(
            _("%(month)s is in the future and cannot be scored.") % {"month": month},
            code="future_month",
        )
    if month == current:
        raise ValidationError(
            _("%(month)s has not ended yet; a month is scored after its last day.")
            % {"month": month},
            code="unfinished_month",
        )


def refuse_unfinished_quarter(quarter: Quarter) -> None:
    """A quarter is ranked only after its last day (Asia/Shanghai)."""
    if quarter.last_day >= timezone.localdate():
        raise ValidationError(
            _("%(quarter)s has not ended yet; a quarter is ranked after its last day.")
            % {"quarter": quarter},
            code="unfinished_quarter",
        )


def scheme_for_quarter(quarter: Quarter) -> AssessmentScheme:
    """The scheme version in force on the quarter's last day."""
    scheme = AssessmentScheme.objects.in_force(quarter.last_day)
    if scheme is None:
        raise RankingUnavailable(
            _("No assessment scheme is in force for %(quarter)s.")
            % {"quarter": quarter},
            code="no_scheme",
        )
    return scheme


def score_month(month: Month, *, street_id: int | None = None) -> ScoringRun:
    """Score a finished month in-process and record the run.

    A failed run records its error and re-raises.
    """
    refuse_unfinished_month(month)
    return ScoringRun.record(
        kind=ScoringRun.Kind.MONTH,
        period=str(month),
        street_id=street_id,
        work=lambda: write_month(month, street_id=street_id),
    )


def start_month_run(
    month: Month, *, run: ScoringRun | None = None
) -> tuple[ScoringRun, list[int]]:
    """Open the run of a month scored one street at a time; its street ids.

    The run stays open until its street tasks are done (`ScoringRun.finish`
    or `.fail`); with no street it is finished at once. A run queued from
    the run page (`run`) covers its own street, or every street.
    """
    refuse_unfinished_month(month)
    streets = OrgUnit.objects.streets().order_by("pk")
    if run is not None and run.street_id:
        streets = streets.filter(pk=run.street_id)
    streets = list(streets.values_list("pk", flat=True))
    if run is None:
        run = ScoringRun.objects.create(
            kind=ScoringRun.Kind.MONTH, period=str(month), parts=len(streets)
        )
    else:
        run.mark_running(parts=len(streets))
    if not streets:
        run.finish(0)
    return run, streets


def score_street_month(street_id: int, month: Month) -> int:
    """Score one street's month (one task of the fanned-out job)."""
    refuse_unfinished_month(month)
    return write_month(month, street_id=street_id)


def rank_street_quarter(
    street_id: int, quarter: Quarter, *, scheme: AssessmentScheme | None = None
) -> int:
    """Rank one street's companies for a quarter; rows written."""
    scheme = scheme or scheme_for_quarter(quarter)
    return write_quarter(quarter, scheme=scheme, street_id=street_id)


def rank_quarter(
    quarter: Quarter,
    *,
    run: ScoringRun | None = None,
    rerank: ReRankDecision | None = None,
) -> ScoringRun:
    """Rank every street's companies for a finished quarter; record the run.

    A run queued from the run page (`run`) ranks its own street, or every
    street, and is closed when done. A street whose quarter is published
    (its notice issued) keeps its result: a run that would change it fails
    and changes nothing, unless it carries the street office's re-rank
    decision (`rerank`, for that street), which is stored with the result
    before and after.
    """
    refuse_unfinished_quarter(quarter)
    scheme = scheme_for_quarter(quarter)
    street_id = run.street_id if run is not None else None
    if rerank is not None:
        if street_id is not None and street_id != rerank.street_id:
            raise ValidationError(
                _("A re-rank decision ranks the street it was taken for."),
                code="rerank_street",
            )
        street_id = rerank.street_id
    decisions: list[QuarterReRank] = []

    def work() -> int:
        guard = PublishedGuard(quarter, street_id, rerank)
        rows = write_quarter(quarter, scheme=scheme, street_id=street_id)
        decisions.extend(guard.settle(scheme=scheme, run=run))
        return rows

    done = ScoringRun.record(
        kind=ScoringRun.Kind.QUARTER,
        period=str(quarter),
        street_id=street_id,
        work=work,
        run=run,
    )
    if run is None and decisions:
        # The run row is written when the job finishes, after the decision.
        for decision in decisions:
            decision.run = done
            decision.save(update_fields=["run"])
    return done

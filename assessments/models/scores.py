"""Monthly scores, quarterly rankings, prizes and the exit ladder.

The rows here are written by the scoring jobs in set-based SQL
(`assessments.scoring_sql`, run by `assessments.services.scoring`); the
rules are in `assessments/SCORING.md`.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.periods import Month, Quarter
from compounds.models import Compound, PropertyCompany
from org.models import OrgUnit
from org.place import PlacedInTree
from org.scope import ScopedQuerySet

from .scheme import AssessmentScheme, PrizeTier

__all__ = [
    "ExitCase",
    "ExitCaseDocument",
    "ExitLadderStep",
    "MonthlyCompanyScore",
    "MonthlyCompoundScore",
    "QuarterlyBonus",
    "QuarterlyRanking",
    "Reward",
    "ScoringRun",
]


class StreetRowQuerySet(ScopedQuerySet):
    """Rows carrying a street; company staff see their company's rows."""

    scope_unit = "street"
    scope_company = "company"


class MonthlyCompoundScoreQuerySet(ScopedQuerySet):
    scope_through = ""
    scope_compound = "compound"

    def for_month(self, month: Month):
        return self.filter(month=month.start)


class MonthlyCompoundScore(PlacedInTree):
    # Written by the scoring SQL with the inspections' place on the day.
    follows_tree_moves = False

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="monthly_scores",
    )
    month = models.DateField(_("month"))
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("serving company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compound_month_scores",
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    inspections = models.PositiveIntegerField(_("inspections"), default=0)
    vetoes = models.PositiveIntegerField(_("vetoes"), default=0)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    poll_positive = models.PositiveIntegerField(
        _("satisfied or basically satisfied households polled"), default=0
    )
    poll_total = models.PositiveIntegerField(_("households polled"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = MonthlyCompoundScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly compound score")
        verbose_name_plural = _("monthly compound scores")
        ordering = ["-month", "compound__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "month"], name="monthly_compound_score_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="monthly_compound_score_first_day"
            ),
        ]
        indexes = [
            models.Index(fields=["street", "month"], name="mcs_street_month"),
            models.Index(fields=["company", "month"], name="mcs_company_month"),
        ]

    def __str__(self) -> str:
        return f"{self.compound} · {self.month:%Y-%m} · {self.score}"


class MonthlyCompanyScore(models.Model):
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="monthly_scores",
    )
    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    compounds = models.PositiveIntegerField(_("compounds scored"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    inspections = models.PositiveIntegerField(_("inspections"), default=0)
    vetoes = models.PositiveIntegerField(_("vetoes"), default=0)
    poll_positive = models.PositiveIntegerField(
        _("satisfied or basically satisfied households polled"), default=0
    )
    poll_total = models.PositiveIntegerField(_("households polled"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = StreetRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly company score")
        verbose_name_plural = _("monthly company scores")
        ordering = ["-month", "street", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "street", "month"],
                name="monthly_company_score_unique",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="monthly_company_score_first_day"
            ),
        ]
        indexes = [models.Index(fields=["street", "month"], name="mcos_street_month")]

    def __str__(self) -> str:
        return f"{self.company} · {self.month:%Y-%m} · {self.score}"


class ScoringRunQuerySet(ScopedQuerySet):
    scope_unit = "street"

    def scope_q(self, scope):
        # City-wide runs (no street) are shown to every staff member.
        return super().scope_q(scope) | Q(street__isnull=True)


class ScoringRun(models.Model):
    class Kind(models.TextChoices):
        MONTH = "month", _("monthly scoring")
        QUARTER = "quarter", _("quarterly ranking")

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        OK = "ok", _("finished")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=8)
    street = models.ForeignKey(
        OrgUnit,
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank when the run covered every street."),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.RUNNING
    )
    error = models.TextField(_("error"), blank=True)
    note = models.TextField(_("note"), blank=True)
    parts = models.PositiveIntegerField(
        _("street tasks"), default=0, help_text=_("Tasks the run fanned out to.")
    )

    objects = ScoringRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "period"], name="scoring_run_period")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} · {self.get_outcome_display()}"

    @classmethod
    def record(
        cls,
        *,
        kind: str,
        period: str,
        work: Callable[[], int],
        street_id: int | None = None,
        note: str = "",
    ) -> "ScoringRun":
        """Run `work()` (returning rows written) and record it as a run.

        The run row is written once, finished, in the job's own transaction,
        so a finished job costs one insert and one commit. When the job
        fails, its transaction is rolled back, a failed run with the error
        is recorded and the error is raised again.
        """
        started = timezone.now()

        def new_run() -> ScoringRun:
            return cls(
                kind=kind, period=period, street_id=street_id, started_at=started
            )

        try:
            with transaction.atomic():
                return new_run().finish(work(), note=note)
        except Exception as exc:
            new_run().fail(exc)
            raise

    def finish(self, rows: int, *, note: str = "") -> "ScoringRun":
        """Close the run as finished with the rows it wrote."""
        fields = {"rows_written": rows}
        if note:
            fields["note"] = note
        self._close(self.Outcome.OK, fields)
        return self

    def fail(self, error: BaseException) -> None:
        """Close the run as failed with the error."""
        # Only the first failure is kept; a chord may report several.
        if self.outcome == self.Outcome.FAILED:
            return
        self._close(
            self.Outcome.FAILED,
            {"error": f"{error.__class__.__name__}: {error}"[:4000]},
        )

    def _close(self, outcome: str, fields: dict) -> None:
        self.finished_at = timezone.now()
        self.duration_ms = int(
            (self.finished_at - self.started_at).total_seconds() * 1000
        )
        self.outcome = outcome
        for name, value in fields.items():
            setattr(self, name, value)
        if self._state.adding:
            self.save()
        else:
            self.save(update_fields=["finished_at", "duration_ms", "outcome", *fields])


class QuarterlyRanking(models.Model):
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="quarterly_rankings",
    )
    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.CharField(_("quarter"), max_length=6)
    quarter_start = models.DateField(_("quarter starts"))
    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("scheme version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    months = models.PositiveIntegerField(_("months scored"), default=0)
    inspections = models.PositiveIntegerField(_("inspections"), default=0)
    vetoes = models.PositiveIntegerField(_("vetoes"), default=0)
    compounds = models.PositiveIntegerField(_("compounds served"), default=0)
    inspection_average = models.DecimalField(
        _("inspection average"), max_digits=6, decimal_places=2
    )
    satisfaction = models.DecimalField(
        _("satisfaction"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    bonus = models.DecimalField(_("bonus"), max_digits=5, decimal_places=2, default=0)
    score = models.DecimalField(_("quarter score"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    ranked_count = models.PositiveIntegerField(_("companies ranked"), default=0)
    not_ranked_reason = models.CharField(
        _("why not ranked"), max_length=200, blank=True
    )
    is_bottom = models.BooleanField(_("in the bottom group"), default=False)
    consecutive_bottom = models.PositiveIntegerField(
        _("quarters in a row in the bottom group"), default=0
    )
    bottom_run_start = models.DateField(_("bottom run began"), null=True, blank=True)
    prize = models.ForeignKey(
        PrizeTier,
        verbose_name=_("prize"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = StreetRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly ranking")
        verbose_name_plural = _("quarterly rankings")
        ordering = ["-quarter_start", "street", "rank", "company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "street", "quarter"],
                name="quarterly_ranking_unique",
            )
        ]
        indexes = [
            models.Index(fields=["street", "quarter_start"], name="qr_street_quarter")
        ]

    def __str__(self) -> str:
        rank = self.rank if self.rank is not None else "—"
        return f"{self.quarter} · {self.company} · {rank}"

    @property
    def not_ranked_message(self) -> str:
        if self.not_ranked_reason == "too_few_inspections":
            minimum = self.scheme.min_inspections_per_quarter if self.scheme_id else 0
            return _(
                "Not ranked: %(n)s inspections in the quarter, at least %(min)s needed."
            ) % {"n": self.inspections, "min": minimum}
        return self.not_ranked_reason

    @property
    def ladder_kind(self) -> str:
        step = getattr(self, "ladder_step", None)
        return step.kind if step else ""


class QuarterlyBonus(models.Model):
    """加分: commendations that add to a quarter score, capped per scheme."""

    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="quarterly_bonuses",
    )
    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.CharField(_("quarter"), max_length=6)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    objects = StreetRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly bonus")
        verbose_name_plural = _("quarterly bonuses")
        ordering = ["-quarter", "company__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gt=0), name="quarterly_bonus_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} · {self.company} · +{self.points}"

    def clean(self) -> None:
        if self.quarter:
            self.quarter = str(Quarter.parse(self.quarter))


class RewardQuerySet(ScopedQuerySet):
    scope_unit = "ranking__street"
    scope_company = "ranking__company"

    def unpaid(self):
        return self.filter(paid_on__isnull=True)


class Reward(models.Model):
    """The reward ledger: one prize payment per prize-winning ranking."""

    ranking = models.OneToOneField(
        QuarterlyRanking,
        verbose_name=_("ranking"),
        on_delete=models.CASCADE,
        related_name="reward",
    )
    title = models.CharField(_("prize"), max_length=50)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    payment_reference = models.CharField(
        _("payment reference"), max_length=64, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("reward ledger")
        ordering = ["-ranking__quarter_start", "ranking__street", "ranking__rank"]

    def __str__(self) -> str:
        return f"{self.ranking.quarter} · {self.ranking.company} · {self.title}"

    @property
    def status(self) -> str:
        if self.paid_on:
            return _("paid")
        if self.approved_at:
            return _("approved")
        return _("awaiting approval")

    def clean(self) -> None:
        if self.paid_on and not self.approved_at:
            raise ValidationError(_("A reward is approved before it is paid."))
        if self.paid_on and not self.payment_reference:
            raise ValidationError(
                {"payment_reference": _("Give the payment reference.")}
            )


class ExitLadderStep(models.Model):
    """A rung of the exit ladder reached by a bottom-group ranking."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("warning")
        INTERVIEW = "interview", _("interview and rectification notice")
        EXIT = "exit", _("exit case")

    ranking = models.OneToOneField(
        QuarterlyRanking,
        verbose_name=_("ranking"),
        on_delete=models.CASCADE,
        related_name="ladder_step",
    )
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="ladder_steps",
    )
    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.CharField(_("quarter"), max_length=6)
    kind = models.CharField(_("step"), max_length=12, choices=Kind.choices)
    consecutive = models.PositiveIntegerField(_("quarters in a row"))
    interview_on = models.DateField(_("interview held on"), null=True, blank=True)
    rectification_deadline = models.DateField(_("rectify by"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("reached at"), default=timezone.now)

    objects = StreetRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("exit ladder step")
        verbose_name_plural = _("exit ladder steps")
        ordering = ["-quarter", "company__name"]

    def __str__(self) -> str:
        return f"{self.quarter} · {self.company} · {self.get_kind_display()}"


class ExitCase(models.Model):
    """退出: opened once per run of K bottom quarters in a row."""

    class Status(models.TextChoices):
        OPENED = "opened", _("opened")
        OWNERS_CONSULTED = "owners_consulted", _("owners consulted")
        HANDOVER = "handover", _("handover")
        CLOSED = "closed", _("closed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # The allowed moves; withdrawal is possible until the case is closed.
    TRANSITIONS = {
        Status.OPENED: (Status.OWNERS_CONSULTED, Status.WITHDRAWN),
        Status.OWNERS_CONSULTED: (Status.HANDOVER, Status.WITHDRAWN),
        Status.HANDOVER: (Status.CLOSED, Status.WITHDRAWN),
        Status.CLOSED: (),
        Status.WITHDRAWN: (),
    }

    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="exit_cases",
    )
    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    run_start = models.DateField(
        _("bottom run began"),
        help_text=_("First day of the first quarter of the run of bottom quarters."),
    )
    opened_quarter = models.CharField(_("opened in quarter"), max_length=6)
    ranking = models.ForeignKey(
        QuarterlyRanking,
        verbose_name=_("ranking that opened it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPENED
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    objects = StreetRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("exit case")
        verbose_name_plural = _("exit cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "street", "run_start"],
                name="exit_case_once_per_run",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.opened_quarter} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.WITHDRAWN)

    def move_to(self, status: str, *, note: str = "") -> None:
        """Advance the case one step; refuse a move the ladder does not allow."""
        if status not in self.TRANSITIONS[self.Status(self.status)]:
            raise ValidationError(
                _("An exit case cannot go from %(old)s to %(new)s.")
                % {
                    "old": self.get_status_display(),
                    "new": self.Status(status).label,
                }
            )
        self.status = status
        self.status_changed_at = timezone.now()
        if note:
            self.note = f"{self.note}\n{note}".strip()
        self.save(update_fields=["status", "status_changed_at", "note"])


def exit_document_path(instance: "ExitCaseDocument", filename: str) -> str:
    return f"exit-cases/{instance.case_id}/{filename}"


class ExitCaseDocument(models.Model):
    case = models.ForeignKey(
        ExitCase,
        verbose_name=_("exit case"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=exit_document_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("exit case document")
        verbose_name_plural = _("exit case documents")
        ordering = ["case", "uploaded_at"]

    def __str__(self) -> str:
        return self.title

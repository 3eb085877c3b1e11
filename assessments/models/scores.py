"""Monthly scores, quarterly rankings, prizes and the exit ladder.

The rows here are written by the scoring jobs in set-based SQL
(`assessments.scoring_sql`, run by `assessments.services.scoring`); the
rules are in `assessments/SCORING.md`.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.periods import Month, Quarter
from common.uploads import PolicyFileField, RandomUploadPath
from compounds.models import Compound, PropertyCompany, ServiceContract, active_on_q
from org.models import OrgUnit
from org.place import PlacedInTree
from org.scope import ScopedQuerySet

from .scheme import AssessmentScheme, PrizeTier

__all__ = [
    "ExitCase",
    "ExitCaseDocument",
    "ExitEvent",
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
        QUEUED = "queued", _("queued")
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
    parts_done = models.PositiveIntegerField(_("street tasks done"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank when the schedule or a command started it."),
    )

    objects = ScoringRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "period"], name="scoring_run_period")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} · {self.get_outcome_display()}"

    @property
    def is_pending(self) -> bool:
        return self.outcome in (self.Outcome.QUEUED, self.Outcome.RUNNING)

    @classmethod
    def record(
        cls,
        *,
        kind: str,
        period: str,
        work: Callable[[], int],
        street_id: int | None = None,
        note: str = "",
        run: "ScoringRun | None" = None,
    ) -> "ScoringRun":
        """Run `work()` (returning rows written) and record it as a run.

        The run row is written once, finished, in the job's own transaction,
        so a finished job costs one insert and one commit. When the job
        fails, its transaction is rolled back, a failed run with the error
        is recorded and the error is raised again. A run queued from the
        run page (`run`) is marked running first and then closed.
        """
        if run is not None:
            run.mark_running()
        started = timezone.now()

        def new_run() -> ScoringRun:
            if run is not None:
                return run
            return cls(
                kind=kind, period=period, street_id=street_id, started_at=started
            )

        try:
            with transaction.atomic():
                return new_run().finish(work(), note=note)
        except Exception as exc:
            new_run().fail(exc)
            raise

    def mark_running(self, *, parts: int | None = None) -> None:
        """A queued run has been taken up by a worker."""
        self.outcome = self.Outcome.RUNNING
        self.started_at = timezone.now()
        fields = ["outcome", "started_at"]
        if parts is not None:
            self.parts = parts
            fields.append("parts")
        self.save(update_fields=fields)

    def part_done(self) -> None:
        """One street task of the run has finished (counted in SQL)."""
        ScoringRun.objects.filter(pk=self.pk).update(
            parts_done=models.F("parts_done") + 1
        )

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
    # The resident terms (SCORING.md, "Quarter"): each figure with the counts
    # it comes from, so the ranking page can show why; a figure is empty
    # when the quarter had fewer answers than the scheme's minimum.
    satisfaction_positive = models.PositiveIntegerField(
        _("satisfied answers"), default=0
    )
    satisfaction_answers = models.PositiveIntegerField(
        _("satisfaction answers"), default=0
    )
    concerns_answered = models.PositiveIntegerField(_("concerns answered"), default=0)
    concerns_due = models.PositiveIntegerField(_("concerns due"), default=0)
    concerns_on_time = models.PositiveIntegerField(
        _("concerns answered on time"), default=0
    )
    concerns_reopened = models.PositiveIntegerField(_("concerns reopened"), default=0)
    concern_timeliness = models.DecimalField(
        _("concern timeliness"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    reopen_rate = models.DecimalField(
        _("reopen rate"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    visit_days_due = models.PositiveIntegerField(_("visit days due"), default=0)
    visit_days_done = models.PositiveIntegerField(_("visit days held"), default=0)
    visit_day_completion = models.DecimalField(
        _("visit-day completion"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
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
        if self.street_id and self.street.kind != OrgUnit.Kind.STREET:
            raise ValidationError(
                {"street": _("A bonus is entered for a street office.")}
            )
        if self.quarter and self.points and self.company_id and self.street_id:
            self.refuse_over_cap()

    def refuse_over_cap(self) -> None:
        """The bonuses of one quarter add up to the scheme's cap at most."""
        quarter = Quarter.parse(self.quarter)
        scheme = AssessmentScheme.objects.in_force(quarter.last_day)
        if scheme is None:
            return
        others = (
            (
                QuarterlyBonus.objects.filter(
                    company_id=self.company_id,
                    street_id=self.street_id,
                    quarter=self.quarter,
                )
                .exclude(pk=self.pk)
                .aggregate(total=models.Sum("points"))["total"]
            )
            or 0
        )
        if others + self.points > scheme.quarterly_bonus_cap:
            raise ValidationError(
                {
                    "points": _(
                        "The bonus points of %(quarter)s may add up to "
                        "%(cap)s at most (the scheme's cap); %(others)s are "
                        "already entered for this company."
                    )
                    % {
                        "quarter": self.quarter,
                        "cap": scheme.quarterly_bonus_cap,
                        "others": others,
                    }
                },
                code="bonus_cap",
            )


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
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_recorded_at = models.DateTimeField(
        _("payment recorded at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("reward ledger")
        ordering = ["-ranking__quarter_start", "ranking__street", "ranking__rank"]

    def __str__(self) -> str:
        return f"{self.ranking.quarter} · {self.ranking.company} · {self.title}"

    def save(self, *args, **kwargs) -> None:
        # Every path (admin, pages, shell) keeps a paid reward as it was paid.
        self.refuse_if_paid()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_paid()
        return super().delete(*args, **kwargs)

    @property
    def status(self) -> str:
        if self.paid_on:
            return _("paid")
        if self.approved_at:
            return _("approved")
        return _("awaiting approval")

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    def clean(self) -> None:
        if self.paid_on and not self.approved_at:
            raise ValidationError(_("A reward is approved before it is paid."))
        if self.paid_on and not self.payment_reference.strip():
            raise ValidationError(
                {"payment_reference": _("Give the payment reference.")}
            )
        if self.paid_on and self.paid_on > timezone.localdate():
            raise ValidationError(
                {"paid_on": _("A payment date cannot lie in the future.")}
            )
        if (
            self.paid_on
            and self.approved_at
            and self.paid_on < timezone.localdate(self.approved_at)
        ):
            raise ValidationError(
                {"paid_on": _("A reward cannot be paid before it was approved.")}
            )

    def refuse_if_paid(self) -> None:
        # Read from the database: the row in memory may already be changed.
        if (
            self.pk
            and Reward.objects.filter(pk=self.pk, paid_on__isnull=False).exists()
        ):
            raise ValidationError(
                _("A paid reward is a record of a payment and cannot be changed."),
                code="reward_paid",
            )

    def approve(self, *, by) -> None:
        """审批: record who approved the prize, and when."""
        if self.approved_at:
            raise ValidationError(
                _("This reward was already approved on %(date)s.")
                % {"date": timezone.localdate(self.approved_at)},
                code="already_approved",
            )
        self.approved_by = by
        self.approved_at = timezone.now()
        self.save(update_fields=["approved_by", "approved_at"])

    def pay(self, *, by, reference: str, paid_on) -> None:
        """支付: record the payment; the reward is then closed for good."""
        self.refuse_if_paid()
        self.payment_reference = reference.strip()
        self.paid_on = paid_on
        if not self.paid_on:
            raise ValidationError({"paid_on": _("Give the date of the payment.")})
        self.clean()
        self.paid_recorded_by = by
        self.paid_recorded_at = timezone.now()
        self.save(
            update_fields=[
                "payment_reference",
                "paid_on",
                "paid_recorded_by",
                "paid_recorded_at",
            ]
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
        REFUSED = "refused", _("company refuses to leave")
        CLOSED = "closed", _("closed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # The allowed moves; withdrawal is possible until the exit is decided
    # (the move to handover ends the company's contracts). A company that
    # refuses or fails to hand over is recorded so (拒不退出) and the case
    # stays open until the handover is completed after all.
    TRANSITIONS = {
        Status.OPENED: (Status.OWNERS_CONSULTED, Status.WITHDRAWN),
        Status.OWNERS_CONSULTED: (Status.HANDOVER, Status.WITHDRAWN),
        Status.HANDOVER: (Status.CLOSED, Status.REFUSED),
        Status.REFUSED: (Status.CLOSED,),
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
    handover_on = models.DateField(
        _("handover date"),
        null=True,
        blank=True,
        help_text=_("The last day the company serves; set by the exit decision."),
    )
    ended_contracts = models.ManyToManyField(
        ServiceContract,
        verbose_name=_("contracts ended by the exit"),
        blank=True,
        related_name="+",
    )

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

    @property
    def next_statuses(self) -> tuple:
        return self.TRANSITIONS[self.Status(self.status)]

    def move_to(self, status: str) -> None:
        """Advance the case one step; refuse a move the ladder does not allow.

        What was done, when and by whom is an `ExitEvent` (written by
        `assessments.services.cycle`); the case keeps only its status.
        """
        if status not in self.next_statuses:
            raise ValidationError(
                _("An exit case cannot go from %(old)s to %(new)s.")
                % {
                    "old": self.get_status_display(),
                    "new": self.Status(status).label,
                }
            )
        self.status = status
        self.status_changed_at = timezone.now()
        self.save(update_fields=["status", "status_changed_at"])

    def compounds_needing_company(self):
        """Compounds the exit left without a company the day after handover."""
        if self.handover_on is None:
            return Compound.objects.none()
        after = self.handover_on + timedelta(days=1)
        return (
            Compound.objects.filter(service_contracts__in=self.ended_contracts.all())
            .exclude(
                Exists(
                    ServiceContract.objects.filter(compound=OuterRef("pk")).filter(
                        active_on_q(after)
                    )
                )
            )
            .distinct()
            .order_by("name")
        )


# Named by the first migrations; the policy field stores under random names.
exit_document_path = RandomUploadPath("exit-cases")


class ExitCaseDocument(models.Model):
    case = models.ForeignKey(
        ExitCase,
        verbose_name=_("exit case"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200)
    file = PolicyFileField(
        _("file"),
        policy="exit_document",
        help_text=_("A PDF or an image (JPEG, PNG or WebP)."),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("exit case document")
        verbose_name_plural = _("exit case documents")
        ordering = ["case", "uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ExitEventQuerySet(StreetRowQuerySet):
    def of_step(self, step: "ExitLadderStep"):
        return self.filter(
            company_id=step.company_id, street_id=step.street_id, quarter=step.quarter
        )


class ExitEvent(models.Model):
    """One step of the exit ladder as it was taken: never changed afterwards.

    A warning delivered or an interview held names the company, street and
    quarter of the ladder step the ranking reached; the moves of an exit
    case (owners consulted, the exit decision with its handover date,
    closing, withdrawal) hang off the case.
    """

    class Kind(models.TextChoices):
        WARNING = "warning", _("warning delivered")
        INTERVIEW = "interview", _("interview held, rectification ordered")
        OWNERS_CONSULTED = "owners_consulted", _("owners consulted")
        DECISION = "decision", _("exit decided")
        REFUSED = "refused", _("company refused or failed to hand over")
        CLOSED = "closed", _("handover completed, case closed")
        WITHDRAWN = "withdrawn", _("case withdrawn")
        NOTE = "note", _("note")

    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="exit_events",
    )
    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    # The quarter of the ladder step acted on. Steps are rewritten when a
    # quarter is ranked again, so the record names its quarter rather than
    # pointing at the step row: the history outlives a re-ranking.
    quarter = models.CharField(_("quarter"), max_length=6, blank=True)
    case = models.ForeignKey(
        ExitCase,
        verbose_name=_("exit case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    handover_on = models.DateField(_("handover date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ExitEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("exit procedure record")
        verbose_name_plural = _("exit procedure records")
        ordering = ["on", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quarter="") | Q(case__isnull=False),
                name="exit_event_has_a_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.on} · {self.company} · {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        # History: a record is added, never rewritten.
        if not self._state.adding:
            raise ValidationError(
                _("An exit procedure record cannot be changed; add a new one."),
                code="exit_event_frozen",
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            _("An exit procedure record cannot be deleted."),
            code="exit_event_frozen",
        )

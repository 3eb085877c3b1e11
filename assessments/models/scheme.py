"""The assessment scheme (《物业管理工作考核办法》), versioned.

A version that scored any inspection or ranked a quarter is frozen: a
change is a new version valid from a date (`AssessmentScheme.new_version`),
so every past score can be recomputed under the rules it was given. A new
version may not start inside a month already scored or a quarter already
ranked (`refuse_backdating`), so it never rewrites a published result.
"""

from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.periods import Month, Quarter

__all__ = [
    "AssessmentScheme",
    "PrizeTier",
    "SchemeCategory",
    "SchemeItem",
    "VetoRule",
    "SchemeInUseError",
    "PollRole",
    "ShortSampleRule",
    "QUARTER_TERMS",
]


class SchemeInUseError(ValidationError):
    """Raised when a scheme version that scored inspections would change."""


def _in_use_error() -> SchemeInUseError:
    return SchemeInUseError(
        _(
            "This scheme version has already been used to score inspections "
            "and cannot be changed; create a new version instead."
        ),
        code="scheme_in_use",
    )


# The weights of the quarterly formula (SCORING.md); they add up to 1.
WEIGHT_FIELDS = (
    "weight_inspection",
    "weight_satisfaction",
    "weight_concern_timeliness",
    "weight_reopen_rate",
    "weight_visit_day",
)


# The optional terms of the quarterly formula, each with its weight, its
# minimum sample and its rule for a quarter below that sample (SCORING.md,
# "Quarter"). The inspection average is always there.
QUARTER_TERMS = ("satisfaction", "concern_timeliness", "reopen_rate", "visit_day")


class PollRole(models.TextChoices):
    """Where the on-site poll counts: once, as an item or in the term."""

    ITEM = "item", _("as the poll item of each inspection")
    TERM = "term", _("in the resident-satisfaction term")
    # Versions before the choice existed counted the poll twice; they keep
    # it so that their published quarters can be recomputed as they were.
    ITEM_AND_TERM = "item_and_term", _("as item and in the term (former rule)")


class ShortSampleRule(models.TextChoices):
    """What a term is worth when the quarter has too few figures for it."""

    NEUTRAL = "neutral", _("the inspection average stands in (neutral)")
    FULL = "full", _("full marks")
    DROP = "drop", _("the term is dropped and the weights renormalised")


def _min_sample_field(label):
    return models.PositiveIntegerField(label, default=1)


def _short_sample_field(label):
    return models.CharField(
        label,
        max_length=8,
        choices=ShortSampleRule.choices,
        default=ShortSampleRule.NEUTRAL,
    )


def _model(name: str):
    # The score models build on the scheme; reaching them by name keeps
    # the scheme module free of an import back.
    return apps.get_model("assessments", name)


def last_scored_day() -> date | None:
    """The last day of the latest month scored or quarter ranked, if any.

    A version valid from this day or earlier would govern a period whose
    published scores were computed under another version.
    """
    days = []
    month = _model("MonthlyCompoundScore").objects.aggregate(m=models.Max("month"))["m"]
    if month:
        days.append(Month.of(month).last_day)
    quarter = _model("QuarterlyRanking").objects.aggregate(
        q=models.Max("quarter_start")
    )["q"]
    if quarter:
        days.append(Quarter.of(quarter).last_day)
    return max(days) if days else None


def refuse_backdating(valid_from: date) -> None:
    """Refuse a start date inside a period already scored or ranked."""
    last = last_scored_day()
    if last is not None and valid_from <= last:
        raise ValidationError(
            {
                "valid_from": _(
                    "A version cannot start on %(date)s: scores and rankings "
                    "up to %(last)s are already published under the versions "
                    "in force then. Choose a date after %(last)s."
                )
                % {"date": valid_from, "last": last}
            },
            code="backdated",
        )


class AssessmentSchemeQuerySet(models.QuerySet):
    def in_force(self, on_date: date) -> "AssessmentScheme | None":
        """The version in force on `on_date`: the latest valid_from <= date."""
        return (
            self.filter(valid_from__lte=on_date)
            .order_by("-valid_from", "-version", "-pk")
            .first()
        )

    def in_use(self):
        """The versions that scored an inspection (and so are frozen)."""
        return self.filter(inspections__isnull=False).distinct()


class AssessmentScheme(models.Model):
    name = models.CharField(pgettext_lazy("assessment", "name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    valid_from = models.DateField(_("valid from"))
    description = models.TextField(
        pgettext_lazy("assessment", "description"), blank=True
    )
    weight_inspection = models.DecimalField(
        _("weight of the inspection average"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.70"),
    )
    weight_satisfaction = models.DecimalField(
        _("weight of resident satisfaction"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
    )
    weight_concern_timeliness = models.DecimalField(
        _("weight of concern timeliness"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
    )
    weight_reopen_rate = models.DecimalField(
        _("weight of the reopen rate"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
    )
    weight_visit_day = models.DecimalField(
        _("weight of visit-day completion"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
    )
    poll_role = models.CharField(
        _("the on-site poll counts"),
        max_length=16,
        choices=PollRole.choices,
        default=PollRole.ITEM,
    )
    satisfaction_min_answers = _min_sample_field(
        _("minimum answers for the satisfaction term")
    )
    satisfaction_short_rule = _short_sample_field(
        _("satisfaction term below its minimum")
    )
    concern_timeliness_min_answers = _min_sample_field(
        _("minimum concerns due for the timeliness term")
    )
    concern_timeliness_short_rule = _short_sample_field(
        _("timeliness term below its minimum")
    )
    reopen_rate_min_answers = _min_sample_field(
        _("minimum answered concerns for the reopen term")
    )
    reopen_rate_short_rule = _short_sample_field(_("reopen term below its minimum"))
    visit_day_min_answers = _min_sample_field(
        _("minimum visit days due for the visit-day term")
    )
    visit_day_short_rule = _short_sample_field(_("visit-day term below its minimum"))
    quarterly_bonus_cap = models.DecimalField(
        _("quarterly bonus cap (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
    )
    veto_score = models.DecimalField(
        _("score when a veto applies"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
    )
    min_inspections_per_quarter = models.PositiveIntegerField(
        _("minimum inspections per quarter to be ranked"), default=2
    )
    satisfaction_min_sample = models.PositiveIntegerField(
        _("minimum households in a satisfaction poll"), default=10
    )
    bottom_n = models.PositiveIntegerField(_("bottom N"), default=3)
    consecutive_k = models.PositiveIntegerField(
        _("consecutive quarters in the bottom before exit"), default=3
    )
    allow_consecutive_draws = models.BooleanField(
        _("a compound may be drawn in consecutive months"), default=False
    )
    # The sealed draw's second visits (assessments/draw.py, docs/assessments.md).
    second_visit_percent = models.PositiveSmallIntegerField(
        _("chance of a second visit in a month (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Each month, every compound already drawn or inspected earlier in "
            "the quarter is drawn again with this chance, so a visited company "
            "never knows it is safe for the rest of the quarter."
        ),
    )
    rectification_days = models.PositiveIntegerField(
        _("default days to rectify"), default=15
    )

    objects = AssessmentSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"],
                name="scheme_name_version_unique",
                violation_error_message=_("This version of the scheme exists."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="scheme_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return _("%(name)s (version %(version)s, from %(date)s)") % {
            "name": self.name,
            "version": self.version,
            "date": self.valid_from,
        }

    def save(self, *args, **kwargs) -> None:
        # No path (admin, shell, API) may change the rules past scores used.
        self.refuse_if_in_use()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_in_use()
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.refuse_if_in_use()
        weights = sum(
            (getattr(self, name) or Decimal("0") for name in WEIGHT_FIELDS),
            start=Decimal("0"),
        )
        if weights != Decimal("1"):
            raise ValidationError(
                _(
                    "The weights of the quarterly formula add up to %(sum)s; "
                    "they must add up to 1.00."
                )
                % {"sum": f"{weights:.2f}"},
                code="weights_sum",
            )
        stored = (
            AssessmentScheme.objects.filter(pk=self.pk)
            .values_list("valid_from", flat=True)
            .first()
        )
        if self.valid_from and self.valid_from != stored:
            refuse_backdating(self.valid_from)

    @property
    def poll_as_item(self) -> bool:
        """The poll item scores inside each inspection (SCORING.md)."""
        return self.poll_role != PollRole.TERM

    def quarter_term_rules(self) -> dict[str, tuple[Decimal, int, str]]:
        """Per optional term: (weight, minimum sample, rule below it)."""
        return {
            term: (
                getattr(self, f"weight_{term}"),
                getattr(self, f"{term}_min_answers"),
                getattr(self, f"{term}_short_rule"),
            )
            for term in QUARTER_TERMS
        }

    @property
    def is_in_use(self) -> bool:
        """Frozen: the version scored an inspection or ranked a quarter."""
        if not self.pk:
            return False
        return (
            self.inspections.exists()
            or _model("QuarterlyRanking").objects.filter(scheme=self).exists()
        )

    def refuse_if_in_use(self) -> None:
        if self.is_in_use:
            raise _in_use_error()

    @property
    def total_points(self) -> Decimal:
        return sum((c.max_points for c in self.categories.all()), start=Decimal("0"))

    def items(self):
        return SchemeItem.objects.filter(category__scheme=self).order_by(
            "category__order", "category__code", "order", "code"
        )

    @transaction.atomic
    def new_version(self, valid_from: date) -> "AssessmentScheme":
        """Clone this version with its categories, items, vetoes and prizes."""
        latest = (
            AssessmentScheme.objects.filter(name=self.name).order_by("-version").first()
        )
        refuse_backdating(valid_from)
        if latest and valid_from <= latest.valid_from:
            raise ValidationError(
                {
                    "valid_from": _(
                        "A new version must start after %(date)s, when the "
                        "latest version starts."
                    )
                    % {"date": latest.valid_from}
                }
            )
        source_pk = self.pk
        categories = list(self.categories.prefetch_related("items"))
        vetoes = list(self.vetoes.all())
        prizes = list(self.prizes.all())
        clone = AssessmentScheme.objects.get(pk=source_pk)
        clone.pk = None
        clone.version = (latest.version if latest else self.version) + 1
        clone.valid_from = valid_from
        super(AssessmentScheme, clone).save(force_insert=True)
        for category in categories:
            items = list(category.items.all())
            category.pk = None
            category.scheme = clone
            category.save(force_insert=True)
            for item in items:
                item.pk = None
                item.category = category
            SchemeItem.objects.bulk_create(items)
        for veto in vetoes:
            veto.pk = None
            veto.scheme = clone
        VetoRule.objects.bulk_create(vetoes)
        for prize in prizes:
            prize.pk = None
            prize.scheme = clone
        PrizeTier.objects.bulk_create(prizes)
        return clone


class FrozenWithSchemeMixin:
    """Parts of a scheme change only while the scheme is unused."""

    def scheme_of(self) -> AssessmentScheme | None:
        raise NotImplementedError

    def refuse_if_in_use(self) -> None:
        scheme = self.scheme_of()
        if scheme is not None and scheme.is_in_use:
            raise _in_use_error()

    def clean(self) -> None:
        super().clean()
        self.refuse_if_in_use()

    def save(self, *args, **kwargs) -> None:
        self.refuse_if_in_use()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_in_use()
        return super().delete(*args, **kwargs)


class SchemeCategory(FrozenWithSchemeMixin, models.Model):
    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    code = models.CharField(pgettext_lazy("assessment", "code"), max_length=8)
    name = models.CharField(pgettext_lazy("assessment", "name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2
    )
    order = models.PositiveIntegerField(pgettext_lazy("assessment", "order"), default=0)

    class Meta:
        verbose_name = _("scheme category")
        verbose_name_plural = _("scheme categories")
        ordering = ["scheme", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="scheme_category_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_points__gte=0), name="scheme_category_max_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def scheme_of(self):
        return self.scheme if self.scheme_id else None


class SchemeItem(FrozenWithSchemeMixin, models.Model):
    category = models.ForeignKey(
        SchemeCategory,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    code = models.CharField(pgettext_lazy("assessment", "code"), max_length=8)
    name = models.CharField(pgettext_lazy("assessment", "name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2
    )
    deduction = models.DecimalField(
        _("deduction per occurrence"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
    )
    rule = models.CharField(
        _("deduction rule"),
        max_length=200,
        blank=True,
        help_text=_("How occurrences are counted, as the inspectors read it."),
    )
    allows_na = models.BooleanField(_("may be not applicable"), default=False)
    is_satisfaction_poll = models.BooleanField(
        _("satisfaction poll"),
        default=False,
        help_text=_("Earns the maximum times the share of satisfied households."),
    )
    order = models.PositiveIntegerField(pgettext_lazy("assessment", "order"), default=0)

    class Meta:
        verbose_name = _("scheme item")
        verbose_name_plural = _("scheme items")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="scheme_item_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_points__gte=0) & Q(deduction__gte=0),
                name="scheme_item_points_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def scheme_of(self):
        return self.category.scheme if self.category_id else None


class VetoRule(FrozenWithSchemeMixin, models.Model):
    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="vetoes",
    )
    code = models.CharField(pgettext_lazy("assessment", "code"), max_length=16)
    name = models.CharField(pgettext_lazy("assessment", "name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("veto rule")
        verbose_name_plural = _("veto rules")
        ordering = ["scheme", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="veto_rule_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def scheme_of(self):
        return self.scheme if self.scheme_id else None


class PrizeTier(FrozenWithSchemeMixin, models.Model):
    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="prizes",
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    title = models.CharField(pgettext_lazy("prize", "title"), max_length=50)
    title_en = models.CharField(_("English title"), max_length=50, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("prize tier")
        verbose_name_plural = _("prize tiers")
        ordering = ["scheme", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "rank"], name="prize_tier_rank_unique"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(amount__gte=0),
                name="prize_tier_rank_amount_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.amount}"

    def scheme_of(self):
        return self.scheme if self.scheme_id else None

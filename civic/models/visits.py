"""Visit days (走访日): each property manager visits the households of the
compounds they serve on the second Saturday of each month and files a
report per compound; a need heard there can become a concern."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.periods import Month
from common.uploads import PolicyImageField
from org.scope import ScopedQuerySet

__all__ = [
    "VisitDayOverride",
    "VisitNeed",
    "VisitPhoto",
    "VisitReport",
]


class VisitDayOverrideQuerySet(ScopedQuerySet):
    # A street office sees the overrides of its street (and of the
    # compounds in it); a row without a street is older than streets had
    # their own and applies everywhere.
    scope_unit = "street"
    scope_ancestors = {"street": "street"}
    scope_compound = "compound"

    def for_month(self, month: date):
        return self.filter(month=Month.of(month).start)


class VisitDayOverride(models.Model):
    """A month whose visit day is not its second Saturday (e.g. a holiday),
    for a whole street or for one compound in it."""

    month = models.DateField(
        _("month"), help_text=_("Any day of the month; stored as the 1st.")
    )
    street = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"kind": "street"},
        help_text=_("The street whose visit day moves."),
    )
    compound = models.ForeignKey(
        "compounds.Compound",
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Blank: every compound of the street."),
    )
    date = models.DateField(_("visit day"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    objects = VisitDayOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit-day override")
        verbose_name_plural = _("visit-day overrides")
        ordering = ["-month", "street", "compound"]
        constraints = [
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(street__isnull=True, compound__isnull=True),
                name="visit_day_override_one_general_per_month",
                violation_error_message=_("This month already has its visit day."),
            ),
            models.UniqueConstraint(
                fields=["month", "street"],
                condition=Q(street__isnull=False, compound__isnull=True),
                name="visit_day_override_one_per_street_month",
                violation_error_message=_(
                    "This street already has a visit day for this month."
                ),
            ),
            models.UniqueConstraint(
                fields=["month", "compound"],
                condition=Q(compound__isnull=False),
                name="visit_day_override_one_per_compound_month",
                violation_error_message=_(
                    "This compound already has a visit day for this month."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.compound or self.street
        prefix = f"{where} · " if where else ""
        return f"{prefix}{self.month:%Y-%m} → {self.date}"

    def save(self, *args, **kwargs) -> None:
        self.month = Month.of(self.month).start
        if self.compound_id:
            self.street_id = self.compound.street_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.month:
            self.month = Month.of(self.month).start
        if self.month and self.date and not Month.of(self.month).contains(self.date):
            raise ValidationError(
                {"date": _("The visit day must fall in the month it replaces.")}
            )
        if self.compound_id:
            if self.street_id and self.street_id != self.compound.street_id:
                raise ValidationError(
                    {"compound": _("The compound is not in this street.")}
                )
            self.street_id = self.compound.street_id


class VisitReportQuerySet(ScopedQuerySet):
    scope_through = "compound"
    scope_compound = "compound"
    scope_company = "company"

    def in_month(self, month: date):
        period = Month.of(month)
        return self.filter(date__gte=period.start, date__lt=period.stop)


class VisitReport(models.Model):
    """One manager's visit-day report for one compound."""

    compound = models.ForeignKey(
        "compounds.Compound",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="visit_reports",
    )
    company = models.ForeignKey(
        "compounds.PropertyCompany",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="visit_reports",
        null=True,
        blank=True,
        help_text=_("The company serving the compound on the day."),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_reports",
    )
    date = models.DateField(_("date"))
    households_visited = models.PositiveIntegerField(_("households visited"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    objects = VisitReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit report")
        verbose_name_plural = _("visit reports")
        ordering = ["-date", "compound__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "date"],
                name="visit_report_one_per_compound_day",
                violation_error_message=_(
                    "A report for this compound on this day has already been filed."
                ),
            )
        ]
        indexes = [models.Index(fields=["date", "compound"])]

    def __str__(self) -> str:
        return f"{self.compound} · {self.date}"


class VisitChildQuerySet(ScopedQuerySet):
    """Photos and needs see what their visit report sees."""

    scope_through = "report__compound"
    scope_compound = "report__compound"
    scope_company = "report__company"


class VisitPhoto(models.Model):
    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = PolicyImageField(_("photo"), policy="visit_photo")

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.image.name


class VisitNeedQuerySet(VisitChildQuerySet):
    def pending(self):
        return self.filter(concern__isnull=True)


class VisitNeed(models.Model):
    """A need heard on a visit day; it may become a concern."""

    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="needs",
    )
    text = models.TextField(_("need heard"), max_length=2000)
    concern = models.OneToOneField(
        "consultations.Concern",
        verbose_name=_("concern"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_need",
    )

    objects = VisitNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need heard")
        verbose_name_plural = _("needs heard")
        ordering = ["report", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="visit_need_has_text")
        ]

    def __str__(self) -> str:
        return self.text[:40]

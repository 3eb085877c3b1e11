"""The published quarter: its notice (通报) with a document number, and the
recorded decisions to rank it again.

A street's quarter is *published* once its notice is issued
(`QuarterNotice`). From then on a ranking run that would change the
quarter's result is refused unless the street office took a re-rank
decision (`QuarterReRank`: who, when, why, the result before and after),
see `assessments.services.scoring.rank_quarter`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import OrgUnit
from org.scope import ScopedQuerySet

__all__ = ["NoticeSeries", "QuarterNotice", "QuarterReRank"]


class StreetOnlyQuerySet(ScopedQuerySet):
    """The street's own records: its staff see them, companies do not."""

    scope_unit = "street"


def default_notice_prefix(street: OrgUnit) -> str:
    """The prefix of a street's document numbers before anyone sets one."""
    return settings.RANKING_NOTICE_PREFIX.format(street=street.name)


class NoticeSeries(models.Model):
    """A street's series of document numbers (文号): the prefix it prints."""

    street = models.OneToOneField(
        OrgUnit,
        verbose_name=_("street"),
        on_delete=models.CASCADE,
        related_name="notice_series",
        limit_choices_to={"kind": OrgUnit.Kind.STREET},
    )
    prefix = models.CharField(
        _("document number prefix"),
        max_length=40,
        help_text=_(
            "Printed before the year and the number, e.g. 济阳街道物业 gives "
            "济阳街道物业〔2026〕3号."
        ),
    )

    objects = StreetOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice number series")
        verbose_name_plural = _("notice number series")
        ordering = ["street__name"]

    def __str__(self) -> str:
        return f"{self.street} · {self.prefix}"


class QuarterNotice(models.Model):
    """通报: a street's quarter published, with its document number."""

    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.CharField(_("quarter"), max_length=6)
    # The year of issue and its place in the street's series that year.
    year = models.PositiveIntegerField(_("year of issue"))
    sequence = models.PositiveIntegerField(_("number in the year"))
    number = models.CharField(_("document number"), max_length=80)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    objects = StreetOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly notice")
        verbose_name_plural = _("quarterly notices")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "quarter"],
                name="quarter_notice_once_per_quarter",
                violation_error_message=_("This quarter's notice has been issued."),
            ),
            models.UniqueConstraint(
                fields=["street", "year", "sequence"],
                name="quarter_notice_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.quarter}"


class QuarterReRank(models.Model):
    """The street office's decision to rank a published quarter again."""

    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.CharField(_("quarter"), max_length=6)
    notice = models.ForeignKey(
        QuarterNotice,
        verbose_name=_("notice"),
        on_delete=models.PROTECT,
        related_name="reranks",
    )
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    scheme = models.ForeignKey(
        "assessments.AssessmentScheme",
        verbose_name=_("scheme version applied"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Each: [{"company": name, "rank": n | null, "score": "88.50",
    # "prize": title, "ladder": kind}, ...] in ranking order.
    old_result = models.JSONField(_("result before"), default=list)
    new_result = models.JSONField(_("result after"), default=list)
    changed = models.BooleanField(_("the result changed"), default=True)
    run = models.ForeignKey(
        "assessments.ScoringRun",
        verbose_name=_("ranking run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StreetOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("re-ranking decision")
        verbose_name_plural = _("re-ranking decisions")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.quarter} · {self.street} · {self.decided_at:%Y-%m-%d}"

"""Public disclosures (公开) on a compound's board, each with an objection
window in which residents may object through the concern form."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.uploads import POLICIES, PolicyFileField, prepare_upload
from consultations.models import ConcernChildQuerySet
from org.scope import ScopedQuerySet

__all__ = ["Disclosure", "DisclosureObjection", "validate_disclosure_attachment"]


def validate_disclosure_attachment(upload) -> None:
    """The attachments' upload policy as a validator (the first migration
    names it; the field itself applies the policy now)."""
    prepare_upload(upload, policy=POLICIES["disclosure_attachment"])


class DisclosureQuerySet(ScopedQuerySet):
    scope_through = "compound"
    scope_compound = "compound"

    def published(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(published_on__isnull=False, published_on__lte=on)

    def open_for_objection(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.published(on).filter(objection_until__gte=on)


class Disclosure(models.Model):
    class Kind(models.TextChoices):
        SERVICE_STANDARD = "service_standard", _("service standards")
        FEES = "fees", _("fees")
        FINANCES = "finances", _("finances")
        PUBLIC_INCOME = "public_income", _("common-area income")
        MAINTENANCE_FUND = "maintenance_fund", _("maintenance fund")
        MEETING_DECISION = "meeting_decision", _("meeting decisions")
        PARTY_AFFAIRS = "party_affairs", _("party affairs")

    compound = models.ForeignKey(
        "compounds.Compound",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(pgettext_lazy("disclosure", "content"), max_length=20000)
    attachment = PolicyFileField(
        _("attachment"),
        policy="disclosure_attachment",
        blank=True,
        help_text=_("A PDF or an image (JPEG, PNG or WebP), at most 10 MB."),
    )
    meeting = models.ForeignKey(
        "civic.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disclosures",
        help_text=_("For meeting decisions: the meeting that took them."),
    )
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("Blank: a draft, not shown to the public."),
    )
    objection_until = models.DateField(
        _("objections until"),
        null=True,
        blank=True,
        help_text=_("Residents may object up to and including this day."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["compound", "-published_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(objection_until__isnull=True)
                | Q(
                    published_on__isnull=False,
                    objection_until__gte=models.F("published_on"),
                ),
                name="disclosure_objection_after_publication",
                violation_error_message=_(
                    "The objection window cannot end before publication."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("civic:disclosure", args=[self.pk])

    def clean(self) -> None:
        if self.objection_until and not self.published_on:
            raise ValidationError(
                {"published_on": _("Give the publication date of the window.")}
            )
        if (
            self.objection_until
            and self.published_on
            and self.objection_until < self.published_on
        ):
            raise ValidationError(
                {
                    "objection_until": _(
                        "The objection window cannot end before publication."
                    )
                }
            )

    def is_published(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.published_on is not None and self.published_on <= on

    def accepts_objections(self, on: date | None = None) -> bool:
        """Within the window a resident can object through the concern form."""
        on = on or timezone.localdate()
        return (
            self.is_published(on)
            and self.objection_until is not None
            and on <= self.objection_until
        )

    @property
    def objection_url(self) -> str:
        return reverse("civic:disclosure-object", args=[self.pk])

    @property
    def attachment_is_pdf(self) -> bool:
        return self.attachment.name.lower().endswith(".pdf")


class DisclosureObjection(models.Model):
    """A resident's objection to a disclosure: a concern about it."""

    disclosure = models.ForeignKey(
        Disclosure,
        verbose_name=_("disclosure"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    concern = models.OneToOneField(
        "consultations.Concern",
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        related_name="disclosure_objection",
    )

    objects = ConcernChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection to disclosure")
        verbose_name_plural = _("objections to disclosures")

    def __str__(self) -> str:
        return f"{self.disclosure} · {self.concern_id}"

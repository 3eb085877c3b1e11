"""Partner apps that submit concerns through Open311, and what they sent.

A partner (the 12345 hotline, a grid-governance app, a mini-program) holds
one API key. Only a hash of the key is stored: the key itself is shown once,
when staff issue it in the admin.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import ConcernChildQuerySet

__all__ = ["Open311Submission", "PartnerApp", "hash_api_key"]

KEY_PREFIX_LENGTH = 8


def hash_api_key(raw_key: str) -> str:
    # API keys are 160 random bits: a fast hash cannot be brute-forced, and
    # it lets the lookup use the unique index.
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    """40 random hex characters."""
    return secrets.token_hex(20)


class PartnerAppQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def by_key(self, raw_key: str) -> "PartnerApp | None":
        if not raw_key or len(raw_key) > 200:
            return None
        return self.active().filter(key_hash=hash_api_key(raw_key)).first()


class PartnerApp(models.Model):
    """A partner system allowed to post concerns through Open311."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    key_prefix = models.CharField(
        _("key begins with"), max_length=KEY_PREFIX_LENGTH, editable=False
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = PartnerAppQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner app (API key)")
        verbose_name_plural = _("partner apps (API keys)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_key(self, raw_key: str | None = None) -> str:
        """Give the partner a new key (random unless given); returns it."""
        raw_key = raw_key or new_api_key()
        self.key_prefix = raw_key[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_api_key(raw_key)
        return raw_key

    def touch(self) -> None:
        PartnerApp.objects.filter(pk=self.pk).update(last_used_at=timezone.now())


class Open311Submission(models.Model):
    """What a partner sent with a concern beyond the concern's own fields."""

    concern = models.OneToOneField(
        "consultations.Concern",
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        related_name="open311",
    )
    partner = models.ForeignKey(
        PartnerApp,
        verbose_name=_("partner app"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    media_url = models.URLField(_("media URL"), max_length=2000, blank=True)
    lat = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    long = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    address_string = models.CharField(_("address"), max_length=300, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    objects = ConcernChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.partner} · {self.concern_id}"

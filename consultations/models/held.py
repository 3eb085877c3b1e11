"""Photos held for a resident whose form came back with an error.

The public form posts its photos once. When anything else on the page
needs fixing, the photos already checked and re-encoded are kept here under
a random token the page carries in a hidden field, so the resident does not
pick them again. A hold lasts `HOLD_FOR`; then the rows and files go.
"""

import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.uploads import PolicyImageField, RandomUploadPath, signed_media_url

__all__ = ["HOLD_FOR", "HeldPhoto", "new_hold_token"]

HOLD_FOR = timedelta(hours=1)


def new_hold_token() -> str:
    return secrets.token_hex(16)


# Named by the first migrations; the policy field stores under random names.
held_photo_path = RandomUploadPath("held")


class HeldPhotoQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(created_at__gt=now - HOLD_FOR)

    def expired(self, now=None):
        now = now or timezone.now()
        return self.filter(created_at__lte=now - HOLD_FOR)

    def under(self, token: str):
        return self.filter(token=token).order_by("created_at", "id")


class HeldPhoto(models.Model):
    token = models.CharField(_("token"), max_length=32, db_index=True)
    image = PolicyImageField(_("image"), policy="held_photo")
    created_at = models.DateTimeField(_("held at"), default=timezone.now)

    objects = HeldPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("held photo")
        verbose_name_plural = _("held photos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="heldphoto_created")]

    def __str__(self) -> str:
        return self.image.name

    @property
    def signed_url(self) -> str:
        """A link for the form page that keeps it (no login; jiyang/media.py)."""
        return signed_media_url(self.image.name)

"""The staff's corrections to the official working-day calendar."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CalendarOverride"]


class CalendarOverride(models.Model):
    """A day the official calendar gets wrong or does not know yet."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("is a working day"),
        help_text=_(
            "Ticked: a working day (e.g. an adjusted Saturday). Unticked: a holiday."
        ),
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} · {kind}"

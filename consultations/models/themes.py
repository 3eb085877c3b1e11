"""Themes: what an issue is about across categories and meetings.

A category says who handles a concern; a theme says what the street reports
it under (外墙保温, 围挡/封闭, 停车, 环境卫生…). Staff tag concerns and
consultation meetings with themes, so "issues resolved by theme" can be
counted. Themes live here, below civic, so meetings can refer to them too.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Theme", "ThemeQuerySet"]


class ThemeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive theme stays on old records but is not offered."),
    )

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

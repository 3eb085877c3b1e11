from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JiyangConfig(AppConfig):
    name = "jiyang"
    verbose_name = _("Portal")

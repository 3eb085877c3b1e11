from pathlib import Path

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class JiyangConfig(AppConfig):
    # This module holds django-axes' config too; Django picks this one for
    # "jiyang" only when it says so.
    default = True
    name = "jiyang"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # SQLite creates its file but not the folder it sits in (var/ by
        # default). Done here, before any connection opens, so that merely
        # importing the settings touches no disk.
        database = settings.DATABASES["default"]
        name = str(database.get("NAME") or "")
        if (
            database["ENGINE"] == "django.db.backends.sqlite3"
            and name
            and name != ":memory:"
            and not name.startswith("file:")
        ):
            Path(name).parent.mkdir(parents=True, exist_ok=True)


class LoginProtectionConfig(AxesAppConfig):
    """django-axes under a Chinese heading in the admin."""

    verbose_name = _("Login protection")

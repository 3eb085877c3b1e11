from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivicConfig(AppConfig):
    name = "civic"
    verbose_name = _("Visit days, meetings and disclosures")

    def ready(self) -> None:
        from org.signals import unit_moved

        from .models.meetings import resync_meeting_ancestors

        # Meetings carry copies of their ancestors; a moved unit must not
        # leave them pointing at the old tree.
        unit_moved.connect(resync_meeting_ancestors, dispatch_uid="civic_resync")

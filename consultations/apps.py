from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from org.signals import unit_moved

        from .services import resync_concern_ancestors

        # Concerns carry copies of their ancestors; a moved unit must not
        # leave them pointing at the old tree.
        unit_moved.connect(
            resync_concern_ancestors, dispatch_uid="consultations_resync"
        )

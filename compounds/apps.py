from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompoundsConfig(AppConfig):
    name = "compounds"
    verbose_name = _("Compounds")

    def ready(self) -> None:
        from org.scope import register_company_scope
        from org.signals import unit_moved

        from .scope import company_scope, on_unit_moved

        register_company_scope(company_scope)
        unit_moved.connect(on_unit_moved, dispatch_uid="compounds.resync_ancestors")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompoundsConfig(AppConfig):
    name = "compounds"
    verbose_name = _("Compounds")

    def ready(self) -> None:
        from org.scope import register_company_people, register_company_scope

        from .scope import company_people_q, company_scope

        register_company_scope(company_scope)
        register_company_people(company_people_q)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompoundsConfig(AppConfig):
    name = "compounds"
    verbose_name = _("Compounds")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from org.models import OrgUnit
        from org.scope import register_company_people, register_company_scope
        from org.scope_cache import forget_scopes_on_change

        from .directory import forget_directory
        from .models import CompanyStaff, Compound, ServiceContract
        from .scope import company_people_q, company_scope

        register_company_scope(company_scope)
        from .ledgers import register_ledgers

        register_ledgers()
        register_company_people(company_people_q)
        # The home page's cached directory shows compound and community names.
        for model in (Compound, OrgUnit):
            post_save.connect(
                forget_directory,
                sender=model,
                dispatch_uid=f"directory-{model.__name__}",
            )
            post_delete.connect(
                forget_directory,
                sender=model,
                dispatch_uid=f"directory-del-{model.__name__}",
            )
        # A company login's scope is its seats and its company's contracts.
        forget_scopes_on_change(CompanyStaff, ServiceContract)

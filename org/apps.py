from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _role_groups(sender, using="default", **kwargs) -> None:
    from .roles import ensure_role_groups

    if using == "default":
        ensure_role_groups()


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Role groups are reference data: a deployment without the demo
        # still gets them after every migrate.
        post_migrate.connect(_role_groups, sender=self, dispatch_uid="org_role_groups")

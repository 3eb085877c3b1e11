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
        # The audit trail hears sign-ins from Django's auth signals.
        from django.contrib.auth import signals

        from . import audit

        signals.user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit_in")
        signals.user_logged_out.connect(audit.on_logged_out, dispatch_uid="audit_out")
        signals.user_login_failed.connect(
            audit.on_login_failed, dispatch_uid="audit_failed"
        )
        from . import second_factor

        signals.user_logged_in.connect(
            second_factor.forget_at_login, dispatch_uid="second_factor_forget"
        )
        # Cached scopes are made of posts and units: a change makes them stale.
        from .models import OrgUnit, Post
        from .scope_cache import forget_scopes_on_change

        forget_scopes_on_change(OrgUnit, Post)
        # And every create, change and delete of the portal's own rows.
        from . import change_audit

        change_audit.connect()
        from .unit_ledgers import register_ledgers

        register_ledgers()

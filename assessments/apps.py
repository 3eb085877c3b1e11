from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _default_scheme(sender, using="default", **kwargs) -> None:
    from .default_scheme import ensure_default_scheme

    if using == "default":
        ensure_default_scheme()


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        # The default scheme is reference data: it exists after every
        # migrate and after each test database flush.
        post_migrate.connect(
            _default_scheme, sender=self, dispatch_uid="assessments_default_scheme"
        )

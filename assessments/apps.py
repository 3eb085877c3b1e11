from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from .default_scheme import ensure_default_scheme_after_migrate

        # The default scheme is reference data: it exists after every
        # migrate and after each test database flush.
        post_migrate.connect(
            ensure_default_scheme_after_migrate,
            sender=self,
            dispatch_uid="assessments_default_scheme",
        )

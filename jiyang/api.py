"""The REST API: one router under /api/v1/, the OpenAPI schema and its docs.

Each app keeps its serializers and viewsets in its own `api.py`; this module
only registers them. The docs page is served from the portal's own static
files (drf-spectacular-sidecar), so it works without internet access.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from assessments import api as assessments_api
from civic import api as civic_api
from common.api import AnonThrottle, not_found
from compounds import api as compounds_api
from consultations import api as consultations_api
from org import api as org_api
from org import second_factor


class TokenWithCodeSerializer(AuthTokenSerializer):
    """The password and, for a login with a second factor, its code: a token
    is worth as much as a verified session, so it costs the same."""

    code = serializers.CharField(
        label=_("6-digit code"), required=False, allow_blank=True, write_only=True
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        device = second_factor.confirmed_device(user)
        if device is None and second_factor.is_required(user):
            raise serializers.ValidationError(
                _("Set up the authenticator app on the web pages first."),
                code="second_factor_required",
            )
        if device is not None:
            try:
                second_factor.check_code(
                    device, attrs.get("code"), self.context["request"]
                )
            except DjangoValidationError as error:
                raise serializers.ValidationError({"code": error.messages}) from error
        return attrs


class ObtainToken(ObtainAuthToken):
    """Exchange a username, password (and second-factor code) for the user's
    API token."""

    throttle_classes = [AnonThrottle]
    serializer_class = TokenWithCodeSerializer


router = DefaultRouter()
router.include_format_suffixes = False
# org
router.register("org-units", org_api.OrgUnitViewSet, basename="orgunit")
router.register(
    "liaison-departments",
    org_api.LiaisonDepartmentViewSet,
    basename="liaisondepartment",
)
# compounds
router.register("compounds", compounds_api.CompoundViewSet, basename="compound")
router.register(
    "companies", compounds_api.PropertyCompanyViewSet, basename="propertycompany"
)
router.register(
    "service-packages", compounds_api.ServicePackageViewSet, basename="servicepackage"
)
router.register("committees", compounds_api.CommitteeViewSet, basename="committee")
router.register("facilities", compounds_api.FacilityViewSet, basename="facility")
# consultations, civic and assessments
for prefix, viewset, basename in (
    *consultations_api.ROUTES,
    *civic_api.ROUTES,
    *assessments_api.ROUTES,
):
    router.register(prefix, viewset, basename=basename)

# The docs pages are third-party HTML with a <style> block, Swagger UI and
# Redoc style their own elements and draw icons as data: images, and Redoc
# runs its search in a blob: worker; only these two pages allow those.
# Their script is not inline: the split Swagger view serves its set-up code
# as a script of its own (?script).
docs_policy = csp_update(
    {
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
    }
)

urlpatterns = [
    path("api/v1/auth/token/", ObtainToken.as_view(), name="api-token"),
    path("api/v1/", include((router.urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        docs_policy(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
    re_path(r"^api/", not_found),
]

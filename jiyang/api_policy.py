"""API policies named in settings: permission, throttles, pagination.

Kept apart from `jiyang.api_common` because DRF imports the classes named in
REST_FRAMEWORK while `rest_framework.views` itself is being imported; this
module therefore imports nothing that imports the views.
"""

from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

# Throttles --------------------------------------------------------------
# DRF binds THROTTLE_RATES when the class is defined; reading the setting on
# each request lets operators (and tests) change the rates without a reload.


class RatesFromSettings:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(RatesFromSettings, AnonRateThrottle):
    pass


class UserThrottle(RatesFromSettings, UserRateThrottle):
    pass


# Permissions --------------------------------------------------------------


class ScopedAccess(permissions.BasePermission):
    """Signed-in users pass (their scope filters the rows); anonymous
    callers may only read the viewsets that declare `public = True`."""

    message = gettext_lazy("Sign in, or send a token, to use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user and user.is_authenticated:
            return bool(user.is_active)
        return request.method in permissions.SAFE_METHODS and getattr(
            view, "public", False
        )


# Pagination --------------------------------------------------------------


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetPagination(CursorPagination):
    """Keyset pages: constant cost at any depth, no COUNT over the table."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")


def keyset(*ordering: str) -> type[KeysetPagination]:
    """A keyset pagination class ordered by `ordering` (newest first)."""
    return type("KeysetPagination", (KeysetPagination,), {"ordering": ordering})

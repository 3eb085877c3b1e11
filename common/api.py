"""What every REST API endpoint shares, whatever app it belongs to.

- One error format: `{"code", "detail", "fields"}`, with field errors in the
  language of the request (Chinese by default). A Django `ValidationError`
  raised by a service becomes the same 400 as a serializer's, so viewsets
  call services directly.
- The policies named in REST_FRAMEWORK: the permission (signed in, or an
  anonymous read of a viewset that declares `public = True`), throttles
  whose rates are read on each request, numbered and keyset pagination.
- Filters by month ("2026-10") and quarter ("2026Q3"), on `common.periods`.

DRF imports the classes named in REST_FRAMEWORK while `rest_framework.views`
is itself being imported, so this module must not import DRF's views,
generics or viewsets (directly or through an app): it would import itself
half-initialised. That is also why `exception_handler` builds its response
here rather than calling DRF's default handler, which lives in those views.
The scope-dependent pieces (the scoped viewsets, the subtree filter) are in
`org.api`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections, models
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, permissions, renderers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .errors import error_fields
from .periods import Month, Quarter, local_midnight

logger = logging.getLogger("jiyang.api")


# Permission -------------------------------------------------------------


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


# Throttles --------------------------------------------------------------
# DRF binds THROTTLE_RATES when the class is defined; reading the setting on
# each request lets operators (and tests) change the rates without a reload.
# An empty rate (`API_ANON_RATE=` in the environment) switches that throttle
# off: DRF lets every request through when the rate is None, but cannot
# parse "".


class RatesFromSettings:
    scope: str | None

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        rate = rates.get(self.scope or "")
        if rate is None:
            return None
        return str(rate).strip() or None


class AnonThrottle(RatesFromSettings, AnonRateThrottle):
    pass


class UserThrottle(RatesFromSettings, UserRateThrottle):
    pass


# Pagination --------------------------------------------------------------


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages, whose templates set style attributes.

    Only these pages allow inline style; their script stays file-only
    (see the content security policy in jiyang/settings.py).
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            # Read by django-csp's middleware, as its csp_update decorator does.
            response._csp_update = {"style-src": ["'self'", "'unsafe-inline'"]}
        return super().render(data, accepted_media_type, renderer_context)


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


# Filters -------------------------------------------------------------------


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, left out when the request names none of the
    view's filters: building and validating a FilterSet of a dozen fields
    costs a tenth of a list request and, without parameters, filters
    nothing. A range filter's parameters carry a suffix (`created_after`)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        asked = any(
            param == name or param.startswith(f"{name}_")
            for param in request.query_params
            for name in names
        )
        if not asked:
            return queryset
        return super().filter_queryset(request, queryset, view)


# Month and quarter filters ------------------------------------------------


class MonthField(forms.Field):
    """ "2026-10" → `Month`; the error is `Month.parse`'s."""

    def to_python(self, value: Any) -> Month | None:
        text = "" if value in self.empty_values else str(value).strip()
        return Month.parse(text) if text else None


class QuarterField(forms.Field):
    """ "2026Q3" → `Quarter`; the error is `Quarter.parse`'s."""

    def to_python(self, value: Any) -> Quarter | None:
        text = "" if value in self.empty_values else str(value).strip()
        return Quarter.parse(text) if text else None


def period_filter(
    queryset: models.QuerySet,
    field: str,
    start: date,
    stop: date,
    is_datetime: bool = False,
) -> models.QuerySet:
    """Rows whose `field` falls in [start, stop); datetimes in local time."""
    if is_datetime:
        return queryset.filter(
            **{
                f"{field}__gte": local_midnight(start),
                f"{field}__lt": local_midnight(stop),
            }
        )
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": stop})


class PeriodFilter(django_filters.CharFilter):
    """Rows whose date (or datetime, in local time) falls in the period."""

    label_text: Any = ""

    def __init__(self, *, is_datetime: bool = False, **kwargs: Any) -> None:
        self.is_datetime = is_datetime
        kwargs.setdefault("label", self.label_text)
        super().__init__(**kwargs)

    def filter(self, queryset: models.QuerySet, value: Any) -> models.QuerySet:
        if not value:
            return queryset
        return period_filter(
            queryset, self.field_name, value.start, value.stop, self.is_datetime
        )


class MonthFilter(PeriodFilter):
    """`2026-10`: rows whose date (or datetime) falls in that month."""

    field_class = MonthField
    label_text = gettext_lazy("Month (YYYY-MM)")


class QuarterFilter(PeriodFilter):
    """`2026Q3`: rows whose date (or datetime) falls in that quarter."""

    field_class = QuarterField
    label_text = gettext_lazy("Quarter (YYYYQn)")


# Errors -------------------------------------------------------------------


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field" or "field.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in flatten_errors(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                name = f"{prefix}.{index}" if prefix else str(index)
                for k, v in flatten_errors(value, name).items():
                    out.setdefault(k, []).extend(v)
            else:
                out.setdefault(prefix or api_settings.NON_FIELD_ERRORS_KEY, []).append(
                    str(value)
                )
    else:
        out.setdefault(prefix or api_settings.NON_FIELD_ERRORS_KEY, []).append(
            str(detail)
        )
    return out


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as DRF field errors ("__all__" renamed)."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): (
            messages
        )
        for field, messages in error_fields(error).items()
    }


def _set_rollback() -> None:
    # What DRF's default handler does: a request wrapped in ATOMIC_REQUESTS
    # must not commit the half-done work of a failed call.
    for db in connections.all(initialized_only=True):
        if db.settings_dict["ATOMIC_REQUESTS"] and db.in_atomic_block:
            db.set_rollback(True)


def exception_handler(exc: Exception, context: dict) -> Response:
    """Every API error as {"code", "detail", "fields"} (REST_FRAMEWORK hook)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # The refusal's own reason (the rights table names the task and who
        # does it) when it has one, else DRF's generic message.
        exc = exceptions.PermissionDenied(str(exc) if exc.args else None)
    if not isinstance(exc, exceptions.APIException):
        # An unexpected failure: logged in full, answered in the one format.
        logger.exception("API error", exc_info=exc)
        return Response(
            error_body("server_error", _("Something went wrong on our side.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    headers = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            "invalid",
            _("The input is not valid; see the fields."),
            flatten_errors(exc.detail),
        )
    else:
        codes = exc.get_codes()
        body = error_body(codes if isinstance(codes, str) else "error", str(exc.detail))
    _set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's format, not HTML."""
    return JsonResponse(error_body("not_found", _("No such endpoint.")), status=404)

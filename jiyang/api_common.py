"""What every viewset of the REST API shares.

- The scope rule: a viewset lists `Model.objects.visible_to(user)` and
  nothing else, so a token of a grid secretary reads and changes only its
  grid. Anonymous callers reach only what the public pages show, through
  `public_queryset()` and a public serializer, and they are throttled.
- One error format: `{"code", "detail", "fields"}`, with field errors in the
  language of the request (Chinese by default).
- Filters shared by the apps: subtree (an org unit id), month ("2026-10"),
  quarter ("2026Q3").
- Pagination: numbered pages for short lists, keyset (cursor) pages for the
  lists that grow to millions of rows.
"""

import calendar
import logging
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from org.models import OrgUnit
from org.scope import Scope

from .api_policy import (
    AnonThrottle,
    KeysetPagination,
    PagePagination,
    RatesFromSettings,
    ScopedAccess,
    UserThrottle,
    keyset,
)

__all__ = [
    "AnonThrottle",
    "KeysetPagination",
    "PagePagination",
    "RatesFromSettings",
    "ScopedAccess",
    "UserThrottle",
    "keyset",
]

logger = logging.getLogger("jiyang.api")


# Viewsets --------------------------------------------------------------


class ScopedViewSetMixin:
    """`get_queryset()` is `Model.objects.visible_to(request.user)`.

    Subclasses set `queryset = Model.objects.all()` (read for the model and
    for the schema), optionally `public = True` with `public_queryset()` and
    `public_serializer_class` for anonymous readers, and `select_related`.
    """

    public: bool = False
    public_serializer_class: type[serializers.BaseSerializer] | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    permission_classes = [ScopedAccess]

    def base_queryset(self) -> models.QuerySet:
        return self.queryset.model.objects.all()

    def public_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.none()

    def get_queryset(self) -> models.QuerySet:
        queryset = self.base_queryset()
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            queryset = queryset.visible_to(user)
        else:
            queryset = self.public_queryset(queryset)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def is_anonymous(self) -> bool:
        user = getattr(self.request, "user", None)
        return user is None or not user.is_authenticated

    def get_serializer_class(self):
        if self.public_serializer_class is not None and self.is_anonymous():
            return self.public_serializer_class
        return super().get_serializer_class()


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def run_service(call, *args: Any, **kwargs: Any) -> Any:
    """Call a service; its ValidationError becomes a 400 in the one format."""
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(django_error_detail(exc)) from exc


def django_error_detail(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else key): [
                str(message) for message in messages
            ]
            for key, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in exc.messages]}


# Filters ------------------------------------------------------------------

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def parse_month(value: str) -> date:
    match = MONTH_RE.match(value or "")
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise forms.ValidationError(_("Give a month as YYYY-MM, e.g. 2026-10."))
    return date(int(match[1]), int(match[2]), 1)


def parse_quarter(value: str) -> tuple[date, date]:
    """First day of the quarter and first day of the next one."""
    match = QUARTER_RE.match(value or "")
    if not match or int(match[1]) < 1900:
        raise forms.ValidationError(_("Give a quarter as YYYYQn, e.g. 2026Q3."))
    year, quarter = int(match[1]), int(match[2])
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


class MonthField(forms.CharField):
    def to_python(self, value: Any) -> date | None:
        value = super().to_python(value)
        return parse_month(value) if value else None


class QuarterField(forms.CharField):
    def to_python(self, value: Any) -> tuple[date, date] | None:
        value = super().to_python(value)
        return parse_quarter(value) if value else None


def month_end(first: date) -> date:
    days = calendar.monthrange(first.year, first.month)[1]
    return first + timedelta(days=days)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_filter(
    queryset: models.QuerySet, field: str, start: date, end: date, is_datetime: bool
) -> models.QuerySet:
    if is_datetime:
        return queryset.filter(
            **{
                f"{field}__gte": local_midnight(start),
                f"{field}__lt": local_midnight(end),
            }
        )
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})


class SubtreeFilter(django_filters.NumberFilter):
    """Rows under an org unit (its id), through the model's scope columns."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Under the org unit (id)"))
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def filter(self, queryset: models.QuerySet, value: Any) -> models.QuerySet:
        if value in (None, ""):
            return queryset
        unit = OrgUnit.objects.filter(pk=int(value)).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(queryset.scope_q(Scope(units=(unit,))))


class MonthFilter(django_filters.CharFilter):
    """`2026-10`: rows whose date (or datetime) falls in that month."""

    field_class = MonthField

    def __init__(self, *, is_datetime: bool = False, **kwargs: Any) -> None:
        self.is_datetime = is_datetime
        kwargs.setdefault("label", gettext_lazy("Month (YYYY-MM)"))
        super().__init__(**kwargs)

    def filter(self, queryset: models.QuerySet, value: Any) -> models.QuerySet:
        if not value:
            return queryset
        first = value
        return period_filter(
            queryset, self.field_name, first, month_end(first), self.is_datetime
        )


class QuarterFilter(django_filters.CharFilter):
    """`2026Q3`: rows whose date (or datetime) falls in that quarter."""

    field_class = QuarterField

    def __init__(self, *, is_datetime: bool = False, **kwargs: Any) -> None:
        self.is_datetime = is_datetime
        kwargs.setdefault("label", gettext_lazy("Quarter (YYYYQn)"))
        super().__init__(**kwargs)

    def filter(self, queryset: models.QuerySet, value: Any) -> models.QuerySet:
        if not value:
            return queryset
        start, end = value
        return period_filter(queryset, self.field_name, start, end, self.is_datetime)


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


def exception_handler(exc: Exception, context: dict) -> Response:
    """Every API error as {"code", "detail", "fields"} (REST_FRAMEWORK hook)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_error_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        # An unexpected failure: logged in full, answered in the one format.
        logger.exception("API error", exc_info=exc)
        return Response(
            error_body("server_error", _("Something went wrong on our side.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        response.data = error_body(
            "invalid", _("The input is not valid; see the fields."), fields
        )
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else "error"
        detail = getattr(exc, "detail", "")
        response.data = error_body(code, str(detail))
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's format, not HTML."""
    return JsonResponse(error_body("not_found", _("No such endpoint.")), status=404)

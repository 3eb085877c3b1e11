"""Open311 GeoReport v2: concerns for civic-issue clients.

Concern categories are the services; a concern is a service request. Both
formats are served, chosen by the suffix (`.xml` is the one the
specification requires). Rules followed to the letter because real clients
are strict about them:

- XML without a namespace; JSON as arrays (every request answer is a list,
  even for one request); booleans `true`/`false`; empty values are empty
  elements in XML and `null` in JSON;
- datetimes in W3C form with their offset (+08:00);
- status is only `open` or `closed`; the workflow state is in status_notes;
- a parameter that is present but empty counts as absent; `api_key` is read
  from the form body or the query string;
- every error, including 405 and 500, is a list of {code, description} in
  the requested format, never an HTML page.
"""

import json
import logging
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import CharField, F, FloatField, Q, Value
from django.db.models.functions import Cast, Length
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.throttling import SimpleRateThrottle

from common.api import RatesFromSettings
from common.parsing import has_nul, parse_id
from compounds.models import Compound
from consultations import ratelimit
from consultations.models import Concern, ConcernCategory, ConcernPhoto
from consultations.models.concerns import normalise_tracking_code
from consultations.services import contact_phone

from .models import PartnerApp
from .services import submit_partner_request

logger = logging.getLogger("consultations.open311")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's `changeset`).
DISCOVERY_CHANGESET = "2026-12-02T00:00:00+08:00"
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The container tags of the XML form and the tag of each item in them.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
MAX_ROWS = 1000
MAX_WINDOW = timedelta(days=90)
# The years a start_date or end_date may name.
MOMENT_YEARS = (1900, 9000)
# How far from a compound's recorded position a lat/long may fall.
MAX_DISTANCE_M = 1500
COMPOUND_ATTRIBUTE = "compound"
KIND_ATTRIBUTE = "kind"
URGENCY_ATTRIBUTE = "urgency"
# XML 1.0 cannot carry these characters at all.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# Rendering -----------------------------------------------------------------


def w3c(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def xml_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_ILLEGAL.sub("", str(value))


def xml_element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(xml_element(key, child))
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[tag]
        for child in value:
            element.append(xml_element(item_tag, child))
    else:
        element.text = xml_text(value)
    return element


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under the element `root`."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
            xml_element(root, data), encoding="unicode"
        )
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    errors = [{"code": status, "description": description}]
    return render(fmt if fmt in CONTENT_TYPES else "xml", "errors", errors, status)


# Parameters ---------------------------------------------------------------


def refuse_nul(value: str, name: str) -> str:
    """The value, or a 400 when it holds a NUL (PostgreSQL refuses them)."""
    if has_nul(value):
        raise Open311Error(
            400,
            _("%(name)s contains a NUL character, which is not allowed.")
            % {"name": name.replace("\x00", "")[:100]},
        )
    return value


def param(request: HttpRequest, name: str) -> str | None:
    """A parameter from the body, else the query string; empty is absent."""
    for source in (
        (request.POST, request.GET) if request.method == "POST" else (request.GET,)
    ):
        value = source.get(name)
        if value is not None and value.strip():
            return refuse_nul(value.strip(), name)
    return None


def comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_moment(value: str, name: str, *, end: bool = False) -> datetime:
    """A W3C datetime (or a bare date); without an offset it is local time."""
    # A '+' left unencoded in a query string arrives as a space.
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value.strip())
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is not None:
                if end:
                    day += timedelta(days=1)
                moment = datetime.combine(day, time.min)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s is not a W3C datetime, e.g. 2026-10-01T00:00:00+08:00.")
            % {"name": name},
        )
    out_of_range = Open311Error(400, _("%(name)s is out of range.") % {"name": name})
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # The window arithmetic (±90 days) and the database's UTC
        # conversion must stay inside years 1 to 9999.
        moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise out_of_range from exc
    if not MOMENT_YEARS[0] <= moment.year <= MOMENT_YEARS[1]:
        raise out_of_range
    return moment


def parse_coordinate(value: str | None, name: str, limit: int) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        raise Open311Error(
            400,
            _("%(name)s must be a number between -%(n)d and %(n)d.")
            % {"name": name, "n": limit},
        )
    return number.quantize(Decimal("0.000001"))


def attributes(request: HttpRequest) -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v1&…` → {code: [values]}."""
    found: dict[str, list[str]] = {}
    sources: Iterable[QueryDict] = (request.POST, request.GET)
    for source in sources:
        for key in source:
            match = re.fullmatch(r"attribute\[([^\[\]]+)\](\[\])?", key)
            if match and match[1] not in found:
                values = [
                    refuse_nul(v.strip(), key) for v in source.getlist(key) if v.strip()
                ]
                if values:
                    found[match[1]] = values
    return found


# Throttling and the view wrapper -------------------------------------------


class Open311ReadThrottle(RatesFromSettings, SimpleRateThrottle):
    """Reads are anonymous: limit each address (rate "open311")."""

    scope = "open311"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


def check_jurisdiction(request: HttpRequest) -> None:
    given = param(request, "jurisdiction_id")
    expected = settings.OPEN311_JURISDICTION_ID
    if given is not None and expected and given != expected:
        raise Open311Error(
            404, _("Unknown jurisdiction_id: %(id)s.") % {"id": given[:100]}
        )


def open311_view(*methods: str) -> Callable:
    """Wrap a view: allowed methods, jurisdiction, throttling, error lists."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in allowed:
                    response = error_response(
                        fmt,
                        405,
                        _("Method %(method)s is not allowed here.")
                        % {"method": request.method},
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                    return response
                if request.method != "POST" and not Open311ReadThrottle().allow_request(
                    request, None
                ):
                    raise Open311Error(429, _("Too many requests; try again later."))
                check_jurisdiction(request)
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)
            # BadRequest: a body Django cannot read, such as a form post
            # declared in another charset than UTF-8.
            except (SuspiciousOperation, BadRequest) as exc:
                logger.warning("Open311 bad request: %s", exc)
                return error_response(fmt, 400, _("The request could not be read."))
            except Exception:
                logger.exception("Open311 failure")
                return error_response(
                    fmt, 500, _("Something went wrong on our side; try again later.")
                )

        return csrf_exempt(wrapper)

    return decorator


# Services ------------------------------------------------------------------


def active_categories():
    return ConcernCategory.objects.filter(is_active=True).order_by("order", "code")


def service_item(category: ConcernCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.display_name,
        "description": category.description or category.display_name,
        # Every category carries the compound attribute.
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(filter(None, [category.code, category.name_en])),
        "group": str(ConcernCategory.Handler(category.default_handler).label),
    }


def compound_values() -> list[dict]:
    rows = (
        Compound.objects.select_related("community")
        .order_by("community__name", "name", "pk")
        .values_list("pk", "name", "community__name")
    )
    return [
        {"key": str(pk), "name": f"{name}（{community}）"}
        for pk, name, community in rows
    ]


def service_attributes() -> list[dict]:
    def choice_values(choices) -> list[dict]:
        return [{"key": value, "name": str(label)} for value, label in choices]

    return [
        {
            "variable": True,
            "code": COMPOUND_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _(
                "The compound; may be left out when lat/long or "
                "address_string places the request."
            ),
            "order": 1,
            "description": _("Which compound is it about?"),
            "values": compound_values(),
        },
        {
            "variable": True,
            "code": KIND_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 2,
            "description": _("What kind of request is it?"),
            "values": choice_values(Concern.Kind.choices),
        },
        {
            "variable": True,
            "code": URGENCY_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 3,
            "description": _("How urgent is it?"),
            "values": choice_values(Concern.Urgency.choices),
        },
    ]


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:root"))
    changeset = DISCOVERY_CHANGESET
    return render(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": settings.OPEN311_CONTACT,
            "key_service": request.build_absolute_uri(settings.OPEN311_KEY_SERVICE),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base.rstrip("/"),
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", [service_item(c) for c in active_categories()])


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    refuse_nul(code, "service_code")
    if not active_categories().filter(code=code).exists():
        raise Open311Error(
            404, _("Unknown service_code: %(code)s.") % {"code": code[:100]}
        )
    return render(
        fmt,
        "service_definition",
        {"service_code": code, "attributes": service_attributes()},
    )


# Service requests ---------------------------------------------------------


def is_closed(concern: Concern) -> bool:
    return concern.status in Concern.DONE_STATUSES


def public_position(compound: Compound) -> tuple[float | None, float | None]:
    """The compound's recorded position, to 3 decimals (about 100 m): never
    the point a resident or partner gave."""
    if compound.latitude is None or compound.longitude is None:
        return None, None
    return round(float(compound.latitude), 3), round(float(compound.longitude), 3)


def public_media_url(concern: Concern, request: HttpRequest) -> str | None:
    """A photo that came with the concern, unless its text is hidden.

    Photos taken with the answer are never published.
    """
    if concern.is_hidden:
        return None
    # A missing reverse one-to-one raises an AttributeError subclass.
    submission = getattr(concern, "open311", None)
    if submission is not None and submission.media_url:
        return submission.media_url
    for photo in concern.photos.all():
        if photo.stage == ConcernPhoto.Stage.SUBMITTED:
            return request.build_absolute_uri(photo.image.url)
    return None


def request_item(concern: Concern, request: HttpRequest) -> dict:
    """What Open311 publishes of a concern: its public text, the compound
    (name, address, rounded position) and a submitted photo; never a contact
    detail, the resident's own location or the sequential id."""
    compound = concern.compound
    # Reported as not in the list: the place as typed, no position, until
    # staff assign the compound.
    lat, long = public_position(compound) if compound else (None, None)
    closed = is_closed(concern)
    updated = concern.closed_at if closed and concern.closed_at else concern.updated_at
    return {
        "service_request_id": concern.tracking_code,
        "status": "closed" if closed else "open",
        "status_notes": concern.get_status_display(),
        "service_name": concern.category.display_name,
        "service_code": concern.category.code,
        # Hidden text is absent (null), not replaced by a notice a client
        # would show as the resident's words.
        "description": concern.public_description or None,
        "agency_responsible": concern.handler_display or None,
        "service_notice": None,
        "requested_datetime": w3c(concern.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(concern.due_at),
        "address": (compound.address or compound.name) if compound else concern.place,
        "address_id": str(compound.pk) if compound else None,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": public_media_url(concern, request),
    }


def request_queryset():
    return (
        Concern.objects.on_open311()
        .select_related(
            "compound",
            "category",
            "handler_company",
            "handler_unit",
            "handler_department",
            "open311",
        )
        .prefetch_related("photos")
    )


@open311_view("GET", "POST")
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return post_request(request, fmt)
    return request_list(request, fmt)


def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    queryset = request_queryset()
    ids = param(request, "service_request_id")
    if ids is not None:
        # The ids (tracking codes) override every other filter.
        wanted = [c for c in map(normalise_tracking_code, comma_list(ids)) if c]
        rows = queryset.filter(tracking_code__in=wanted[:MAX_ROWS]).order_by(
            "-created_at", "-id"
        )
        return render(fmt, "service_requests", [request_item(c, request) for c in rows])
    codes = comma_list(param(request, "service_code"))
    if codes:
        queryset = queryset.filter(category__code__in=codes)
    statuses = comma_list(param(request, "status"))
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Open311Error(
                400, _("status must be open or closed (comma-separated).")
            )
        if set(statuses) == {"closed"}:
            queryset = queryset.filter(status__in=Concern.DONE_STATUSES)
        elif set(statuses) == {"open"}:
            queryset = queryset.exclude(status__in=Concern.DONE_STATUSES)
    start_text, end_text = param(request, "start_date"), param(request, "end_date")
    start = parse_moment(start_text, "start_date") if start_text else None
    end = parse_moment(end_text, "end_date", end=True) if end_text else None
    if start is None and end is None:
        end = timezone.now()
        start = end - MAX_WINDOW
    elif start is None:
        start = end - MAX_WINDOW
    elif end is None:
        end = start + MAX_WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_WINDOW:
        raise Open311Error(
            400, _("start_date and end_date may be at most 90 days apart.")
        )
    page_size = page_number(request, "page_size", MAX_ROWS, maximum=MAX_ROWS)
    page = page_number(request, "page", 1)
    offset = (page - 1) * page_size
    rows = queryset.filter(created_at__gte=start, created_at__lte=end).order_by(
        "-created_at", "-id"
    )[offset : offset + page_size]
    return render(fmt, "service_requests", [request_item(c, request) for c in rows])


def page_number(
    request: HttpRequest, name: str, default: int, maximum: int = 100_000
) -> int:
    value = param(request, name)
    if value is None:
        return default
    number = parse_id(value)
    if number is None or not 1 <= number <= maximum:
        raise Open311Error(
            400,
            _("%(name)s must be a whole number from 1 to %(max)d.")
            % {"name": name, "max": maximum},
        )
    return number


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    # The id is the tracking code; the sequential key is not an address.
    code = normalise_tracking_code(refuse_nul(request_id, "service_request_id"))
    concern = request_queryset().filter(tracking_code=code).first() if code else None
    if concern is None:
        raise Open311Error(
            404, _("No service request %(id)s.") % {"id": request_id[:40]}
        )
    return render(fmt, "service_requests", [request_item(concern, request)])


def nearest_compound(lat: Decimal, long: Decimal) -> Compound | None:
    """The compound whose recorded position is nearest, within the limit."""
    x, y = float(lat), float(long)
    scale = math.cos(math.radians(x)) ** 2
    lat_f = Cast("latitude", FloatField())
    long_f = Cast("longitude", FloatField())
    candidate = (
        Compound.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(
            d2=(lat_f - x) * (lat_f - x)
            + (long_f - y) * (long_f - y) * Value(scale, FloatField())
        )
        .order_by("d2", "pk")
        .first()
    )
    if candidate is None:
        return None
    metres = 111_320 * math.sqrt(
        (float(candidate.latitude) - x) ** 2
        + ((float(candidate.longitude) - y) ** 2) * scale
    )
    return candidate if metres <= MAX_DISTANCE_M else None


def compound_at_address(address: str) -> Compound | None:
    """The compound whose name (or recorded address) the address contains."""
    probe = Value(address[:300], output_field=CharField())
    return (
        Compound.objects.annotate(probe=probe)
        .filter(
            Q(probe__contains=F("name"))
            | (~Q(address="") & Q(probe__contains=F("address")))
        )
        .order_by(Length("name").desc(), "pk")
        .first()
    )


def compound_by_id(value: str, name: str) -> Compound:
    compound = None
    pk = parse_id(value)
    if pk is not None:
        compound = Compound.objects.filter(pk=pk).first()
    if compound is None:
        raise Open311Error(
            400,
            _("%(name)s names no known compound: %(value)s.")
            % {"name": name, "value": value[:40]},
        )
    return compound


def locate(
    request: HttpRequest,
    attrs: dict[str, list[str]],
    lat: Decimal | None,
    long: Decimal | None,
) -> Compound:
    """The compound of a request: the attribute, address_id, lat/long or
    address_string, in that order."""
    if COMPOUND_ATTRIBUTE in attrs:
        return compound_by_id(attrs[COMPOUND_ATTRIBUTE][0], "attribute[compound]")
    address_id = param(request, "address_id")
    if address_id is not None:
        return compound_by_id(address_id, "address_id")
    address = param(request, "address_string")
    if lat is None and long is None and address is None:
        raise Open311Error(
            400,
            _(
                "Give a location: lat and long, address_string, address_id "
                "or attribute[compound]."
            ),
        )
    if (lat is None) != (long is None):
        raise Open311Error(400, _("Give both lat and long."))
    compound = None
    if lat is not None and long is not None:
        compound = nearest_compound(lat, long)
    if compound is None and address is not None:
        compound = compound_at_address(address)
    if compound is None:
        raise Open311Error(
            400,
            _(
                "No compound of the portal lies at this location; choose one "
                "with attribute[compound]."
            ),
        )
    return compound


def choice_attribute(
    attrs: dict[str, list[str]], code: str, choices, default: str
) -> str:
    if code not in attrs:
        return default
    value = attrs[code][0]
    if value not in choices.values:
        raise Open311Error(
            400,
            _("attribute[%(code)s] has no value %(value)s.")
            % {"code": code, "value": value[:40]},
        )
    return value


def check_rate_limit(request: HttpRequest, partner: PartnerApp) -> None:
    """The public form's limits: per sender and per phone number.

    A partner relays many residents from one server, so the sender is the
    resident's device or account at that partner when it says so, else the
    address the request came from.
    """
    sender = param(request, "device_id") or param(request, "account_id")
    sender_key = (
        f"open311:{partner.pk}:{sender}"
        if sender
        else ratelimit.client_address(request)
    )
    try:
        ratelimit.hit("address", sender_key)
        ratelimit.hit(
            "phone",
            contact_phone(param(request, "phone") or "", source=Concern.Source.OPEN311),
        )
    except ratelimit.RateLimited as exc:
        raise Open311Error(
            429, _("Too many requests were sent from here; try again later.")
        ) from exc


def post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    key = param(request, "api_key")
    if key is None:
        raise Open311Error(403, _("api_key is required to post a request."))
    partner = PartnerApp.objects.by_key(key)
    if partner is None:
        raise Open311Error(403, _("api_key is not valid."))
    code = param(request, "service_code")
    if code is None:
        raise Open311Error(400, _("service_code is required."))
    category = active_categories().filter(code=code).first()
    if category is None:
        raise Open311Error(
            404, _("Unknown service_code: %(code)s.") % {"code": code[:100]}
        )
    attrs = attributes(request)
    lat = parse_coordinate(param(request, "lat"), "lat", 90)
    long = parse_coordinate(param(request, "long"), "long", 180)
    compound = locate(request, attrs, lat, long)
    description = param(request, "description")
    if description is None:
        raise Open311Error(400, _("description is required."))
    if len(description) > settings.CONCERN_MAX_DESCRIPTION:
        raise Open311Error(
            400,
            _("description may be at most %(n)d characters.")
            % {"n": settings.CONCERN_MAX_DESCRIPTION},
        )
    media_url = param(request, "media_url") or ""
    if media_url:
        try:
            if len(media_url) > 2000:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(
                400, _("media_url must be an http or https URL.")
            ) from None
    # Contact fields are optional: a bad one is dropped (e-mail) or kept as
    # given (phone, see services.contact_phone), never a reason to refuse.
    email = param(request, "email") or ""
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            EmailValidator()(email)
        except ValidationError:
            email = ""
    first, last = param(request, "first_name") or "", param(request, "last_name") or ""
    # Counted only for requests that would be stored, as on the public form.
    check_rate_limit(request, partner)
    # Chinese names put the family name first.
    name = f"{last}{first}" if not (first + last).isascii() else f"{first} {last}"
    try:
        concern = submit_partner_request(
            partner=partner,
            compound=compound,
            category=category,
            description=description,
            kind=choice_attribute(
                attrs, KIND_ATTRIBUTE, Concern.Kind, Concern.Kind.CONSULTATION
            ),
            urgency=choice_attribute(
                attrs, URGENCY_ATTRIBUTE, Concern.Urgency, Concern.Urgency.NORMAL
            ),
            name=name.strip(),
            phone=param(request, "phone") or "",
            email=email,
            media_url=media_url,
            lat=lat,
            long=long,
            address_string=param(request, "address_string") or "",
            device_id=param(request, "device_id") or "",
            account_id=param(request, "account_id") or "",
        )
    except ValidationError as exc:
        raise Open311Error(400, " ".join(exc.messages)) from exc
    notice = _("Tracking code %(code)s: the resident can follow it on the portal.") % {
        "code": concern.formatted_code
    }
    return render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": concern.tracking_code,
                "service_notice": notice,
                "account_id": param(request, "account_id"),
            }
        ],
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under the endpoint: a 404 error list, never HTML."""
    fmt = "json" if re.search(r"\.json/*$", request.path) else "xml"
    return error_response(fmt, 404, _("No such resource."))


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """The endpoint's base address (named for discovery); not a resource."""
    return not_found(request)

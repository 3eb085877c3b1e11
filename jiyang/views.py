import logging

import redis
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from assessments.models import QuarterlyRanking
from civic.models import Disclosure, MeetingDecision, VisitReport
from common.parsing import check_text
from common.periods import Month
from common.uploads import media_response, media_signature_ok
from compounds.directory import matching_directory, public_directory
from compounds.models import Compound
from consultations.models.concerns import TRACKING_LENGTH, normalise_tracking_code
from org.rights import require

from . import overview as overview_figures
from .media import may_read_media
from .my_tasks import my_tasks as tasks_of
from .workspace import links_for

logger = logging.getLogger(__name__)


def home(request):
    """Public home: submit, track by code, find a compound's board."""
    code_error = ""
    if "code" in request.GET:
        code = normalise_tracking_code(request.GET["code"])
        if len(code) == TRACKING_LENGTH:
            # /concerns/track/<code>/ is one of the portal's stable addresses.
            return redirect(f"/concerns/track/{code}/")
        code_error = _(
            "A tracking code has %(n)d letters and digits; please check it."
        ) % {"n": TRACKING_LENGTH}
    query = request.GET.get("q", "").strip()[:50]
    query_error, status = "", 200
    try:
        check_text(query)
    except ValidationError as error:
        query_error, query, status = error.messages[0], "", 400
    communities = matching_directory(query) if query else public_directory()
    return render(
        request,
        "home.html",
        {
            "query": query,
            "query_error": query_error,
            "code_error": code_error,
            "code": request.GET.get("code", "")[:40],
            "communities": communities,
            "found": sum(len(v) for v in communities.values()),
        },
        status=status,
    )


def _latest_rank(company):
    """The company's latest quarterly rank, if it has been ranked."""
    if company is None:
        return None
    return (
        QuarterlyRanking.objects.filter(company=company, rank__isnull=False)
        .select_related("prize")
        .order_by("-quarter_start")
        .first()
    )


def compound_board(request, pk: int):
    """A compound's public board: no names or phone numbers of anyone."""
    compound = get_object_or_404(
        Compound.objects.select_related("community", "grid"), pk=pk
    )
    today = timezone.localdate()
    company = compound.current_company
    disclosures = (
        Disclosure.objects.published(today)
        .filter(compound=compound)
        .order_by("-published_on", "-pk")[:30]
    )
    decisions = (
        MeetingDecision.objects.published()
        .filter(
            Q(meeting__compound=compound)
            | Q(meeting__compound__isnull=True, meeting__community=compound.community)
        )
        .select_related("meeting")
        .order_by("-meeting__date", "order")[:30]
    )
    since = Month.of(today).shifted(-11).start
    visits = (
        VisitReport.objects.filter(compound=compound, date__gte=since)
        .order_by("-date")
        .values("date", "households_visited")
    )
    return render(
        request,
        "jiyang/compound_board.html",
        {
            "compound": compound,
            "company": company,
            "rank": _latest_rank(company),
            "disclosures": disclosures,
            "decisions": decisions,
            "visits": visits,
            "today": today,
        },
    )


@login_required
def my_tasks(request):
    """我的待办: what waits for the user, the first page after login."""
    require(request.user, "jiyang.view_my_tasks")
    sections = tasks_of(request.user)
    return render(
        request,
        "jiyang/my_tasks.html",
        {
            "sections": [section for section in sections if section.waiting],
            "idle": [
                item for section in sections for item in section.items if not item.count
            ],
            "links": links_for(request.user),
        },
    )


@login_required
def overview(request):
    """街道红色物业总览: the figures of one unit, drilled down by `?unit=`."""
    unit = overview_figures.unit_for(request.user, request.GET.get("unit"))
    data = overview_figures.figures(unit)
    context = overview_figures.page(request.user, unit, data)
    context["print"] = request.GET.get("print") == "1"
    return render(request, "jiyang/overview.html", context)


def staff_login(request):
    """The admin's login, landing on 我的待办 unless told where to go."""
    extra = {}
    if (
        REDIRECT_FIELD_NAME not in request.GET
        and REDIRECT_FIELD_NAME not in request.POST
    ):
        extra[REDIRECT_FIELD_NAME] = reverse("my-tasks")
    return admin.site.login(request, extra_context=extra)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: the database does not answer")
        return False


def _cache_state() -> str:
    """ "ok", "error", or "local" (each process's memory, no Redis)."""
    if not hasattr(cache, "ping"):
        return "local"
    try:
        return "ok" if cache.ping() else "error"
    except Exception:
        # The cache itself fails open; this is where the outage shows.
        logger.warning("healthz: the cache (Redis) does not answer", exc_info=True)
        return "error"


def _broker_state() -> str:
    """ "ok", "error", or "in-process" (tasks run eagerly, no broker)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return "in-process"
    timeout = settings.REDIS_SOCKET_TIMEOUT
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        with client:
            return "ok" if client.ping() else "error"
    except Exception:
        logger.warning("healthz: the Celery broker does not answer", exc_info=True)
        return "error"


def media(request, path: str):
    """A stored upload, for those who may read it (`jiyang/media.py`) or
    through a live signed link, served by the upload policy's rules."""
    if not (settings.SERVE_MEDIA or settings.MEDIA_ACCEL_REDIRECT):
        raise Http404
    if "\x00" in path or not (
        media_signature_ok(path, request.GET.get("t", ""))
        or may_read_media(request.user, path)
    ):
        raise Http404
    return media_response(path)


@never_cache
def healthz(request):
    """Each part's state; 503 only when the database is down.

    A cache or broker outage degrades the portal (uncached pages, mails
    sent by the outbox sweep later) without stopping it, so it is reported
    but answers 200.
    """
    database = _database_ok()
    body = {
        "database": "ok" if database else "error",
        "cache": _cache_state(),
        "broker": _broker_state(),
    }
    return JsonResponse(body, status=200 if database else 503)


def bad_request(request, exception):
    """The 400 page, without Django's second CSRF check.

    Django's own handler checks the CSRF token again, reading the body that
    just failed to parse (a form post in another charset), and so turns the
    400 into a 500.
    """
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: the Chinese lockout page."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/lockout.html", context, status=429)

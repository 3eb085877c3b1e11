"""Public concern pages: no login, phone first, no personal data shown."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.errors import add_to_form
from common.parsing import check_text, has_nul, parse_id
from compounds.models import Compound

from . import ratelimit, services
from .forms import COMPOUND_MATCHES, ConcernForm, RatingForm, new_form_token
from .held_photos import held_under, hold_photos, release_photos
from .models import Concern, ConcernEvent, ConcernPhoto
from .models.concerns import normalise_tracking_code


def max_request_bytes() -> int:
    return settings.CONCERN_MAX_REQUEST_BYTES


def _form_page(request, form, status=200, error="", context=None):
    held_token, held = None, []
    if form.is_bound:
        # The page comes back: keep the photos that passed for the next try.
        held_token = hold_photos(form.new_photos, token=form.held_token)
        held = held_under(held_token)
    return render(
        request,
        "consultations/concern_form.html",
        {
            "form": form,
            "error": error,
            "compounds_url": reverse("consultations:compounds"),
            "held_token": held_token,
            "held_photos": held,
            **(context or {}),
        },
        status=status,
    )


@never_cache
def concern_create(request):
    """/concerns/new/: the public form; on success the tracking code."""
    compound = parse_id(request.GET.get("compound"))
    initial = {"compound": compound} if compound is not None else {}
    return public_concern_form(request, initial=initial)


def public_concern_form(
    request,
    *,
    initial: dict | None = None,
    submit: Callable[..., Concern] = services.submit_concern,
    context: dict | None = None,
):
    """The resident's concern form: shown, checked, rate-limited, submitted.

    Other public pages that take in a concern (an objection to a disclosure)
    reuse it with their own `initial` values, `submit` service (taking the
    keyword arguments of `submit_concern`) and template `context`.
    """
    if request.method != "POST":
        # `?q=` lists matching compounds in the select: the search without
        # JavaScript (the type-ahead asks compounds.json instead).
        search = request.GET.get("q", "").strip()[:50]
        form = ConcernForm(
            initial={"token": new_form_token(), **(initial or {})},
            search="" if has_nul(search) else search,
        )
        return _form_page(request, form, context={"search": search, **(context or {})})

    # Refuse oversized bodies before Django reads them.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_request_bytes():
        return _form_page(
            request,
            ConcernForm(initial={"token": new_form_token()}),
            status=413,
            error=_("What you sent is too large. Use shorter text and smaller photos."),
            context=context,
        )
    try:
        data, files = request.POST, request.FILES
    except RequestDataTooBig:
        return _form_page(
            request,
            ConcernForm(initial={"token": new_form_token()}),
            status=413,
            error=_("What you sent is too large. Use shorter text and smaller photos."),
            context=context,
        )
    form = ConcernForm(data, files)
    release_photos(form.held_token, ids=[p.pk for p in form.dropped_photos])
    if not form.is_valid():
        return _form_page(request, form, status=400, context=context)
    cleaned = form.cleaned_data
    try:
        ratelimit.hit("address", ratelimit.client_address(request))
        ratelimit.hit("phone", cleaned["phone"])
    except ratelimit.RateLimited:
        return _form_page(
            request,
            form,
            status=429,
            error=_(
                "Too many concerns were sent from here. Please try again later "
                "or call your community."
            ),
            context=context,
        )
    try:
        concern = submit(
            compound=cleaned["compound"],
            place=cleaned["place"],
            community=cleaned["community"],
            category=cleaned["category"],
            description=cleaned["description"],
            kind=cleaned["kind"],
            source=Concern.Source.WEB,
            name=cleaned["name"],
            phone=cleaned["phone"],
            email=cleaned["email"],
            photos=form.photos_to_submit(),
            submission_token=cleaned["token"],
        )
    except ValidationError as exc:
        add_to_form(form, exc)
        return _form_page(request, form, status=400, context=context)
    release_photos(form.held_token)
    return render(request, "consultations/concern_submitted.html", {"concern": concern})


@require_GET
def compound_suggestions(request):
    """Public compound names for the form's type-ahead (JSON)."""
    q = request.GET.get("q", "").strip()[:50]
    try:
        check_text(q)
    except ValidationError as error:
        return JsonResponse({"results": [], "error": error.messages[0]}, status=400)
    compounds = Compound.objects.select_related("community").named_like(q)
    rows = [
        {"id": c.pk, "name": c.name, "community": c.community.name}
        for c in compounds[:COMPOUND_MATCHES]
    ]
    return JsonResponse({"results": rows})


def _public_concern(code: str) -> Concern:
    code = normalise_tracking_code(code)
    concern = (
        Concern.objects.select_related(
            "compound",
            "category",
            "handler_company",
            "handler_unit",
            "handler_department",
            "merged_into",
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ConcernEvent.objects.public().order_by("created_at", "id"),
                to_attr="public_events",
            ),
            Prefetch(
                "photos",
                queryset=ConcernPhoto.objects.order_by("created_at", "id"),
                to_attr="photo_list",
            ),
        )
        .filter(tracking_code=code)
        .first()
    )
    if concern is None:
        raise Http404(_("No concern has this tracking code."))
    return concern


@never_cache
@require_GET
def concern_track(request, code: str):
    """/concerns/track/<code>/: status and public timeline.

    Anyone holding the code may read it (staff and the company read the
    code too), so the rating is not here: it takes the resident's rating
    link (`concern_rate`).
    """
    concern = _public_concern(code)
    if concern.tracking_code != code:
        return redirect("consultations:track", code=concern.tracking_code)
    return render(
        request,
        "consultations/concern_track.html",
        {
            "concern": concern,
            # One calendar look-up for the page, not one per use.
            "flag": concern.alert_level,
            "events": concern.public_events,
            "submitted_photos": [
                p for p in concern.photo_list if p.stage == ConcernPhoto.Stage.SUBMITTED
            ],
            "response_photos": [
                p for p in concern.photo_list if p.stage == ConcernPhoto.Stage.RESPONSE
            ],
            "just_rated": request.GET.get("rated") == "1",
        },
    )


@never_cache
def concern_rate(request, token: str):
    """/concerns/rate/<token>/: the resident's one-time rating link.

    Sent in the receipt and the answer e-mail and shown on the receipt page;
    it works once per answer (`Concern.rating_token`).
    """
    concern = (
        Concern.objects.for_rating_token(token)
        .select_related("compound", "category")
        .first()
    )
    form = RatingForm()
    status = 200
    if concern is not None and concern.can_be_rated and request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                concern = services.rate_concern(
                    token=token,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_to_form(form, exc)
            else:
                return redirect(
                    reverse("consultations:track", args=[concern.tracking_code])
                    + "?rated=1"
                )
        status = 400
    elif concern is None or not concern.can_be_rated:
        status = 404 if concern is None else 409 if request.method == "POST" else 200
    return render(
        request,
        "consultations/concern_rate.html",
        {"concern": concern, "rating_form": form},
        status=status,
    )


@require_GET
def concern_lookup(request):
    """/concerns/track/?code=…: the home page's tracking box lands here."""
    code = normalise_tracking_code(request.GET.get("code", ""))
    if not code:
        return render(request, "consultations/concern_lookup.html", {})
    if not Concern.objects.filter(tracking_code=code).exists():
        return render(
            request,
            "consultations/concern_lookup.html",
            {
                "code": request.GET.get("code", "")[:40],
                "error": _(
                    "No concern has this tracking code. Check it and try again."
                ),
            },
            status=404,
        )
    return redirect("consultations:track", code=code)

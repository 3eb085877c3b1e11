"""Staff and property-manager concern pages. Everything goes through
`Concern.objects.visible_to(user)` and the workflow services."""

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import add_to_form, flash
from common.keyset import RowsBefore
from compounds.models import Compound, PropertyCompany
from org.models import LiaisonDepartment, OrgUnit
from org.rights import COMPANY, may, require, roles_of
from org.scope import user_scope

from . import services
from .filters import StaffConcernFilter
from .forms import ActionForm, StaffIntakeForm, ThemesForm, new_form_token
from .models import Concern, ConcernCategory
from .workflow import ACTIONS, READS_HIDDEN_ORIGINALS, VERBS, offered_actions

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def staff_required(view):
    """Logged in, with the task of reading concerns (org or company staff)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        require(request.user, "consultations.read_concerns")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _link_rows(rows: list[Concern], view_name: str) -> None:
    """Set each row's `url` from one reversed address, not one a row."""
    marker = "2147483647"
    pattern = reverse(view_name, args=[int(marker)])
    for row in rows:
        row.url = pattern.replace(marker, str(row.pk))


def _keyset(qs, cursor: str):
    """Rows after `cursor` ("<timestamp>_<id>") in (-created_at, -id) order."""
    stamp, _sep, pk = cursor.partition("_")
    try:
        moment = datetime.fromtimestamp(float(stamp), tz=UTC)
        pk = int(pk)
    except (ValueError, OverflowError, OSError):
        return qs
    return qs.filter(RowsBefore(("created_at", "id"), (moment, pk)))


def _cursor(concern: Concern) -> str:
    return f"{concern.created_at.timestamp():.6f}_{concern.pk}"


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("size", DEFAULT_PAGE_SIZE))
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    return max(1, min(size, MAX_PAGE_SIZE))


@staff_required
def staff_concern_list(request):
    """Concerns under any unit the user sees, newest first, keyset pages."""
    user = request.user
    if user_scope(user).is_company_user:
        return redirect("consultations:manager-list")
    units = list(
        OrgUnit.objects.visible_to(user)
        .exclude(kind=OrgUnit.Kind.GROUP)
        .in_tree_order()
    )
    filters = StaffConcernFilter(
        request.GET, Concern.objects.visible_to(user), units=units
    )
    qs = filters.qs
    size = _page_size(request)
    after = request.GET.get("after", "")
    if after:
        qs = _keyset(qs, after)
    rows = list(qs.for_list_page().order_by("-created_at", "-id")[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    categories = list(ConcernCategory.objects.all())
    Concern.prepare_rows(rows, categories)
    _link_rows(rows, "consultations:staff-detail")
    params = request.GET.copy()
    params.pop("after", None)
    next_url = ""
    if has_next:
        params["after"] = _cursor(rows[-1])
        next_url = f"?{params.urlencode()}"
    return render(
        request,
        "consultations/staff_concern_list.html",
        {
            "rows": rows,
            "units": units,
            "unit": filters.chosen_unit,
            "statuses": Concern.Status.choices,
            "status": filters.value("status", ""),
            "alert": filters.value("alert", ""),
            "categories": categories,
            "category": str(filters.value("category", "")),
            "q": filters.value("q", ""),
            "next_url": next_url,
            "first_url": f"?{params.urlencode()}" if after else "",
        },
    )


def _detail_context(request, concern: Concern, *, manager: bool) -> dict:
    user = request.user
    # The manager pages offer the company's verbs, whatever else the user is.
    roles = COMPANY if manager else roles_of(user)
    actions = offered_actions(roles, concern)
    duplicates = []
    if any("into" in action.inputs for action in actions):
        duplicates = list(
            services.duplicate_candidates(concern)
            .visible_to(user)
            .select_related("category")[:10]
        )
    return {
        "concern": concern,
        "events": concern.events.select_related("actor"),
        "photos": concern.photos.all(),
        "actions": actions,
        "duplicates": duplicates,
        "show_original": may(user, READS_HIDDEN_ORIGINALS),
        "handlers": ConcernCategory.Handler.choices,
        "departments": LiaisonDepartment.objects.filter(street_id=concern.street_id),
        "ratings": Concern.Rating.choices,
        "max_extension_days": services.MAX_EXTENSION_DAYS,
        "manager": manager,
        "flag": concern.alert_level,
        "phone_revealed": _phone_revealed(request, concern),
        "themes": concern.themes.all(),
        "themes_form": (
            ThemesForm(initial={"themes": concern.themes.all()})
            if not manager and may(user, "consultations.tag_themes")
            else None
        ),
    }


@staff_required
def staff_concern_detail(request, pk: int):
    concern = get_object_or_404(
        Concern.objects.visible_to(request.user).with_list_columns(), pk=pk
    )
    if user_scope(request.user).is_company_user:
        return redirect("consultations:manager-detail", pk=pk)
    return render(
        request,
        "consultations/staff_concern_detail.html",
        _detail_context(request, concern, manager=False),
    )


def _phone_revealed(request, concern: Concern) -> bool:
    """Whether this login revealed the concern's number within the window
    (`services.REVEAL_WINDOW`, the API's rule too)."""
    return services.phone_shown_until(concern=concern, actor=request.user) is not None


@require_POST
@staff_required
def reveal_phone(request, pk: int):
    """Record a reveal, then back to the detail page, which shows the number
    (Post/Redirect/Get: a reload does not post again)."""
    scope = user_scope(request.user)
    concerns = Concern.objects.visible_to(request.user).with_list_columns()
    if scope.is_company_user:
        concerns = concerns.for_company(scope.company_ids)
    concern = get_object_or_404(concerns, pk=pk)
    services.reveal_phone(concern=concern, actor=request.user, request=request)
    page = "manager-detail" if scope.is_company_user else "staff-detail"
    return redirect(reverse(f"consultations:{page}", args=[concern.pk]) + "#resident")


@require_POST
@staff_required
def concern_act(request, pk: int):
    """Run one workflow verb from a detail page, then go back to it."""
    user = request.user
    scope = user_scope(user)
    action = VERBS.get(request.POST.get("action", ""))
    if action is None:
        return HttpResponseBadRequest(_("Unknown action."))
    # The table first: a refused role learns nothing of the concern.
    require(user, action.task)
    concern = get_object_or_404(Concern.objects.visible_to(user), pk=pk)
    manager = scope.is_company_user
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    back = back or reverse(
        "consultations:manager-detail" if manager else "consultations:staff-detail",
        args=[pk],
    )
    form = ActionForm(request.POST, request.FILES, action=action, user=user)
    if not form.is_valid():
        flash(request, ValidationError(form.errors.as_data()))
        return redirect(back)
    service = getattr(services, action.service)
    try:
        concern = service(concern=concern, actor=user, **form.cleaned_data)
    except ValidationError as exc:
        flash(request, exc)
    else:
        if manager and concern.handler_company_id not in scope.company_ids:
            # Returned: no longer the company's, so its page is gone.
            back = reverse("consultations:manager-list")
        messages.success(request, _("Done: %(action)s.") % {"action": action.button})
    return redirect(back)


@require_POST
@staff_required
def concern_themes(request, pk: int):
    """Set the themes of a concern from its detail page."""
    require(request.user, "consultations.tag_themes")
    concern = get_object_or_404(Concern.objects.visible_to(request.user), pk=pk)
    form = ThemesForm(request.POST)
    if form.is_valid():
        services.set_concern_themes(
            concern=concern, themes=form.cleaned_data["themes"], actor=request.user
        )
        messages.success(request, _("Themes saved."))
    else:
        flash(request, ValidationError(form.errors.as_data()))
    return redirect("consultations:staff-detail", pk=pk)


@staff_required
def staff_concern_create(request):
    """Staff-assisted intake: a concern taken by phone, at the door, …"""
    require(request.user, ACTIONS["submit"].task)
    compounds = Compound.objects.visible_to(request.user)
    if request.method == "POST":
        form = StaffIntakeForm(request.POST, request.FILES, compounds=compounds)
        if form.is_valid():
            data = form.cleaned_data
            try:
                concern = services.submit_concern(
                    compound=data["compound"],
                    category=data["category"],
                    description=data["description"],
                    kind=data["kind"],
                    source=data["source"],
                    urgency=data["urgency"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    photos=data["photos"],
                    actor=request.user,
                    submission_token=data["token"],
                )
            except ValidationError as exc:
                add_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Concern %(code)s recorded.") % {"code": concern.formatted_code},
                )
                return redirect("consultations:staff-detail", pk=concern.pk)
        status = 400
    else:
        form = StaffIntakeForm(initial={"token": new_form_token()}, compounds=compounds)
        status = 200
    return render(
        request, "consultations/staff_concern_form.html", {"form": form}, status=status
    )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


@staff_required
def staff_rates(request):
    """三率 per company, community and month."""
    qs = Concern.objects.visible_to(request.user)
    months = 12
    since = timezone.localdate().replace(day=1)
    for _i in range(months - 1):
        since = (since - timedelta(days=1)).replace(day=1)
    qs = qs.filter(created_at__date__gte=since)
    tables = []
    for field, model, title in (
        ("handler_company", PropertyCompany, _("By property company")),
        ("community", OrgUnit, _("By community")),
    ):
        rows = list(qs.exclude(**{f"{field}__isnull": True}).rates(field))
        names = dict(
            model.objects.filter(pk__in={r[field] for r in rows}).values_list(
                "pk", "name"
            )
        )
        for row in rows:
            row["name"] = names.get(row[field], "—")
            row["response_rate"] = _percent(row["signed_on_time"], row["dispatched"])
            row["resolution_rate"] = _percent(row["resolved"], row["asked"])
            row["satisfaction_rate"] = _percent(row["satisfied"], row["rated"])
        tables.append({"title": title, "rows": rows})
    return render(
        request,
        "consultations/staff_rates.html",
        {"tables": tables, "since": since},
    )


# Property managers ------------------------------------------------------------


def company_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not user_scope(request.user).company_ids:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@company_required
def manager_concern_list(request):
    """The concerns dispatched to the manager's company, open ones first."""
    company_ids = user_scope(request.user).company_ids
    base = (
        Concern.objects.visible_to(request.user)
        .for_company(company_ids)
        .for_list_page()
    )
    open_rows = list(base.open().order_by("due_at", "id")[:100])
    done_rows = list(base.exclude(status__in=Concern.OPEN_STATUSES)[:30])
    categories = list(ConcernCategory.objects.all())
    Concern.prepare_rows(open_rows + done_rows, categories)
    _link_rows(open_rows + done_rows, "consultations:manager-detail")
    return render(
        request,
        "consultations/manager_concern_list.html",
        {"open_rows": open_rows, "done_rows": done_rows},
    )


@company_required
def manager_concern_detail(request, pk: int):
    company_ids = user_scope(request.user).company_ids
    concern = get_object_or_404(
        Concern.objects.visible_to(request.user)
        .for_company(company_ids)
        .with_list_columns(),
        pk=pk,
    )
    return render(
        request,
        "consultations/manager_concern_detail.html",
        _detail_context(request, concern, manager=True),
    )

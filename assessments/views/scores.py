"""Staff pages for scores: rankings, a company's history, the reward ledger,
exit cases, monthly scores, Excel exports and the printable notice (the
pages that act on runs, rewards and exit cases are in `views/cycle.py`).

Every query goes through `visible_to(request.user)`: a street office sees its
street, company staff their own company's rows.
"""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import add_to_form, flash
from common.parsing import parse_id
from common.periods import Month, Quarter
from compounds.models import PropertyCompany
from org.downloads import ledger_response
from org.models import OrgUnit
from org.rights import may, require

from .. import breakdown, exports
from ..cycle_forms import ReRankForm
from ..models import (
    AssessmentScheme,
    ExitCase,
    ExitLadderStep,
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    QuarterlyRanking,
    QuarterNotice,
    QuarterReRank,
    Reward,
)
from ..runs import queue_rerank
from ..services.notices import publish_notice


def _streets(rows) -> list[OrgUnit]:
    ids = rows.order_by().values_list("street_id", flat=True).distinct()
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("code", "name"))


def _pick_street(params, streets: list[OrgUnit]) -> OrgUnit | None:
    wanted = params.get("street", "")
    for street in streets:
        if str(street.pk) == wanted:
            return street
    return streets[0] if streets else None


def _ranking_context(request, params=None):
    params = request.GET if params is None else params
    visible = QuarterlyRanking.objects.visible_to(request.user)
    quarters = list(
        visible.order_by("-quarter_start").values_list("quarter", flat=True).distinct()
    )
    quarter = params.get("quarter") or (quarters[0] if quarters else "")
    if quarter and quarter not in quarters:
        raise Http404
    streets = _streets(visible.filter(quarter=quarter))
    street = _pick_street(params, streets)
    rows = (
        visible.filter(quarter=quarter, street=street)
        .select_related("company", "prize", "scheme", "ladder_step")
        .order_by("rank", "-score", "company__name")
    )
    rows = list(rows)
    # Every row of a street's quarter was ranked under one scheme version.
    scheme = rows[0].scheme if rows else None
    notice = (
        QuarterNotice.objects.filter(street=street, quarter=quarter)
        .select_related("published_by__person")
        .first()
        if street
        else None
    )
    return {
        "notice": notice,
        "quarters": quarters,
        "quarter": quarter,
        "streets": streets,
        "street": street,
        "ranked": [r for r in rows if r.rank is not None],
        "not_ranked": [r for r in rows if r.rank is None],
        "scheme": scheme,
        "formula": breakdown.formula_terms(scheme) if scheme else [],
        "poll_role_text": breakdown.poll_role_text(scheme) if scheme else "",
    }


def _ranking_url(quarter: str, street: OrgUnit) -> str:
    return f"{reverse('assessments:ranking')}?quarter={quarter}&street={street.pk}"


@login_required
def ranking_list(request):
    return _ranking_page(request)


def _ranking_page(request, params=None, rerank_form: ReRankForm | None = None):
    context = _ranking_context(request, params)
    user = request.user
    notice = context["notice"]
    context.update(
        can_publish=bool(context["street"])
        and notice is None
        and may(user, "assessments.publish_notice"),
        can_rerank=notice is not None
        and may(user, "assessments.rerank_published_quarter"),
        can_print=may(user, "assessments.print_notice"),
        rerank_form=rerank_form or ReRankForm(),
        reranks=QuarterReRank.objects.visible_to(user)
        .filter(street=context["street"], quarter=context["quarter"])
        .select_related("decided_by__person")
        if notice
        else [],
    )
    return render(request, "assessments/ranking_list.html", context)


def _posted_quarter(request) -> tuple[Quarter, OrgUnit]:
    """The quarter and street a ranking-page form names, if the user sees
    that street's ranking of it."""
    try:
        quarter = Quarter.parse(request.POST.get("quarter", ""))
    except ValidationError:
        raise Http404 from None
    street_id = parse_id(request.POST.get("street"))
    rows = QuarterlyRanking.objects.visible_to(request.user).filter(
        quarter=str(quarter), street_id=street_id
    )
    if street_id is None or not rows.exists():
        raise Http404
    return quarter, OrgUnit.objects.get(pk=street_id)


@login_required
@require_POST
def notice_publish(request):
    """发布通报: issue the quarter's notice and take its document number."""
    require(request.user, "assessments.publish_notice")
    quarter, street = _posted_quarter(request)
    try:
        notice = publish_notice(street=street, quarter=quarter, actor=request.user)
    except ValidationError as error:
        flash(request, error)
        return redirect(_ranking_url(str(quarter), street))
    messages.success(
        request,
        _("The notice %(number)s is published.") % {"number": notice.number},
    )
    return redirect(
        f"{reverse('assessments:ranking-notice')}?quarter={quarter}&street={street.pk}"
    )


@login_required
@require_POST
def ranking_rerank(request):
    """The street office's decision to rank its published quarter again."""
    require(request.user, "assessments.rerank_published_quarter")
    quarter, street = _posted_quarter(request)
    form = ReRankForm(request.POST)
    if form.is_valid():
        try:
            run = queue_rerank(
                street=street,
                quarter=quarter,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("The re-rank decision is recorded and the ranking is queued."),
            )
            return redirect("assessments:run", run.pk)
    params = {"quarter": str(quarter), "street": str(street.pk)}
    return _ranking_page(request, params, rerank_form=form)


@login_required
def ranking_detail(request, pk: int):
    """One company's quarter: each term, and the rows behind each."""
    ranking = get_object_or_404(
        QuarterlyRanking.objects.visible_to(request.user).select_related(
            "company", "street", "scheme", "prize"
        ),
        pk=pk,
    )
    return render(
        request,
        "assessments/ranking_detail.html",
        {
            "ranking": ranking,
            "terms": breakdown.quarter_terms(ranking),
            "poll_role_text": breakdown.poll_role_text(ranking.scheme),
            "compound_months": breakdown.compound_months(ranking, request.user),
            "concerns": breakdown.concerns_counted(ranking, request.user),
        },
    )


@login_required
def notice_detail(request):
    """通报: the printable quarterly notice of one street's ranking.

    The street's document, for its staff: company staff, who see their own
    rows of the ranking, are refused.
    """
    require(request.user, "assessments.print_notice")
    context = _ranking_context(request)
    if not context["street"]:
        raise Http404
    rows = context["ranked"]
    context.update(
        prize_rows=[r for r in rows if r.prize_id],
        bottom_rows=[r for r in rows if r.is_bottom],
        cases=ExitCase.objects.visible_to(request.user)
        .filter(street=context["street"])
        .filter(
            Q(opened_quarter=context["quarter"])
            | ~Q(status__in=[ExitCase.Status.CLOSED, ExitCase.Status.WITHDRAWN])
        )
        .select_related("company")
        .order_by("company__name"),
        quarter_label=exports.quarter_label(context["quarter"]),
        quarter_obj=Quarter.parse(context["quarter"]),
        reranks=QuarterReRank.objects.filter(
            street=context["street"], quarter=context["quarter"], changed=True
        ).order_by("decided_at"),
    )
    return render(request, "assessments/notice_detail.html", context)


def chart_points(values: list[Decimal | None], *, width=640, height=220, pad=32):
    """SVG coordinates for a 0–100 line chart of `values` (None: a gap)."""
    n = max(len(values), 2)
    step = (width - 2 * pad) / (n - 1)
    points = []
    for i, value in enumerate(values):
        if value is None:
            continue
        x = pad + i * step
        y = pad + (height - 2 * pad) * (1 - float(value) / 100)
        points.append({"x": round(x, 1), "y": round(y, 1), "value": value, "i": i})
    return points


@login_required
def score_company(request, pk: int):
    company = get_object_or_404(PropertyCompany.objects.all(), pk=pk)
    months = list(
        MonthlyCompanyScore.objects.visible_to(request.user)
        .filter(company=company)
        .select_related("street")
        .order_by("month", "street__name")
    )
    rankings = list(
        QuarterlyRanking.objects.visible_to(request.user)
        .filter(company=company)
        .select_related("street", "prize", "ladder_step")
        .order_by("-quarter_start")
    )
    if not months and not rankings:
        raise Http404
    width, height, pad = 640, 220, 32
    points = chart_points(
        [m.score for m in months], width=width, height=height, pad=pad
    )
    for point in points:
        point["label"] = str(Month.of(months[point["i"]].month))
    gridlines = [
        {"value": v, "y": pad + (height - 2 * pad) * (1 - v / 100)}
        for v in (0, 25, 50, 75, 100)
    ]
    return render(
        request,
        "assessments/score_company.html",
        {
            "company": company,
            "months": months,
            "rankings": rankings,
            "points": points,
            "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
            "gridlines": gridlines,
            "chart": {"width": width, "height": height, "pad": pad},
        },
    )


def _month_context(request):
    visible = MonthlyCompoundScore.objects.visible_to(request.user)
    months = list(
        visible.order_by("-month").values_list("month", flat=True).distinct()[:36]
    )
    wanted = request.GET.get("month", "")
    month = next((m for m in months if str(Month.of(m)) == wanted), None)
    month = month or (months[0] if months else None)
    rows = (
        visible.filter(month=month)
        .select_related("compound", "company", "community")
        .order_by("-score", "compound__name")
    )
    companies = (
        MonthlyCompanyScore.objects.visible_to(request.user)
        .filter(month=month)
        .select_related("company", "street")
        .order_by("street__name", "-score")
    )
    return {"months": months, "month": month, "rows": rows, "companies": companies}


@login_required
def score_month_list(request):
    return render(request, "assessments/score_month_list.html", _month_context(request))


@login_required
def reward_list(request):
    rewards = (
        Reward.objects.visible_to(request.user)
        .select_related("ranking__company", "ranking__street", "approved_by")
        .order_by("-ranking__quarter_start", "ranking__street__name", "ranking__rank")
    )
    total = sum((r.amount for r in rewards), start=Decimal("0"))
    paid = sum((r.amount for r in rewards if r.paid_on), start=Decimal("0"))
    return render(
        request,
        "assessments/reward_list.html",
        {"rewards": rewards, "total": total, "paid": paid, "unpaid": total - paid},
    )


@login_required
def exit_list(request):
    cases = (
        ExitCase.objects.visible_to(request.user)
        .select_related("company", "street")
        .prefetch_related("documents")
    )
    steps = (
        ExitLadderStep.objects.visible_to(request.user)
        .select_related("company", "street", "ranking")
        .order_by("-ranking__quarter_start", "-consecutive", "company__name")[:60]
    )
    scheme = AssessmentScheme.objects.in_force(timezone.localdate())
    return render(
        request,
        "assessments/exit_list.html",
        {
            "cases": cases,
            "steps": steps,
            "consecutive_k": scheme.consecutive_k if scheme else 3,
        },
    )


# Excel exports -------------------------------------------------------------------


@login_required
def ranking_export(request):
    """The quarter's ranking, one sheet per street the user sees."""
    context = _ranking_context(request)
    quarter = context["quarter"]
    rows = QuarterlyRanking.objects.visible_to(request.user).filter(quarter=quarter)
    return ledger_response(
        request, exports.RANKINGS, rows, f"ranking-{quarter or 'none'}.xlsx"
    )


@login_required
def score_month_export(request):
    context = _month_context(request)
    month: date | None = context["month"]
    rows = MonthlyCompoundScore.objects.visible_to(request.user).filter(month=month)
    label = str(Month.of(month)) if month else "none"
    return ledger_response(
        request, exports.MONTHLY_SCORES, rows, f"monthly-scores-{label}.xlsx"
    )

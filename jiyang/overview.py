"""The street overview (街道红色物业总览): every figure of the programme for
one unit (a street, a community or a grid), live from the data.

`figures(unit)` computes plain values (numbers, names, dates) with a fixed
number of aggregate queries whatever the size of the street, and keeps them
in the cache for `OVERVIEW_CACHE_SECONDS` (at most a minute) per unit and
day: a figure is at most that old. The view (`jiyang/views.py`) decides
which unit the user may open (`unit_for`), and the template links every
figure to the list behind it (`links`).
"""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from assessments.models import (
    ExitCase,
    ExitLadderStep,
    Inspection,
    PlannedVisit,
    QuarterlyRanking,
    plan_street_ids,
)
from civic import services as civic_services
from civic.models import Meeting, MeetingAgendaItem
from common.parsing import parse_id
from common.periods import Month, Quarter, local_midnight
from compounds.models import (
    Committee,
    Compound,
    Facility,
    PackageMembership,
    PropertyCompany,
    ServiceContract,
    active_on_q,
)
from compounds.reports import seat_counts
from consultations.models import Concern, Theme
from org.models import LinkagePartner, OrgUnit
from org.rights import require
from org.scope import user_scope

PLACE_KINDS = (OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID)
TERM_DAYS = 90
TREND_MONTHS = 12
RANKING_QUARTERS = 4
CACHE_VERSION = 1


# Which unit ---------------------------------------------------------------


def home_units(user) -> list[OrgUnit]:
    """The units the user's overview starts from: the street, community or
    grid of each staff post (every street for a superuser)."""
    scope = user_scope(user)
    if scope.everything:
        return list(OrgUnit.objects.streets().order_by("code", "pk"))
    return sorted(
        (unit for unit in scope.staff_units if unit.kind in PLACE_KINDS),
        key=lambda unit: (PLACE_KINDS.index(unit.kind), unit.code, unit.pk),
    )


def unit_for(user, unit_id: str | None) -> OrgUnit:
    """The unit `user` asked for, or their first home unit.

    Refuses (403) a user whose role has no overview; answers 404 for a unit
    that does not exist, is not a street, community or grid, or lies outside
    the user's staff posts.
    """
    require(user, "jiyang.view_overview")
    homes = home_units(user)
    if not unit_id:
        if not homes:
            raise PermissionDenied
        return homes[0]
    pk = parse_id(unit_id)
    if pk is None:
        raise Http404
    units = OrgUnit.objects.filter(pk=pk, kind__in=PLACE_KINDS)
    if not user_scope(user).everything:
        units = units.filter(
            Q(pk__in=[unit.pk for unit in homes])
            | Q(pk__in=OrgUnit.objects.subtree_of(*homes).values("pk") if homes else [])
        )
    unit = units.first()
    if unit is None:
        raise Http404
    return unit


# The figures ----------------------------------------------------------------


def cache_key(unit: OrgUnit, today: date) -> str:
    return f"overview:{CACHE_VERSION}:{unit.pk}:{today.isoformat()}"


def figures(unit: OrgUnit, *, today: date | None = None) -> dict:
    """The overview's figures for `unit`, from the cache when fresh."""
    today = today or timezone.localdate()
    key = cache_key(unit, today)
    data = cache.get(key)
    if data is None:
        data = compute(unit, today=today)
        cache.set(key, data, settings.OVERVIEW_CACHE_SECONDS)
    return data


def forget(unit: OrgUnit, *, today: date | None = None) -> None:
    """Drop the cached figures of `unit` (the next call computes them)."""
    cache.delete(cache_key(unit, today or timezone.localdate()))


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def _in_unit(unit: OrgUnit, prefix: str = "") -> dict:
    """Lookup for rows placed in the tree (their street/community/grid copy)."""
    return {f"{prefix}{unit.kind}_id": unit.pk}


def compute(unit: OrgUnit, *, today: date) -> dict:
    """Every figure of the overview for `unit`, on `today`."""
    street = unit if unit.kind == OrgUnit.Kind.STREET else unit.street
    compounds = Compound.objects.filter(**_in_unit(unit))
    open_by_child = _open_concerns(unit)
    return {
        "unit": {"pk": unit.pk, "name": unit.name, "kind": unit.kind},
        "street_id": street.pk,
        "today": today,
        # Names this computation: the rendered figures are cached under it
        # (templates/jiyang/overview.html), so they never outlive the data.
        "computed_at": timezone.now().isoformat(),
        "tiers": _tiers(unit),
        "children": _children(unit, compounds, open_by_child),
        "compounds": _compounds(compounds, today),
        "committees": _committees(unit, today),
        "companies": _companies(unit, street, today),
        "seats": seat_counts(OrgUnit.objects.subtree_of(unit).grids(), today),
        "packages": _packages(unit, today),
        "facilities": _facilities(unit),
        "inspections": _inspections(unit, today),
        "ranking": _ranking(unit, street, today),
        "concerns": _concerns(unit, today, open_by_child),
        "themes": _themes(unit),
        "visits": _visits(compounds, street, today),
        "social": _social(unit),
    }


def _count_by(rows, field: str, total=None) -> dict:
    """{value of `field`: how many rows} (or the `total` aggregate), in one
    GROUP BY query."""
    return dict(
        rows.order_by()
        .values_list(field)
        .annotate(n=total or Count("pk"))
        .values_list(field, "n")
    )


def _tiers(unit: OrgUnit) -> dict[str, int]:
    counts = _count_by(OrgUnit.objects.subtree_of(unit), "kind")
    return {kind: counts.get(kind, 0) for kind in OrgUnit.Kind.values}


def _child_column(unit: OrgUnit) -> str:
    """The place column one level below `unit` (its own for a grid)."""
    return {OrgUnit.Kind.STREET: "community", OrgUnit.Kind.COMMUNITY: "grid"}.get(
        unit.kind, "grid"
    )


def _open_concerns(unit: OrgUnit) -> dict:
    """Open and overdue concerns under `unit` now, per unit one level down
    (None: a concern placed in no such unit), in one query."""
    column = _child_column(unit)
    now = timezone.now()
    return {
        row[column]: row
        for row in Concern.objects.open()
        .filter(**_in_unit(unit))
        .values(column)
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    }


def _children(unit: OrgUnit, compounds, open_by_child: dict) -> list[dict]:
    """The units one level down, with their compounds and open concerns."""
    if unit.kind == OrgUnit.Kind.GRID:
        return []
    column = _child_column(unit)
    units = list(
        OrgUnit.objects.filter(parent=unit).order_by("code", "pk").values("pk", "name")
    )
    by_compounds = {
        row[column]: row
        for row in compounds.values(column).annotate(
            compounds=Count("pk"), households=Sum("households")
        )
    }
    return [
        {
            "pk": child["pk"],
            "name": child["name"],
            "compounds": by_compounds.get(child["pk"], {}).get("compounds", 0),
            "households": by_compounds.get(child["pk"], {}).get("households") or 0,
            "open": open_by_child.get(child["pk"], {}).get("open", 0),
            "overdue": open_by_child.get(child["pk"], {}).get("overdue", 0),
        }
        for child in units
    ]


def _compounds(compounds, today: date) -> dict:
    access = Facility.objects.filter(
        compound=OuterRef("pk"), kind=Facility.Kind.ACCESS_CONTROL
    )
    three = Q(
        lacks_supervising_unit=True, lacks_property_service=True, lacks_security=True
    )
    company_mode = Q(management_mode=Compound.ManagementMode.COMPANY)
    nobody = Q(
        has_party_group=False,
        has_committee=False,
        has_building_head=False,
        has_company=False,
    )
    row = (
        compounds.with_governance(today)
        .annotate(has_access_control=Exists(access))
        .aggregate(
            total=Count("pk"),
            households=Sum("households"),
            three_without=Count("pk", filter=three),
            company=Count("pk", filter=Q(has_company=True)),
            committee=Count("pk", filter=Q(has_committee=True)),
            building_heads=Count("pk", filter=Q(has_building_head=True)),
            covered=Count(
                "pk",
                filter=Q(has_company=True)
                | Q(has_committee=True)
                | Q(has_building_head=True),
            ),
            no_one=Count("pk", filter=nobody),
            gaps=Count(
                "pk",
                filter=nobody
                | (company_mode & Q(has_company=False))
                | (~company_mode & Q(has_committee=False, has_building_head=False)),
            ),
            access_control=Count("pk", filter=Q(has_access_control=True)),
        )
    )
    row["households"] = row["households"] or 0
    total = row["total"]
    for name in ("company", "committee", "building_heads", "covered"):
        row[f"{name}_percent"] = _percent(row[name], total)
    row["access_control_percent"] = _percent(row["access_control"], total)
    return row


def _committees(unit: OrgUnit, today: date) -> dict:
    three = Q(
        compound__lacks_supervising_unit=True,
        compound__lacks_property_service=True,
        compound__lacks_security=True,
    )
    Kind = Committee.Kind
    return (
        Committee.objects.current(today)
        .filter(**_in_unit(unit, "compound__"))
        .aggregate(
            total=Count("pk"),
            owners=Count("pk", filter=Q(kind=Kind.OWNERS)),
            self_management=Count("pk", filter=Q(kind=Kind.SELF_MANAGEMENT)),
            self_in_three_without=Count(
                "pk", filter=Q(kind=Kind.SELF_MANAGEMENT) & three
            ),
            with_party_organisation=Count("pk", filter=Q(has_party_organisation=True)),
            ending_soon=Count(
                "pk", filter=Q(term_end__lte=today + timedelta(days=TERM_DAYS))
            ),
        )
    )


def _companies(unit: OrgUnit, street: OrgUnit, today: date) -> dict:
    """Companies serving a compound under `unit` today (and, for a street,
    those whose file it keeps), by party-building compliance."""
    serving = (
        ServiceContract.objects.filter(active_on_q(today))
        .filter(**_in_unit(unit, "compound__"))
        .values("company_id")
    )
    wanted = Q(pk__in=serving)
    if unit.kind == OrgUnit.Kind.STREET:
        wanted |= Q(registered_with=unit)
    counts = _count_by(
        PropertyCompany.objects.filter(wanted).with_compliance(), "party_compliance"
    )
    C = PropertyCompany.Compliance
    return {
        "total": sum(counts.values()),
        "organisation": counts.get(C.ORGANISATION, 0),
        "instructor": counts.get(C.INSTRUCTOR, 0),
        "breaking": counts.get(C.NEEDS_ORGANISATION, 0)
        + counts.get(C.NEEDS_INSTRUCTOR, 0),
    }


def _packages(unit: OrgUnit, today: date) -> dict:
    return (
        PackageMembership.objects.filter(active_on_q(today))
        .filter(active_on_q(today, "package__"))
        .filter(**_in_unit(unit, "compound__"))
        .aggregate(
            packages=Count("package", distinct=True),
            compounds=Count("compound", distinct=True),
        )
    )


def _facilities(unit: OrgUnit) -> dict:
    """Per kind: how many, in how many compounds, communities and places;
    and per community the charging pile groups and access control."""
    rows = Facility.objects.filter(**_in_unit(unit))
    kinds = {
        row["kind"]: row
        for row in rows.values("kind").annotate(
            total=Sum("count"),
            compounds=Count("compound", distinct=True),
            communities=Count("community", distinct=True),
            places=Count("location", distinct=True, filter=Q(compound__isnull=True)),
        )
    }
    per_community = list(
        Compound.objects.filter(**_in_unit(unit))
        .values("community", "community__name")
        .annotate(
            compounds=Count("pk", distinct=True),
            access_control=Count(
                "pk",
                distinct=True,
                filter=Q(facilities__kind=Facility.Kind.ACCESS_CONTROL),
            ),
        )
        .order_by("community__code", "community")
    )
    chargers = _count_by(
        rows.filter(kind=Facility.Kind.EV_CHARGER), "community", Sum("count")
    )
    return {
        "kinds": [
            {
                "kind": kind,
                "total": kinds[kind]["total"] or 0,
                "compounds": kinds[kind]["compounds"],
                "communities": kinds[kind]["communities"],
                "places": kinds[kind]["places"],
            }
            for kind in Facility.Kind.values
            if kind in kinds
        ],
        "by_community": [
            {
                "pk": row["community"],
                "name": row["community__name"],
                "compounds": row["compounds"],
                "access_control": row["access_control"],
                "access_percent": _percent(row["access_control"], row["compounds"]),
                "chargers": chargers.get(row["community"], 0),
            }
            for row in per_community
        ],
        "chargers": {
            "groups": sum(chargers.values()),
            "communities": sum(1 for n in chargers.values() if n),
        },
    }


def _inspections(unit: OrgUnit, today: date) -> dict:
    """Inspections done against the sealed draw, this month and last."""
    this = Month.of(today)
    scored = Inspection.objects.scored().filter(**_in_unit(unit))
    done = {
        row["month"]: row["n"]
        for row in scored.filter(month__in=[this.start, this.previous().start])
        .values("month")
        .annotate(n=Count("pk"))
    }
    planned = {
        row["plan__month"]: row
        for row in PlannedVisit.objects.filter(
            plan__month__in=[this.start, this.previous().start],
            **_in_unit(unit, "compound__"),
        )
        .values("plan__month")
        .annotate(
            n=Count("pk"),
            done=Count(
                "pk",
                filter=Exists(
                    Inspection.objects.scored().filter(
                        compound=OuterRef("compound"), month=OuterRef("plan__month")
                    )
                ),
            ),
        )
    }
    months = []
    for month in (this, this.previous()):
        plan = planned.get(month.start, {"n": 0, "done": 0})
        months.append(
            {
                "month": str(month),
                "month_start": month.start,
                "done": done.get(month.start, 0),
                "planned": plan["n"],
                "planned_done": plan["done"],
                "percent": _percent(plan["done"], plan["n"]),
            }
        )
    return {**months[0], "previous": months[1]}


def _ranking(unit: OrgUnit, street: OrgUnit, today: date) -> dict:
    """The latest ranked quarter of the street (the companies serving under
    `unit` for a community or grid), with prizes and the exit ladder, and
    the scores of the quarters before it."""
    since = Quarter.of(today).shifted(-(RANKING_QUARTERS + 1)).start
    rows = QuarterlyRanking.objects.filter(street=street, quarter_start__gte=since)
    exits = ExitCase.objects.filter(street=street).exclude(
        status__in=[ExitCase.Status.CLOSED, ExitCase.Status.WITHDRAWN]
    )
    if unit.kind != OrgUnit.Kind.STREET:
        serving = (
            ServiceContract.objects.filter(active_on_q(today))
            .filter(**_in_unit(unit, "compound__"))
            .values("company_id")
        )
        rows = rows.filter(company__in=serving)
        exits = exits.filter(company__in=serving)
    found = list(
        rows.order_by("quarter_start", "rank", "company__name").values(
            "quarter",
            "quarter_start",
            "company_id",
            "company__name",
            "score",
            "rank",
            "ranked_count",
            "is_bottom",
            "consecutive_bottom",
            "prize__title",
            "prize__amount",
            "ladder_step__kind",
        )
    )
    quarters = sorted({row["quarter"] for row in found})[-RANKING_QUARTERS:]
    latest = quarters[-1] if quarters else None
    table = [row for row in found if row["quarter"] == latest]
    history: dict[str, dict[str, Decimal]] = {}
    for row in found:
        if row["quarter"] in quarters:
            history.setdefault(row["company__name"], {})[row["quarter"]] = row["score"]
    open_exits = exits.count()
    return {
        "quarter": latest,
        "rows": table,
        "prizes": sum(1 for row in table if row["prize__title"]),
        "ladder": sum(1 for row in table if row["ladder_step__kind"]),
        "quarters": quarters,
        "history": history,
        "open_exit_cases": open_exits,
    }


def _concerns(unit: OrgUnit, today: date, open_by_child: dict) -> dict:
    """Open and overdue concerns now (the sums of `_open_concerns`); 三率
    this month and by month for a year (the definitions of
    `ConcernQuerySet.rates`)."""
    mine = Concern.objects.filter(**_in_unit(unit))
    counts = {
        name: sum(row[name] for row in open_by_child.values())
        for name in ("open", "overdue")
    }
    since = Month.of(today).shifted(-(TREND_MONTHS - 1))
    by_month = {
        timezone.localtime(row["month"]).date(): row
        for row in mine.filter(created_at__gte=local_midnight(since.start)).rates(
            unit.kind
        )
    }
    trend = []
    for i in range(TREND_MONTHS):
        month = since.shifted(i)
        row = by_month.get(month.start, {})
        trend.append(
            {
                "month": str(month),
                "total": row.get("total", 0),
                "response": _percent(
                    row.get("signed_on_time", 0), row.get("dispatched", 0)
                ),
                "resolution": _percent(row.get("resolved", 0), row.get("asked", 0)),
                "satisfaction": _percent(row.get("satisfied", 0), row.get("rated", 0)),
            }
        )
    return {**counts, "month": trend[-1], "trend": trend}


def _themes(unit: OrgUnit) -> dict:
    """Resolved (closed) concerns per theme, with meetings per theme, and
    how many resolved issues went through a meeting or a 流动茶桌."""
    closed = Q(concerns__status=Concern.Status.CLOSED, **_in_unit(unit, "concerns__"))
    themes = list(
        Theme.objects.annotate(resolved=Count("concerns", filter=closed, distinct=True))
        .filter(Q(is_active=True) | Q(resolved__gt=0))
        .order_by("order", "name")
        .values("pk", "name", "resolved")
    )
    meetings = _count_by(Meeting.objects.closed().filter(**_in_unit(unit)), "themes")
    for theme in themes:
        theme["meetings"] = meetings.get(theme["pk"], 0)
    agenda = MeetingAgendaItem.objects.filter(concern=OuterRef("pk"))
    tea = Meeting.Kind.TEA_TABLE
    totals = (
        Concern.objects.filter(status=Concern.Status.CLOSED, **_in_unit(unit))
        .filter(themes__isnull=False)
        .distinct()
        .annotate(
            at_meeting=Exists(agenda),
            at_tea_table=Exists(agenda.filter(meeting__kind=tea)),
        )
        .aggregate(
            resolved=Count("pk", distinct=True),
            through_meetings=Count("pk", distinct=True, filter=Q(at_meeting=True)),
            through_tea_table=Count(
                "pk",
                distinct=True,
                filter=Q(at_tea_table=True) | Q(source=Concern.Source.TEA_TABLE),
            ),
        )
    )
    return {"themes": themes, **totals}


def _visits(compounds, street: OrgUnit, today: date) -> dict:
    """Visit-day compliance of the latest month whose visit day has passed."""
    month = Month.of(today)
    day = civic_services.visit_day(month.year, month.number, street_id=street.pk)
    if day >= today:
        month = month.previous()
        day = civic_services.visit_day(month.year, month.number, street_id=street.pk)
    due = civic_services.compounds_due_for_visit(month.start, compounds)
    row = {
        "due": due.count(),
        "filed": due.filter(civic_services.report_on_visit_day()).count(),
    }
    return {
        "month": str(month),
        "day": day,
        "due": row["due"],
        "filed": row["filed"],
        "missing": row["due"] - row["filed"],
        "percent": _percent(row["filed"], row["due"]),
    }


def _social(unit: OrgUnit) -> dict[str, int]:
    if unit.kind == OrgUnit.Kind.STREET:
        rows = LinkagePartner.objects.filter(community__parent=unit)
    elif unit.kind == OrgUnit.Kind.COMMUNITY:
        rows = LinkagePartner.objects.filter(community=unit)
    else:
        rows = LinkagePartner.objects.filter(community_id=unit.parent_id)
    counts = _count_by(rows, "kind")
    return {kind: counts.get(kind, 0) for kind in LinkagePartner.Kind.values}


# Links ------------------------------------------------------------------------


def _url(name: str, params: dict | None = None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def links(unit: OrgUnit, data: dict) -> dict[str, str]:
    """The list behind each figure, cut to `unit` (the lists are scoped to
    the user besides)."""
    kind = unit.kind
    local = {} if kind == OrgUnit.Kind.STREET else {f"{kind}__id__exact": unit.pk}
    via_compound = (
        {} if kind == OrgUnit.Kind.STREET else {f"compound__{kind}__id__exact": unit.pk}
    )

    def admin(model: str, params: dict | None = None, place: dict | None = None):
        return _url(f"admin:{model}_changelist", {**(place or {}), **(params or {})})

    open_statuses = ",".join(Concern.OPEN_STATUSES)
    social_place = (
        {}
        if kind == OrgUnit.Kind.STREET
        else {
            "community__id__exact": unit.pk
            if kind == OrgUnit.Kind.COMMUNITY
            else unit.parent_id
        }
    )
    branch_place = {}
    if kind == OrgUnit.Kind.COMMUNITY:
        branch_place = {"branch__parent__id__exact": unit.pk}
    elif kind == OrgUnit.Kind.GRID:
        branch_place = {"branch__id__exact": unit.pk}
    month = data["inspections"]["month_start"]
    previous = data["inspections"]["previous"]["month_start"]
    found = {
        "tiers": admin("org_orgunit"),
        "grids": admin("org_orgunit", {"kind__exact": OrgUnit.Kind.GRID}),
        "compounds": admin("compounds_compound", place=local),
        "three_without": admin("compounds_compound", {"three_without": "all"}, local),
        "no_company": admin("compounds_compound", {"served": "no"}, local),
        "company": admin("compounds_compound", {"served": "yes"}, local),
        "committees": admin("compounds_committee", {"term": "current"}, via_compound),
        "owners": admin(
            "compounds_committee",
            {"term": "current", "kind__exact": Committee.Kind.OWNERS},
            via_compound,
        ),
        "self_management": admin(
            "compounds_committee",
            {"term": "current", "kind__exact": Committee.Kind.SELF_MANAGEMENT},
            via_compound,
        ),
        "terms_ending": admin("compounds_committee", {"term": "ending"}, via_compound),
        "building_heads": admin("compounds_buildinghead", place=via_compound),
        "companies": admin("compounds_propertycompany"),
        "organisation": admin(
            "compounds_propertycompany",
            {"compliance": PropertyCompany.Compliance.ORGANISATION},
        ),
        "instructor": admin(
            "compounds_propertycompany",
            {"compliance": PropertyCompany.Compliance.INSTRUCTOR},
        ),
        "breaking": admin("compounds_propertycompany", {"compliance": "breaking"}),
        "seats": admin("org_crossappointment", {"status": "active"}, branch_place),
        "gap_report": reverse("admin:compounds_reports"),
        "packages": admin("compounds_packagemembership", place=via_compound),
        "facilities": admin("compounds_facility", place=local),
        "inspections": admin(
            "assessments_inspection",
            {"month__exact": month.isoformat(), "status__exact": "submitted"},
            local,
        ),
        "inspections_previous": admin(
            "assessments_inspection",
            {"month__exact": previous.isoformat(), "status__exact": "submitted"},
            local,
        ),
        "plans": reverse("assessments:plans"),
        # The ranking page lists the rows of the streets the user works in;
        # below the street it opens on what the user may see.
        "ranking": _url(
            "assessments:ranking",
            {"quarter": data["ranking"]["quarter"]}
            if data["ranking"]["quarter"] and kind == OrgUnit.Kind.STREET
            else None,
        ),
        "rewards": reverse("assessments:rewards"),
        "exits": reverse("assessments:exits"),
        "ladder": admin("assessments_exitladderstep"),
        "concerns_open": admin(
            "consultations_concern", {"status__in": open_statuses}, local
        ),
        "concerns_overdue": admin(
            "consultations_concern",
            {
                "status__in": open_statuses,
                "due_at__lt": timezone.localtime().isoformat(timespec="seconds"),
            },
            local,
        ),
        "rates": reverse("consultations:staff-rates"),
        "resolved": admin(
            "consultations_concern",
            {"status__exact": Concern.Status.CLOSED, "themes__isnull": "False"},
            local,
        ),
        "meetings": admin(
            "civic_meeting",
            {"status__exact": Meeting.Status.CLOSED, "themes__isnull": "False"},
        ),
        "visits": _url("civic:visit-missing", {"month": data["visits"]["month"]}),
        "social": admin("org_linkagepartner", place=social_place),
    }
    for kind_value in Facility.Kind.values:
        found[f"facility_{kind_value}"] = admin(
            "compounds_facility", {"kind__exact": kind_value}, local
        )
    for kind_value in LinkagePartner.Kind.values:
        found[f"social_{kind_value}"] = admin(
            "org_linkagepartner", {"kind__exact": kind_value}, social_place
        )
    for theme in data["themes"]["themes"]:
        found[f"theme_{theme['pk']}"] = admin(
            "consultations_concern",
            {"status__exact": Concern.Status.CLOSED, "themes__id__exact": theme["pk"]},
            local,
        )
    return found


# The page ---------------------------------------------------------------------


def _number(value) -> float | None:
    return None if value is None else float(value)


def charts(data: dict) -> dict:
    """What the charts draw (static/js/overview.js), with their labels."""
    trend = data["concerns"]["trend"]
    ranking = data["ranking"]
    by_community = data["facilities"]["by_community"]
    return {
        "concerns": {
            "months": [row["month"] for row in trend],
            "total": [row["total"] for row in trend],
            "response": [_number(row["response"]) for row in trend],
            "resolution": [_number(row["resolution"]) for row in trend],
            "satisfaction": [_number(row["satisfaction"]) for row in trend],
            "labels": {
                "total": gettext("concerns submitted"),
                "response": gettext("response rate"),
                "resolution": gettext("resolution rate"),
                "satisfaction": gettext("satisfaction rate"),
            },
        },
        "scores": {
            "quarters": ranking["quarters"],
            "series": [
                {
                    "name": name,
                    "data": [_number(scores.get(q)) for q in ranking["quarters"]],
                }
                for name, scores in sorted(ranking["history"].items())
            ],
        },
        "facilities": {
            "communities": [row["name"] for row in by_community],
            "access": [_number(row["access_percent"]) for row in by_community],
            "chargers": [row["chargers"] for row in by_community],
            "labels": {
                "access": gettext("compounds with smart access control (%)"),
                "chargers": gettext("e-bike charging pile groups"),
            },
        },
    }


def page(user, unit: OrgUnit, data: dict) -> dict:
    """The template's context: the figures, their links, where one can go
    up and down from `unit`, and the charts' data."""
    homes = home_units(user)
    everything = user_scope(user).everything
    reachable = {home.pk for home in homes}
    trail = []
    for ancestor in OrgUnit.objects.ancestors_of(unit, include_self=False).filter(
        kind__in=PLACE_KINDS
    ):
        if everything or ancestor.pk in reachable or trail:
            trail.append(ancestor)
    sealed = plan_street_ids(user)
    urls = links(unit, data)
    facility_labels = dict(Facility.Kind.choices)
    social_labels = dict(LinkagePartner.Kind.choices)
    ladder_labels = dict(ExitLadderStep.Kind.choices)
    return {
        "facility_rows": [
            {
                **line,
                "label": facility_labels[line["kind"]],
                "url": urls[f"facility_{line['kind']}"],
            }
            for line in data["facilities"]["kinds"]
        ],
        "gas": next(
            (
                line
                for line in data["facilities"]["kinds"]
                if line["kind"] == Facility.Kind.GAS_PIPELINE
            ),
            {"places": 0, "total": 0},
        ),
        "social_rows": [
            {
                "kind": kind,
                "count": n,
                "label": social_labels[kind],
                "url": urls[f"social_{kind}"],
            }
            for kind, n in data["social"].items()
        ],
        "theme_rows": [
            {**theme, "url": urls[f"theme_{theme['pk']}"]}
            for theme in data["themes"]["themes"]
        ],
        "inspection_months": [
            {**data["inspections"], "url": urls["inspections"]},
            {**data["inspections"]["previous"], "url": urls["inspections_previous"]},
        ],
        "ranking_rows": [
            {**row, "ladder": ladder_labels.get(row["ladder_step__kind"], "")}
            for row in data["ranking"]["rows"]
        ],
        "unit": unit,
        "data": data,
        "links": urls,
        "charts": charts(data),
        "trail": trail,
        "homes": [home for home in homes if home.pk != unit.pk]
        if len(homes) > 1
        else [],
        "child_kind": {
            OrgUnit.Kind.STREET: OrgUnit.Kind.COMMUNITY,
            OrgUnit.Kind.COMMUNITY: OrgUnit.Kind.GRID,
        }.get(unit.kind),
        # The draw is sealed: only the street's inspection staff see how
        # many visits it planned.
        "sees_plan": sealed is None or data["street_id"] in sealed,
        "cache_seconds": settings.OVERVIEW_CACHE_SECONDS,
    }

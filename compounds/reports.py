"""Reports for the street office, each cut to what the user may see."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import CrossAppointment, OrgUnit

from .models import (
    Committee,
    Compound,
    Facility,
    PropertyCompany,
    ServiceContract,
    active_on_q,
)

Seat = CrossAppointment.Seat


def _visible(queryset: QuerySet, user) -> QuerySet:
    return queryset if user is None else queryset.visible_to(user)


def party_rule_breakers(*, user=None) -> QuerySet:
    """Companies breaking "3+ party members → own organisation, else instructor"."""
    return _visible(PropertyCompany.objects.all(), user).breaking_party_rule()


@dataclass(frozen=True)
class SeatGap:
    """A grid party branch with cross-appointment seats nobody holds."""

    branch: OrgUnit
    expected: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def missing_labels(self) -> list[str]:
        return [str(Seat(seat).label) for seat in self.missing]

    @property
    def missing_seats(self) -> list[tuple[str, str]]:
        """(seat, label) of each missing seat, for the links that fill it."""
        return [(seat, str(Seat(seat).label)) for seat in self.missing]

    @property
    def expected_labels(self) -> list[str]:
        return [str(Seat(seat).label) for seat in self.expected]


def branches_with_seats(branches: QuerySet, on: date | None = None) -> QuerySet:
    """Annotate each grid branch with the seats it expects and holds on `on`.

    Every branch expects a community seat; a company seat when a company
    serves any of its compounds; an owners'-committee seat when any of its
    compounds has an owners' committee in its term.
    """
    on = on or timezone.localdate()
    in_branch = {"compound__grid": OuterRef("pk")}
    seats = CrossAppointment.objects.active(on).filter(branch=OuterRef("pk"))
    return branches.annotate(
        expects_company=Exists(
            ServiceContract.objects.filter(active_on_q(on)).filter(**in_branch)
        ),
        expects_owners=Exists(
            Committee.objects.current(on)
            .filter(kind=Committee.Kind.OWNERS)
            .filter(**in_branch)
        ),
        has_community=Exists(seats.filter(seat=Seat.COMMUNITY)),
        has_company=Exists(seats.filter(seat=Seat.COMPANY)),
        has_owners=Exists(seats.filter(seat=Seat.OWNERS_COMMITTEE)),
    )


_SEAT_MISSING = (
    Q(has_community=False)
    | Q(expects_company=True, has_company=False)
    | Q(expects_owners=True, has_owners=False)
)


def seat_counts(branches: QuerySet, on: date | None = None) -> dict[str, int]:
    """Seats expected and filled over `branches`, and branches with a gap.

    One aggregate query: `expected`, `filled`, `branches_with_gap`.
    """
    rows = branches_with_seats(branches, on).aggregate(
        branches=Count("pk"),
        company_expected=Count("pk", filter=Q(expects_company=True)),
        owners_expected=Count("pk", filter=Q(expects_owners=True)),
        community_filled=Count("pk", filter=Q(has_community=True)),
        company_filled=Count("pk", filter=Q(expects_company=True, has_company=True)),
        owners_filled=Count("pk", filter=Q(expects_owners=True, has_owners=True)),
        branches_with_gap=Count("pk", filter=_SEAT_MISSING),
    )
    return {
        "expected": rows["branches"]
        + rows["company_expected"]
        + rows["owners_expected"],
        "filled": rows["community_filled"]
        + rows["company_filled"]
        + rows["owners_filled"],
        "branches_with_gap": rows["branches_with_gap"],
    }


def cross_appointment_gaps(
    *, user=None, on: date | None = None, branches: QuerySet | None = None
) -> list[SeatGap]:
    """Grid branches missing a seat they should have filled (see
    `branches_with_seats`), among `branches` or those `user` sees. One
    query."""
    if branches is None:
        branches = _visible(OrgUnit.objects.grids(), user)
    found = (
        branches_with_seats(branches, on)
        .filter(_SEAT_MISSING)
        .select_related("parent")
        .in_tree_order()
    )
    gaps = []
    for branch in found:
        wanted = [
            (Seat.COMMUNITY, True, branch.has_community),
            (Seat.COMPANY, branch.expects_company, branch.has_company),
            (Seat.OWNERS_COMMITTEE, branch.expects_owners, branch.has_owners),
        ]
        gaps.append(
            SeatGap(
                branch=branch,
                expected=tuple(seat.value for seat, expected, _ in wanted if expected),
                missing=tuple(
                    seat.value
                    for seat, expected, held in wanted
                    if expected and not held
                ),
            )
        )
    return gaps


class Gap(StrEnum):
    """Why a compound is on the gap report."""

    NO_ONE = "no_one"
    NO_COMPANY = "no_company"
    NO_SELF_GOVERNMENT = "no_self_government"

    @property
    def label(self) -> str:
        return str(GAP_LABELS[self])


GAP_LABELS = {
    Gap.NO_ONE: _(
        "governed by no one: no party group, no committee or building head, no company"
    ),
    Gap.NO_COMPANY: _("company-managed, but no company serves it"),
    Gap.NO_SELF_GOVERNMENT: _(
        "self-governed, but no committee in its term and no building head"
    ),
}


@dataclass(frozen=True)
class CompoundGap:
    compound: Compound
    gaps: tuple[Gap, ...]

    @property
    def labels(self) -> list[str]:
        return [gap.label for gap in self.gaps]


def governance_gaps(
    *, user=None, on: date | None = None, compounds: QuerySet | None = None
) -> list[CompoundGap]:
    """Compounds with a governance gap (`with_governance_gaps`), among
    `compounds` or those `user` sees, by community and name. One query."""
    if compounds is None:
        compounds = _visible(Compound.objects.all(), user)
    rows = (
        compounds.with_governance_gaps(on)
        .select_related("community", "grid")
        .order_by("community__name", "name", "pk")
    )
    company_mode = Compound.ManagementMode.COMPANY
    found = []
    for compound in rows:
        gaps = []
        if not (
            compound.has_party_group
            or compound.has_committee
            or compound.has_building_head
            or compound.has_company
        ):
            gaps.append(Gap.NO_ONE)
        if compound.management_mode == company_mode and not compound.has_company:
            gaps.append(Gap.NO_COMPANY)
        if compound.management_mode != company_mode and not (
            compound.has_committee or compound.has_building_head
        ):
            gaps.append(Gap.NO_SELF_GOVERNMENT)
        found.append(CompoundGap(compound=compound, gaps=tuple(gaps)))
    return found


def terms_ending_soon(*, user=None, days: int = 90, on: date | None = None):
    """Committees whose term ends within `days` days, soonest first."""
    return (
        _visible(Committee.objects.all(), user)
        .terms_ending_within(days, on)
        .select_related("compound", "compound__community")
        .order_by("term_end", "name")
    )


@dataclass(frozen=True)
class FacilityLine:
    kind: str
    label: str
    total: int
    compounds: int
    communities: int


def facility_summary(*, user=None) -> list[FacilityLine]:
    """Per kind: how many, in how many compounds and communities."""
    rows = _visible(Facility.objects.all(), user).summary()
    return [
        FacilityLine(
            kind=row["kind"],
            label=str(Facility.Kind(row["kind"]).label),
            total=row["total"] or 0,
            compounds=row["compounds"],
            communities=row["communities"],
        )
        for row in rows
    ]

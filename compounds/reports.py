"""Reports for the street office, each cut to what the user may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from org.models import CrossAppointment, OrgUnit

from .models import (
    Committee,
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
    def expected_labels(self) -> list[str]:
        return [str(Seat(seat).label) for seat in self.expected]


def cross_appointment_gaps(*, user=None, on: date | None = None) -> list[SeatGap]:
    """Grid branches missing a seat they should have filled.

    Every branch expects a community seat; a company seat when a company
    serves any of its compounds on `on`; an owners'-committee seat when any
    of its compounds has an owners' committee in its term on `on`. One query.
    """
    on = on or timezone.localdate()
    in_branch = {"compound__grid": OuterRef("pk")}
    seats = CrossAppointment.objects.active(on).filter(branch=OuterRef("pk"))
    branches = (
        _visible(OrgUnit.objects.grids(), user)
        .annotate(
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
        .filter(
            Q(has_community=False)
            | Q(expects_company=True, has_company=False)
            | Q(expects_owners=True, has_owners=False)
        )
        .select_related("parent")
        .in_tree_order()
    )
    gaps = []
    for branch in branches:
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

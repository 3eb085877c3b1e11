"""Small builders for the scoring tests: schemes, inspections, contracts."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from assessments.models import (
    AssessmentScheme,
    Inspection,
    InspectionItemResult,
    PrizeTier,
    SchemeCategory,
    SchemeItem,
    VetoRule,
)
from tests.factories import (
    CompoundFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
)

D = Decimal


def small_scheme(**fields) -> AssessmentScheme:
    """A 20-point scheme: A1 (10, −2 each), A2 (5, −1, may be N/A), G1 poll (5)."""
    defaults = {
        "name": "测试考核办法",
        "version": 1,
        # After the default scheme's start, so it is the version in force.
        "valid_from": date(2023, 1, 1),
        "min_inspections_per_quarter": 1,
        "satisfaction_min_sample": 10,
    }
    scheme = AssessmentScheme.objects.create(**{**defaults, **fields})
    cat = SchemeCategory.objects.create(
        scheme=scheme, code="A", name="综合", max_points=D("15"), order=1
    )
    SchemeItem.objects.create(
        category=cat, code="A1", name="环境", max_points=D("10"), deduction=D("2")
    )
    SchemeItem.objects.create(
        category=cat,
        code="A2",
        name="设施",
        max_points=D("5"),
        deduction=D("1"),
        allows_na=True,
    )
    poll = SchemeCategory.objects.create(
        scheme=scheme, code="G", name="满意度", max_points=D("5"), order=2
    )
    SchemeItem.objects.create(
        category=poll,
        code="G1",
        name="满意度测评",
        max_points=D("5"),
        is_satisfaction_poll=True,
    )
    VetoRule.objects.create(scheme=scheme, code="V1", name="重大安全事故")
    for rank, title, amount in [
        (1, "一等奖", 5000),
        (2, "二等奖", 3000),
        (3, "三等奖", 2000),
    ]:
        PrizeTier.objects.create(scheme=scheme, rank=rank, title=title, amount=amount)
    return scheme


def serve(compound, company=None, *, start=date(2020, 1, 1), end=None):
    company = company or PropertyCompanyFactory(registered_with=compound.street)
    ServiceContractFactory(compound=compound, company=company, start=start, end=end)
    return company


def inspect(
    compound,
    scheme,
    day: date,
    occurrences: dict[str, int] | None = None,
    *,
    na: tuple[str, ...] = (),
    poll: tuple[int, int, int] = (0, 0, 0),
    veto: bool = False,
    status: str = Inspection.Status.SUBMITTED,
) -> Inspection:
    """A submitted inspection with one result row per scheme item."""
    occurrences = occurrences or {}
    inspection = Inspection.objects.create(
        compound=compound,
        scheme=scheme,
        date=day,
        status=status,
        satisfied=poll[0],
        basically_satisfied=poll[1],
        dissatisfied=poll[2],
        veto=scheme.vetoes.first() if veto else None,
        submitted_at=timezone.now() if status == Inspection.Status.SUBMITTED else None,
    )
    InspectionItemResult.objects.bulk_create(
        InspectionItemResult(
            inspection=inspection,
            item=item,
            occurrences=occurrences.get(item.code, 0),
            not_applicable=item.code in na,
        )
        for item in scheme.items()
    )
    return inspection


def compound_in(grid, households=100, **kwargs):
    return CompoundFactory(grid=grid, households=households, **kwargs)

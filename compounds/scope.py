"""How company staff reach their company and the compounds it serves."""

from django.db.models import Q
from django.utils import timezone

from .models import CompanyStaff, ServiceContract, active_on_q


def company_scope(person_id: int) -> tuple[frozenset[int], frozenset[int]]:
    today = timezone.localdate()
    company_ids = frozenset(
        CompanyStaff.objects.active(today)
        .filter(person_id=person_id)
        .values_list("company_id", flat=True)
    )
    if not company_ids:
        return frozenset(), frozenset()
    compound_ids = frozenset(
        ServiceContract.objects.filter(company_id__in=company_ids)
        .filter(active_on_q(today))
        .values_list("compound_id", flat=True)
    )
    return company_ids, compound_ids


def company_people_q(company_ids: frozenset[int]) -> Q:
    """People with a staff seat, current or past, at one of the companies."""
    return Q(
        pk__in=CompanyStaff.objects.filter(company_id__in=company_ids).values(
            "person_id"
        )
    )

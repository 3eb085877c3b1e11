"""The ledgers of compounds/ as workbooks (see `org.exports`).

Related rows (a compound's committees and building heads, a committee's
members) come on their own sheets, one row each, filtered by the exported
rows in one subquery: set-based on every database, no per-row query.
"""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.xlsx import Kind, Sheet
from org.exports import Field, Ledger, sheet_of

from .models import (
    BuildingHead,
    Committee,
    CommitteeMember,
    Compound,
    PartyInstructor,
    PropertyCompany,
    ServiceContract,
    active_on_q,
)


def _serving(field: str, prefix: str = "compound") -> Subquery:
    """A field of the service contract in force today, per exported row."""
    contracts = ServiceContract.objects.filter(
        active_on_q(timezone.localdate()), **{prefix: OuterRef("pk")}
    ).order_by("-start")
    return Subquery(contracts.values(field)[:1])


def compound_sheets(compounds: QuerySet, user) -> list[Sheet]:
    ids = compounds.values("pk")
    return [
        sheet_of(
            _("compounds"),
            compounds.order_by("community__name", "name"),
            [
                "name",
                "street__name",
                "community__name",
                "grid__name",
                "party_group__name",
                "address",
                "households",
                "buildings",
                "year_built",
                "service_grade",
                "kind",
                "lacks_supervising_unit",
                "lacks_property_service",
                "lacks_security",
                "management_mode",
                Field("serving_company", _("serving company")),
                Field("contract_start", _("contract start"), Kind.DATE),
            ],
            serving_company=_serving("company__name"),
            contract_start=_serving("start"),
        ),
        sheet_of(
            _("committees"),
            Committee.objects.filter(compound__in=ids).order_by(
                "compound__name", "-term_start"
            ),
            [
                Field("compound__name", _("compound")),
                "kind",
                "name",
                "term_start",
                "term_end",
                "has_party_organisation",
            ],
        ),
        sheet_of(
            _("building heads"),
            BuildingHead.objects.filter(compound__in=ids).order_by(
                "compound__name", "building", "-start"
            ),
            [
                Field("compound__name", _("compound")),
                "building",
                Field("person__name", _("building head")),
                "start",
                "end",
            ],
        ),
    ]


def company_sheets(companies: QuerySet, user) -> list[Sheet]:
    today = timezone.localdate()
    instructors = PartyInstructor.objects.filter(
        active_on_q(today), company=OuterRef("pk")
    ).order_by("-start")
    served = (
        ServiceContract.objects.filter(active_on_q(today), company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(n=Count("compound", distinct=True))
        .values("n")
    )
    return [
        sheet_of(
            _("property companies"),
            companies.order_by("name"),
            [
                "name",
                "credit_code",
                Field("registered_with__name", _("registered with")),
                "legal_representative",
                "contact_person",
                "contact_phone",
                "address",
                "party_member_count",
                Field("party_organisation__name", _("party organisation")),
                Field("instructor", _("party-building instructor")),
                Field("compounds_served", _("compounds served"), Kind.INTEGER),
            ],
            instructor=Subquery(instructors.values("person__name")[:1]),
            compounds_served=Subquery(served[:1]),
        )
    ]


def committee_sheets(committees: QuerySet, user) -> list[Sheet]:
    return [
        sheet_of(
            _("committees"),
            committees.order_by("compound__community__name", "compound__name"),
            [
                Field("compound__name", _("compound")),
                Field("compound__community__name", _("community")),
                "kind",
                "name",
                "established",
                "term_start",
                "term_end",
                "has_party_organisation",
                "is_benchmark",
            ],
        ),
        sheet_of(
            _("committee members"),
            CommitteeMember.objects.filter(committee__in=committees.values("pk"))
            .order_by("committee__compound__name", "committee__name", "role")
            .select_related(None),
            [
                Field("committee__compound__name", _("compound")),
                Field("committee__name", _("committee")),
                Field("person__name", _("name")),
                "role",
                Field("person__is_party_member", _("party member")),
            ],
        ),
    ]


COMPOUNDS = Ledger(
    "compounds", _("Compounds and their governance"), Compound, compound_sheets
)
COMPANIES = Ledger(
    "companies", _("Property companies"), PropertyCompany, company_sheets
)
COMMITTEES = Ledger(
    "committees",
    _("Owners' and self-management committees"),
    Committee,
    committee_sheets,
)

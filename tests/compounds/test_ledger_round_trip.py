"""Exporting a ledger in its template's layout and importing the file back
gives the same records: nothing is created, nothing changes."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from compounds.ledgers import LEDGERS, export_workbook, import_ledger
from compounds.models import Compound, PropertyCompany, ServiceContract

from ..factories import CompoundFactory, PropertyCompanyFactory, ServiceContractFactory

pytestmark = pytest.mark.django_db


def exported(slug, user) -> BytesIO:
    out = BytesIO()
    export_workbook(LEDGERS[slug], user=user, target=out)
    out.seek(0)
    return out


@pytest.fixture
def ledger_world(street, grid, other_grid):
    company = PropertyCompanyFactory(
        registered_with=street, name="红心物业", party_member_count=4, address="=A1 路"
    )
    first = CompoundFactory(
        grid=grid,
        name="水景花苑",
        households=412,
        buildings=9,
        year_built=2003,
        kind=Compound.Kind.OLD,
        management_mode=Compound.ManagementMode.COMPANY,
        lacks_security=True,
        notes="+ 老年人多",
    )
    CompoundFactory(grid=other_grid, name="运河小区", households=0, buildings=1)
    ServiceContractFactory(
        compound=first,
        company=company,
        start=date(2024, 3, 1),
        end=date(2027, 2, 28),
        monthly_fee_per_sqm=Decimal("0.85"),
    )
    return company


def snapshot():
    return (
        list(Compound.objects.order_by("pk").values()),
        list(PropertyCompany.objects.order_by("pk").values()),
        list(ServiceContract.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("slug", ["compounds", "companies", "contracts"])
def test_export_then_import_changes_nothing(street_admin, ledger_world, slug):
    before = snapshot()

    report = import_ledger(
        LEDGERS[slug], exported(slug, street_admin), user=street_admin, apply=True
    )

    assert report.ok, report.problems
    assert report.rows > 0
    assert report.count("unchanged") == report.rows
    assert snapshot() == before


def test_the_export_has_the_templates_headers_below_a_title(street_admin, ledger_world):
    sheet = load_workbook(exported("compounds", street_admin)).worksheets[0]

    assert [cell.value for cell in sheet[3]] == list(LEDGERS["compounds"].headers)
    assert sheet["A4"].value in {"水景花苑", "运河小区"}


def test_exported_files_rebuild_the_records_in_an_empty_street(
    street_admin, ledger_world
):
    files = {
        slug: exported(slug, street_admin)
        for slug in ("companies", "compounds", "contracts")
    }
    before = snapshot()
    ServiceContract.objects.all().delete()
    Compound.objects.all().delete()
    PropertyCompany.objects.all().delete()

    for slug in ("companies", "compounds", "contracts"):
        report = import_ledger(
            LEDGERS[slug], files[slug], user=street_admin, apply=True
        )
        assert report.applied, (slug, report.file_error, report.problems)

    def without_ids(rows, *drop):
        return [
            {k: v for k, v in row.items() if k not in ("id", *drop)} for row in rows
        ]

    compounds, companies, contracts = snapshot()
    assert without_ids(compounds) == without_ids(before[0])
    assert without_ids(companies) == without_ids(before[1])
    assert len(contracts) == len(before[2]) == 1
    assert (
        contracts[0]["start"],
        contracts[0]["end"],
        contracts[0]["monthly_fee_per_sqm"],
    ) == (date(2024, 3, 1), date(2027, 2, 28), Decimal("0.85"))


def test_the_export_page_downloads_the_visible_records_and_is_audited(
    client, community_staff, ledger_world, other_community
):
    from django.urls import reverse

    from org.models import AuditEvent

    from ..factories import GridFactory

    CompoundFactory(grid=GridFactory(parent=other_community), name="别的社区的小区")
    client.force_login(community_staff)

    response = client.get(reverse("compounds:ledger-export", args=["compounds"]))

    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    names = {row[0].value for row in sheet.iter_rows(min_row=4)}
    assert names == {"水景花苑", "运河小区"}
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, actor=community_staff
    ).exists()

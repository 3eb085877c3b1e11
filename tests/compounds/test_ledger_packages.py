"""The service packages ledger: bundled compounds under one company."""

import pytest

from compounds.models import PackageMembership, ServicePackage
from org.models import AuditEvent

from ..factories import CompoundFactory, PropertyCompanyFactory
from ..ledgers import exported, messages, run, workbook

pytestmark = pytest.mark.django_db

HEADERS = [
    "片区名称",
    "统一社会信用代码",
    "社区",
    "牵头小区",
    "成员小区",
    "开始日期",
    "结束日期",
]


@pytest.fixture
def company():
    return PropertyCompanyFactory()


def package(company, lead, members="", start="2024-03-01", end=""):
    return [
        "运河片区",
        company.credit_code,
        lead.community.name,
        lead.name,
        members,
        start,
        end,
    ]


def test_a_package_and_its_members(street_admin, company, compound, other_compound):
    upload = workbook(HEADERS, package(company, compound, other_compound.name))

    report = run("packages", upload, street_admin)

    assert report.applied, messages(report)
    made = ServicePackage.objects.get()
    assert (made.company, made.lead_compound) == (company, compound)
    assert set(made.memberships.values_list("compound", flat=True)) == {
        compound.pk,
        other_compound.pk,
    }


def test_reimport_is_a_no_op_and_an_end_updates_with_audit(
    street_admin, company, compound, other_compound
):
    row = package(company, compound, other_compound.name)
    run("packages", workbook(HEADERS, row), street_admin)
    assert run("packages", workbook(HEADERS, row), street_admin).count("unchanged") == 1

    row[6] = "2025-12-31"
    assert run("packages", workbook(HEADERS, row), street_admin).count("update") == 1
    assert set(PackageMembership.objects.values_list("end", flat=True)) == {
        ServicePackage.objects.get().end
    }
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).latest(
        "pk"
    )
    assert "2025-12-31" in event.detail


def test_bad_rows_are_errors(street_admin, company, compound, other_compound):
    upload = workbook(
        HEADERS,
        package(company, compound, "不存在的小区"),
        [
            "乙片区",
            "91370811MA0000000X",
            compound.community.name,
            compound.name,
            "",
            "2024-03-01",
            "",
        ],
        [
            "丙片区",
            company.credit_code,
            compound.community.name,
            compound.name,
            "",
            "2024-03-01",
            "2023-01-01",
        ],
        [
            "丁片区",
            company.credit_code,
            compound.community.name,
            other_compound.name,
            f"{compound.name}、{compound.name}",
            "2024-03-01",
            "",
        ],
    )

    report = run("packages", upload, street_admin)

    assert [(p.row, p.column) for p in report.problems] == [
        (2, "成员小区"),
        (3, "统一社会信用代码"),
        (4, "结束日期"),
        (5, "成员小区"),
    ]
    assert not ServicePackage.objects.exists()


def test_a_compound_in_two_packages_at_once_is_an_error(
    street_admin, company, compound, other_compound
):
    upload = workbook(
        HEADERS,
        package(company, compound),
        [
            "乙片区",
            company.credit_code,
            other_compound.community.name,
            other_compound.name,
            compound.name,
            "2024-06-01",
            "",
        ],
    )

    report = run("packages", upload, street_admin)

    assert [(p.row, p.column) for p in report.problems] == [(3, "成员小区")]
    assert not ServicePackage.objects.exists()


def test_community_staff_may_not_import_packages(client, community_staff):
    from django.urls import reverse

    client.force_login(community_staff)

    response = client.get(reverse("compounds:ledger-import", args=["packages"]))

    assert response.status_code == 403


def test_export_then_import_changes_nothing(
    street_admin, company, compound, other_compound
):
    CompoundFactory(grid=compound.grid, name="第三小区")
    run(
        "packages",
        workbook(
            HEADERS, package(company, compound, f"{other_compound.name}、第三小区")
        ),
        street_admin,
    )

    report = run("packages", exported("packages", street_admin), street_admin)

    assert report.applied, messages(report)
    assert (report.count("unchanged"), report.count("update")) == (1, 0)

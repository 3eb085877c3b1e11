"""Bringing the compounds and companies ledgers in from Excel.

Each test writes a workbook as a clerk would fill the template, runs the
dry run or the import through `import_ledger`, and checks the report and
the database. The page and its jobs: tests/compounds/test_ledger_jobs.py.
"""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from compounds.ledgers import LEDGERS, NOTES_SHEET, import_ledger, template_workbook
from compounds.models import Compound, PropertyCompany
from org.models import AuditEvent

from ..factories import CompoundFactory, PropertyCompanyFactory, credit_code
from ..ledgers import workbook

pytestmark = pytest.mark.django_db

COMPOUNDS = LEDGERS["compounds"]
COMPANIES = LEDGERS["companies"]
COMPOUND_HEADERS = ["小区名称", "社区", "网格", "类型", "管理方式", "户数", "楼栋数"]


def compound_row(
    name="幸福家园",
    community="运河社区",
    grid="运河社区第一网格党支部",
    kind="商品房小区",
    mode="物业公司",
    households=320,
    buildings=8,
):
    return [name, community, grid, kind, mode, households, buildings]


def compounds_file(*rows):
    return workbook(COMPOUND_HEADERS, *(rows or [compound_row()]))


def run(ledger, upload, user, apply=True):
    return import_ledger(ledger, upload, user=user, apply=apply)


def messages(report):
    return [(p.row, p.column, p.message) for p in report.problems]


# Templates --------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(LEDGERS))
def test_template_has_chinese_headers_an_example_row_and_notes(slug):
    ledger = LEDGERS[slug]
    book = load_workbook(BytesIO(template_workbook(ledger)))

    sheet, notes = book.worksheets
    headers = [cell.value for cell in sheet[1]]
    assert headers == list(ledger.headers)
    assert any(cell.value not in (None, "") for cell in sheet[2])
    assert notes.title == NOTES_SHEET
    assert [
        row[0].value for row in notes.iter_rows(min_row=2, max_row=len(headers) + 1)
    ] == headers


def test_the_compounds_template_itself_imports(street_admin, grid):
    # The example names 济阳社区/第一网格党支部; rename them to the test street's.
    book = load_workbook(BytesIO(template_workbook(COMPOUNDS)))
    sheet = book.worksheets[0]
    sheet["B2"], sheet["C2"] = grid.parent.name, grid.name
    out = BytesIO()
    book.save(out)
    out.seek(0)

    report = run(COMPOUNDS, out, street_admin)

    assert report.applied, messages(report)
    assert Compound.objects.get(name="幸福家园").grid == grid


def test_the_companies_template_itself_imports(street_admin):
    report = run(COMPANIES, BytesIO(template_workbook(COMPANIES)), street_admin)

    assert report.applied, messages(report)
    company = PropertyCompany.objects.get(credit_code="91370811MA3C8F2X17")
    assert company.registered_with == street_admin.person.unit
    assert company.party_member_count == 4


def test_the_template_page_downloads_an_xlsx(client, street_admin):
    client.force_login(street_admin)

    response = client.get(reverse("compounds:ledger-template", args=["compounds"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    load_workbook(BytesIO(response.content))


# Good rows, re-import, changed rows --------------------------------------------------


def test_good_rows_create_compounds(street_admin, grid, other_grid):
    upload = compounds_file(
        compound_row(),
        compound_row(
            "和平里",
            grid=other_grid.code,
            kind="老旧小区",
            mode="自管会",
            households="１２０",
            buildings="",
        ),
    )

    report = run(COMPOUNDS, upload, street_admin)

    assert report.applied and report.count("create") == 2
    peace = Compound.objects.get(name="和平里")
    assert (peace.grid, peace.kind, peace.management_mode) == (
        other_grid,
        Compound.Kind.OLD,
        Compound.ManagementMode.SELF,
    )
    assert (peace.households, peace.buildings) == (120, 1)
    assert peace.community == grid.parent


def test_dry_run_reports_what_would_be_created_and_stores_nothing(street_admin, grid):
    report = run(COMPOUNDS, compounds_file(), street_admin, apply=False)

    assert report.ok and not report.applied
    assert [(o.row, o.action) for o in report.outcomes] == [(2, "create")]
    assert not Compound.objects.exists()


def test_reimporting_the_same_file_changes_nothing(street_admin, grid):
    run(COMPOUNDS, compounds_file(), street_admin)
    before = list(Compound.objects.values())
    events = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).count()

    report = run(COMPOUNDS, compounds_file(), street_admin)

    assert report.applied and report.count("unchanged") == 1
    assert list(Compound.objects.values()) == before
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).count()
        == events
    )


def test_a_changed_row_updates_the_record_and_is_audited(street_admin, grid):
    existing = CompoundFactory(
        grid=grid,
        name="幸福家园",
        households=300,
        buildings=8,
        kind=Compound.Kind.COMMERCIAL,
        management_mode=Compound.ManagementMode.COMPANY,
    )

    report = run(COMPOUNDS, compounds_file(compound_row(households=320)), street_admin)

    assert report.count("update") == 1
    existing.refresh_from_db()
    assert existing.households == 320
    event = AuditEvent.objects.get(action=AuditEvent.Action.LEDGER_UPDATE)
    assert event.object_id == str(existing.pk)
    assert "300 → 320" in event.detail
    assert event.actor == street_admin


def test_a_company_is_matched_by_its_credit_code(street_admin, street):
    company = PropertyCompanyFactory(
        registered_with=street, name="旧名物业", party_member_count=1
    )
    upload = workbook(
        ["统一社会信用代码", "企业名称", "党员人数"],
        [company.credit_code, "新名物业", 3],
    )

    report = run(COMPANIES, upload, street_admin)

    assert report.count("update") == 1
    company.refresh_from_db()
    assert (company.name, company.party_member_count) == ("新名物业", 3)
    assert PropertyCompany.objects.count() == 1


# Bad rows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (compound_row(community="不存在社区"), "社区", "未知社区"),
        (compound_row(grid="第九网格"), "网格", "该社区没有这个网格"),
        (compound_row(kind="别墅"), "类型", "可填的值"),
        (compound_row(households="三百"), "户数", "不是整数"),
        (compound_row(households=-4), "户数", "必须大于或等于"),
        (compound_row(name=""), "小区名称", "必填"),
    ],
    ids=[
        "unknown-community",
        "unknown-grid",
        "bad-kind",
        "households-not-a-number",
        "negative",
        "missing-name",
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_stored(
    street_admin, grid, row, column, message
):
    upload = compounds_file(compound_row("好的一行"), row)

    report = run(COMPOUNDS, upload, street_admin)

    assert not report.applied
    [(number, found_column, text)] = messages(report)
    assert (number, found_column) == (3, column)
    assert message in text
    assert not Compound.objects.exists()


def test_a_duplicate_row_in_the_file_is_an_error(street_admin, grid):
    report = run(
        COMPOUNDS, compounds_file(compound_row(), compound_row()), street_admin
    )

    assert messages(report) == [(3, "小区名称", "与本文件第 2 行重复。")]
    assert not Compound.objects.exists()


def test_an_invalid_credit_code_is_an_error(street_admin):
    bad = credit_code(5)[:-1] + ("0" if credit_code(5)[-1] != "0" else "1")
    upload = workbook(["统一社会信用代码", "企业名称"], [bad, "某物业公司"])

    report = run(COMPANIES, upload, street_admin)

    [(row, column, text)] = messages(report)
    assert (row, column) == (2, "统一社会信用代码")
    assert "统一社会信用代码" in text
    assert not PropertyCompany.objects.exists()


def test_a_company_name_held_by_another_code_is_an_error(street_admin, street):
    PropertyCompanyFactory(registered_with=street, name="红心物业")
    upload = workbook(["统一社会信用代码", "企业名称"], [credit_code(77), "红心物业"])

    report = run(COMPANIES, upload, street_admin)

    assert [p.column for p in report.problems] == ["企业名称"]


def test_a_formula_cell_is_refused(street_admin, grid):
    upload = compounds_file(compound_row(households="=100+20"))

    report = run(COMPOUNDS, upload, street_admin)

    [(row, column, text)] = messages(report)
    assert (row, column) == (2, "户数")
    assert "公式" in text


# Scope -----------------------------------------------------------------------------------


def test_community_staff_import_into_their_community_only(
    community_staff, grid, other_community
):
    from ..factories import GridFactory

    far_grid = GridFactory(parent=other_community, name="柳行第一网格")
    upload = compounds_file(
        compound_row("自己的小区"),
        compound_row("别人的小区", community=other_community.name, grid=far_grid.name),
    )

    report = run(COMPOUNDS, upload, community_staff)

    assert [(p.row, p.column) for p in report.problems] == [(3, "社区")]
    assert "管辖范围" in report.problems[0].message
    assert not Compound.objects.exists()


def test_community_staff_may_not_import_companies(client, community_staff):
    client.force_login(community_staff)

    response = client.get(reverse("compounds:ledger-import", args=["companies"]))

    assert response.status_code == 403


def test_grid_staff_may_not_import_compounds(client, grid_secretary):
    client.force_login(grid_secretary)

    response = client.get(reverse("compounds:ledger-import", args=["compounds"]))

    assert response.status_code == 403


# Service contracts ----------------------------------------------------------------------

CONTRACTS = LEDGERS["contracts"]
CONTRACT_HEADERS = [
    "社区",
    "小区名称",
    "统一社会信用代码",
    "开始日期",
    "结束日期",
    "收费标准",
]


@pytest.fixture
def company(street):
    return PropertyCompanyFactory(registered_with=street)


def contract_row(compound, company, start="2024.3.1", end="2027年2月28日", fee="0.85"):
    return [
        compound.community.name,
        compound.name,
        company.credit_code,
        start,
        end,
        fee,
    ]


def test_contracts_read_dates_typed_as_text(street_admin, compound, company):
    from datetime import date

    upload = workbook(
        CONTRACT_HEADERS, contract_row(compound, company, start="２０２４/3/1")
    )

    report = run(CONTRACTS, upload, street_admin)

    assert report.applied, messages(report)
    contract = compound.service_contracts.get()
    assert (contract.start, contract.end, str(contract.monthly_fee_per_sqm)) == (
        date(2024, 3, 1),
        date(2027, 2, 28),
        "0.85",
    )


def test_a_contract_ending_before_it_starts_is_an_error(
    street_admin, compound, company
):
    upload = workbook(CONTRACT_HEADERS, contract_row(compound, company, end="2023.1.1"))

    report = run(CONTRACTS, upload, street_admin)

    [(row, column, text)] = messages(report)
    assert (row, column) == (2, "结束日期")
    assert "早于" in text or "之前" in text or "结束" in text


def test_overlapping_contracts_in_one_file_are_caught_by_the_dry_run(
    street_admin, compound, company, street
):
    second = PropertyCompanyFactory(registered_with=street)
    upload = workbook(
        CONTRACT_HEADERS,
        contract_row(compound, company),
        contract_row(compound, second, start="2025-01-01", end=""),
    )

    report = run(CONTRACTS, upload, street_admin, apply=False)

    assert [(p.row, p.column) for p in report.problems] == [(3, "开始日期")]
    assert not compound.service_contracts.exists()


def test_a_contract_of_an_unknown_company_is_an_error(street_admin, compound):
    upload = workbook(
        CONTRACT_HEADERS,
        [compound.community.name, compound.name, credit_code(99), "2024-1-1", "", ""],
    )

    report = run(CONTRACTS, upload, street_admin)

    assert [p.column for p in report.problems] == ["统一社会信用代码"]


def test_reimporting_contracts_changes_nothing_and_a_new_end_is_audited(
    street_admin, compound, company
):
    run(
        CONTRACTS,
        workbook(CONTRACT_HEADERS, contract_row(compound, company)),
        street_admin,
    )

    again = run(
        CONTRACTS,
        workbook(CONTRACT_HEADERS, contract_row(compound, company)),
        street_admin,
    )
    ended = run(
        CONTRACTS,
        workbook(CONTRACT_HEADERS, contract_row(compound, company, end="2026-12-31")),
        street_admin,
    )

    assert again.count("unchanged") == 1
    assert ended.count("update") == 1
    assert compound.service_contracts.get().end.isoformat() == "2026-12-31"
    assert (
        "2027-02-28 → 2026-12-31"
        in AuditEvent.objects.get(action=AuditEvent.Action.LEDGER_UPDATE).detail
    )

"""Every ledger exports to a formatted workbook: the right headers and rows,
scoped like its list, recorded in the audit trail, formulas kept as text,
residents' numbers masked, and the ranking one sheet per street."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib import admin
from django.urls import reverse
from openpyxl import load_workbook

from assessments import exports as assessment_exports
from assessments.models import (
    AssessmentScheme,
    ExitCase,
    MonthlyCompoundScore,
    PrizeTier,
    QuarterlyRanking,
    Reward,
)
from civic import exports as civic_exports
from civic.models import MeetingDecision, VisitNeed
from compounds import exports as compound_exports
from compounds.models import BuildingHead, Committee, CommitteeMember, Compound
from consultations import exports as concern_exports
from consultations.models import Concern
from org.exports import export_ledger
from org.models import AuditEvent

from .assessments.factories import cadre, submitted_inspection
from .civic.civic_factories import DisclosureFactory, MeetingFactory, VisitReportFactory
from .consultations.factories import ConcernEventFactory, ConcernFactory
from .factories import (
    CommitteeFactory,
    CompoundFactory,
    GridFactory,
    PersonFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
    StreetFactory,
)

pytestmark = pytest.mark.django_db

PHONE = "+8613700001111"


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def exported(user, ledger, queryset=None):
    buffer = BytesIO()
    queryset = ledger.model.objects.visible_to(user) if queryset is None else queryset
    export_ledger(user=user, ledger=ledger, queryset=queryset, target=buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def table(sheet):
    """The header and the rows below the title and scope rows."""
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in body]


def admin_export(client, user, model, pks):
    client.force_login(user)
    opts = model._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": "export_xlsx", "index": "0", "_selected_action": pks},
    )


# The admin action, scope and audit -----------------------------------------


def test_community_staff_export_only_their_communitys_concerns_from_the_admin(
    client, community_staff, compound, other_community
):
    far = CompoundFactory(grid=GridFactory(parent=other_community), name="柳行小区")
    own = ConcernFactory(compound=compound, description="楼道灯坏了")
    foreign = ConcernFactory(compound=far, description="别的社区")

    book = workbook(
        admin_export(client, community_staff, Concern, [own.pk, foreign.pk])
    )

    _header, rows = table(book["诉求"])
    assert [r["描述"] for r in rows] == ["楼道灯坏了"]
    assert book["诉求"]["A1"].value == "居民说事台账"
    assert book["诉求"]["A2"].value.startswith("运河社区 · 导出于 ")


def test_the_export_is_recorded_with_who_which_ledger_scope_and_rows(
    client, community_staff, compound
):
    concern = ConcernFactory(compound=compound)
    ConcernEventFactory(concern=concern)
    ConcernEventFactory(concern=concern)

    admin_export(client, community_staff, Concern, [concern.pk])

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == community_staff
    assert event.detail == "concerns · 运河社区 · 诉求 1, 诉求记录 2"
    assert event.street == compound.street


def test_a_role_that_does_not_see_the_list_cannot_export_it(
    client, inspector, compound
):
    concern = ConcernFactory(compound=compound)

    response = admin_export(client, inspector, Concern, [concern.pk])

    assert response.status_code in (302, 403)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_action_is_offered_only_on_admins_with_a_ledger(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    with_ledger = admin.site._registry[Compound]
    without = admin.site._registry[BuildingHead]

    assert "export_xlsx" in with_ledger.get_actions(request)
    assert "export_xlsx" not in without.get_actions(request)


def test_a_grid_secretary_exports_the_compounds_of_their_grid(
    client, grid_secretary, compound, other_compound
):
    book = workbook(
        admin_export(client, grid_secretary, Compound, [compound.pk, other_compound.pk])
    )

    _header, rows = table(book["小区"])
    assert [r["名称"] for r in rows] == [compound.name]


# Each ledger ---------------------------------------------------------------


def test_compounds_with_company_committees_and_building_heads(street_admin, compound):
    contract = ServiceContractFactory(compound=compound, start=date(2024, 1, 1))
    CommitteeFactory(compound=compound, name="水景花苑业主委员会")
    head = PersonFactory(unit=compound.grid, name="王楼长")
    BuildingHead.objects.create(
        compound=compound, building="3号楼", person=head, start=date(2025, 1, 1)
    )

    book = exported(street_admin, compound_exports.COMPOUNDS)

    assert book.sheetnames == ["小区", "业委会（自管会）", "楼长"]
    header, rows = table(book["小区"])
    assert header[:4] == ("名称", "街道", "社区", "网格")
    assert rows[0]["名称"] == compound.name
    assert rows[0]["服务企业"] == contract.company.name
    assert rows[0]["户数"] == compound.households
    assert table(book["业委会（自管会）"])[1][0]["名称"] == "水景花苑业主委员会"
    heads = table(book["楼长"])[1]
    assert (heads[0]["楼栋"], heads[0]["楼长"]) == ("3号楼", "王楼长")


def test_companies_with_party_organisation_and_compounds_served(
    street_admin, street, compound
):
    company = PropertyCompanyFactory(registered_with=street, name="济阳物业")
    ServiceContractFactory(compound=compound, company=company)

    book = exported(street_admin, compound_exports.COMPANIES)

    header, rows = table(book.active)
    assert header[:2] == ("名称", "统一社会信用代码")
    row = next(r for r in rows if r["名称"] == "济阳物业")
    assert row["统一社会信用代码"] == company.credit_code
    assert row["服务小区数"] == 1


def test_committees_with_their_terms_and_members(street_admin, compound):
    committee = CommitteeFactory(
        compound=compound,
        name="水景花苑业主委员会",
        term_start=date(2024, 5, 1),
        term_end=date(2029, 4, 30),
    )
    CommitteeMember.objects.create(
        committee=committee,
        person=PersonFactory(unit=compound.grid, name="李主任"),
        role=CommitteeMember.Role.CHAIR,
    )

    book = exported(street_admin, compound_exports.COMMITTEES)

    _header, rows = table(book.worksheets[0])
    assert rows[0]["任期届满"].date() == date(2029, 4, 30)
    assert book.worksheets[0].cell(4, 7).number_format == "yyyy-mm-dd"
    members = table(book.worksheets[1])[1]
    assert (members[0]["名称"], members[0]["职务"]) == ("李主任", "主任")


def test_concerns_with_every_event_on_a_second_sheet_and_the_number_masked(
    street_admin, compound
):
    concern = ConcernFactory(compound=compound, name="张女士", phone=PHONE)
    ConcernEventFactory(concern=concern, note="已受理")
    ConcernEventFactory(concern=concern, note="已派单")

    book = exported(street_admin, concern_exports.CONCERNS)

    _header, rows = table(book["诉求"])
    assert rows[0]["查询码"] == concern.tracking_code
    assert rows[0]["电话"] == "137****1111"
    assert PHONE not in str(list(book["诉求"].values))
    events = table(book["诉求记录"])[1]
    assert [e["备注"] for e in events] == ["已受理", "已派单"]
    assert {e["查询码"] for e in events} == {concern.tracking_code}


def test_a_hidden_description_stays_hidden_below_the_street_office(
    street_admin, community_staff, compound
):
    ConcernFactory(compound=compound, description="原文", is_hidden=True)

    by_street = table(exported(street_admin, concern_exports.CONCERNS)["诉求"])[1]
    by_community = table(exported(community_staff, concern_exports.CONCERNS)["诉求"])[1]

    assert by_street[0]["描述"] == "原文"
    assert by_community[0]["描述"] == "（描述已隐藏）"


def test_inspections_with_their_item_results(street_admin, compound):
    inspector = cadre(compound.street, username="cadre")
    inspection = submitted_inspection(compound, inspector, occurrences={"A1": 1})

    book = exported(street_admin, assessment_exports.INSPECTIONS)

    _header, rows = table(book["暗访检查"])
    assert rows[0]["得分"] == float(inspection.score)
    results = table(book["考核项结果"])[1]
    assert len(results) == inspection.results.count() > 0
    a1 = next(r for r in results if r["考核项编号"] == "A1")
    assert a1["次数"] == 1


def monthly_score(compound, company, score="91"):
    return MonthlyCompoundScore.objects.create(
        compound=compound,
        month=date(2026, 2, 1),
        street=compound.street,
        community=compound.community,
        grid=compound.grid,
        company=company,
        score=Decimal(score),
        inspections=1,
        households=200,
    )


def test_monthly_scores_keep_numbers_as_numbers(street_admin, compound, street):
    monthly_score(compound, PropertyCompanyFactory(registered_with=street))

    sheet = exported(street_admin, assessment_exports.MONTHLY_SCORES).active

    _header, rows = table(sheet)
    assert (rows[0]["月份"], rows[0]["得分"]) == ("2026-02", 91)
    assert sheet.cell(4, 6).number_format == "0.0"


def ranking(company, street, quarter="2026Q3", rank=1, score="91.5"):
    year, number = int(quarter[:4]), int(quarter[-1])
    return QuarterlyRanking.objects.create(
        company=company,
        street=street,
        quarter=quarter,
        quarter_start=date(year, 3 * number - 2, 1),
        inspection_average=Decimal(score),
        score=Decimal(score),
        rank=rank,
        ranked_count=2,
        inspections=3,
    )


def test_the_ranking_workbook_has_one_sheet_per_street_with_the_quarter(
    superuser, street
):
    other = StreetFactory(name="南苑街道", code="370811013")
    long_name = "济宁市任城区济阳街道红色物业服务有限责任公司"
    ranking(PropertyCompanyFactory(registered_with=street, name=long_name), street)
    ranking(
        PropertyCompanyFactory(registered_with=street, name="乙物业"), street, rank=2
    )
    ranking(PropertyCompanyFactory(registered_with=other, name="丙物业"), other)

    book = exported(superuser, assessment_exports.RANKINGS)

    assert book.sheetnames == ["济阳街道", "南苑街道"]
    sheet = book["济阳街道"]
    assert sheet["A1"].value == "物业服务企业季度排名"
    assert sheet["A2"].value.startswith("济阳街道 · 2026年第三季度 · 导出于 ")
    _header, rows = table(sheet)
    assert [(r["名次"], r["物业公司"]) for r in rows] == [(1, long_name), (2, "乙物业")]
    assert sheet.column_dimensions["B"].width >= 2 * len(long_name)
    assert sheet.cell(3, 3).value == "季度得分"
    assert sheet.cell(4, 3).value == 91.5
    assert sheet.cell(4, 3).number_format == "0.00"
    assert [r["物业公司"] for r in table(book["南苑街道"])[1]] == ["丙物业"]


def test_the_ranking_workbook_shows_every_term_prizes_and_zero_scores(
    superuser, street
):
    scheme = AssessmentScheme.objects.create(
        name="考核办法", version=1, valid_from=date(2020, 1, 1)
    )
    prize = PrizeTier.objects.create(
        scheme=scheme, rank=1, title="一等奖", amount=Decimal("5000")
    )
    top = ranking(PropertyCompanyFactory(registered_with=street, name="甲物业"), street)
    QuarterlyRanking.objects.filter(pk=top.pk).update(
        prize=prize, satisfaction=Decimal("88.5"), concern_timeliness=Decimal("0")
    )
    ranking(
        PropertyCompanyFactory(registered_with=street, name="乙物业"),
        street,
        rank=2,
        score="0",
    )

    sheet = exported(superuser, assessment_exports.RANKINGS).active

    header, rows = table(sheet)
    first, second = rows
    assert (first["满意度"], first["诉求办理及时率"], first["重办率"]) == (
        88.5,
        0,
        None,
    )
    assert (first["奖项"], first["奖金（元）"]) == ("一等奖", 5000)
    amount = sheet.cell(4, header.index("奖金（元）") + 1)
    assert amount.number_format == "#,##0.00"
    assert second["季度得分"] == 0
    assert sheet.cell(5, 3).number_format == "0.00"


def test_the_ranking_page_exports_its_quarter_for_the_streets_the_user_sees(
    client, street_admin, street
):
    other = StreetFactory(name="南苑街道", code="370811013")
    ranking(PropertyCompanyFactory(registered_with=street, name="甲物业"), street)
    ranking(PropertyCompanyFactory(registered_with=other, name="丙物业"), other)
    client.force_login(street_admin)

    response = client.get(reverse("assessments:ranking-export"), {"quarter": "2026Q3"})

    book = workbook(response)
    assert book.sheetnames == ["济阳街道"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_several_quarters_get_a_sheet_each(street_admin, street):
    company = PropertyCompanyFactory(registered_with=street)
    ranking(company, street, "2026Q2")
    ranking(company, street, "2026Q3")

    book = exported(street_admin, assessment_exports.RANKINGS)

    assert book.sheetnames == ["济阳街道 2026Q3", "济阳街道 2026Q2"]
    assert "2026年第二季度" in book["济阳街道 2026Q2"]["A2"].value


def test_rewards_in_yuan_and_exit_cases(street_admin, street):
    company = PropertyCompanyFactory(registered_with=street, name="甲物业")
    Reward.objects.create(
        ranking=ranking(company, street), title="一等奖", amount=Decimal("5000")
    )
    ExitCase.objects.create(
        company=company,
        street=street,
        run_start=date(2025, 7, 1),
        opened_quarter="2026Q1",
    )

    rewards = exported(street_admin, assessment_exports.REWARDS).active
    cases = exported(street_admin, assessment_exports.EXIT_CASES).active

    reward = table(rewards)[1][0]
    assert (reward["季度"], reward["金额（元）"]) == ("2026年第三季度", 5000)
    assert rewards.cell(4, 6).number_format == "#,##0.00"
    case = table(cases)[1][0]
    assert (case["物业公司"], case["立案季度"]) == ("甲物业", "2026年第一季度")


def test_meetings_with_their_decisions(street_admin, compound):
    meeting = MeetingFactory(compound=compound, title="物业联席会议")
    MeetingDecision.objects.create(meeting=meeting, order=1, text="增设充电桩")

    book = exported(street_admin, civic_exports.MEETINGS)

    assert table(book.worksheets[0])[1][0]["标题"] == "物业联席会议"
    decisions = table(book.worksheets[1])[1]
    assert decisions[0]["决定事项"] == "增设充电桩"


def test_disclosures_and_visit_reports_with_the_needs_heard(street_admin, compound):
    DisclosureFactory(compound=compound, title="物业服务收费标准公示")
    report = VisitReportFactory(compound=compound, households_visited=42)
    VisitNeed.objects.create(report=report, text="楼道需要照明")

    disclosures = exported(street_admin, civic_exports.DISCLOSURES).active
    reports = exported(street_admin, civic_exports.VISIT_REPORTS)

    assert table(disclosures)[1][0]["标题"] == "物业服务收费标准公示"
    assert table(reports.worksheets[0])[1][0]["走访户数"] == 42
    assert table(reports.worksheets[1])[1][0]["走访诉求"] == "楼道需要照明"


# Formula guard ---------------------------------------------------------------


def test_formula_like_names_are_written_as_text(street_admin, compound, street):
    compound.name = '=HYPERLINK("http://x","点我")'
    compound.save()
    Committee.objects.all().delete()

    sheet = exported(street_admin, compound_exports.COMPOUNDS)["小区"]

    cell = sheet.cell(4, 1)
    assert cell.value == compound.name
    assert cell.data_type == "s" and cell.quotePrefix

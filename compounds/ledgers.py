"""Ledgers of the compounds app: compounds, companies, contracts, packages,
committees and their members, building heads, facilities.

The machinery (columns, dry run, import, templates, export) is
`org.ledgers`; docs/ledgers.md is the clerk's guide.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc

from common.workbooks import CellError, cell_bool, cell_date, cell_int, cell_text
from org.ledgers import (  # noqa: F401 (the pages and tasks import them here)
    LEDGERS,
    NOTES_SHEET,
    Column,
    ImportReport,
    Ledger,
    RowProblems,
    choice_labels,
    choice_reader,
    export_workbook,
    import_ledger,
    labels,
    problem,
    register,
    streets_of,
    template_workbook,
    whole,
    yes_no,
)
from org.models import OrgUnit

from .models import Compound, PropertyCompany, ServiceContract

# Compounds --------------------------------------------------------------------


def _grade(raw):
    grade = cell_int(raw, minimum=1)
    if grade not in (1, 2, 3):
        raise CellError(_("Allowed values: 1, 2, 3."))
    return grade


def _year(raw):
    year = cell_int(raw, minimum=1900)
    if year is not None and year > 2100:
        raise CellError(_("Not a year."))
    return year


def _bool_or_no(raw):
    return bool(cell_bool(raw))


class CompoundLedger(Ledger):
    slug = "compounds"
    rank = 40
    title = gettext_lazy("compounds")
    task = "compounds.import_compounds"
    looked_up_fields = ("grid", "party_group")

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            Column(
                "小区名称",
                "必填。同一社区内按名称找到已有小区：名称相同则更新，不同则新建。",
                "幸福家园",
                required=True,
                field="name",
            ),
            Column(
                "社区",
                "必填。社区全称（如 济阳社区），或12位社区代码；须在您的管辖范围内。",
                "济阳社区",
                required=True,
            ),
            Column(
                "网格",
                "必填。该社区下网格党支部的全称，或15位网格代码。",
                "第一网格党支部",
                required=True,
            ),
            Column(
                "类型",
                f"必填。可填：{choice_labels(Compound.Kind.choices)}。",
                choice_labels(Compound.Kind.choices[:1]),
                required=True,
                field="kind",
                read=choice_reader(Compound.Kind.choices),
            ),
            Column(
                "管理方式",
                f"必填。可填：{choice_labels(Compound.ManagementMode.choices)}。",
                choice_labels(Compound.ManagementMode.choices[:1]),
                required=True,
                field="management_mode",
                read=choice_reader(Compound.ManagementMode.choices),
            ),
            Column(
                "户数",
                "整数，0或以上；可用全角数字。留空为0。",
                320,
                field="households",
                read=whole,
            ),
            Column(
                "楼栋数",
                "整数，0或以上。留空为1。",
                8,
                field="buildings",
                read=whole,
            ),
            Column(
                "建成年份",
                "四位年份，如 1998；可留空。",
                1998,
                field="year_built",
                read=_year,
            ),
            Column(
                "服务等级",
                "1、2 或 3（一级最高）。留空为3。",
                2,
                field="service_grade",
                read=_grade,
            ),
            Column("地址", "可留空。", "济阳大道18号", field="address"),
            Column(
                "无主管单位",
                "是 或 否；留空为否。三项都为“是”即三无小区。",
                "否",
                field="lacks_supervising_unit",
                read=_bool_or_no,
            ),
            Column(
                "无物业管理",
                "是 或 否；留空为否。",
                "否",
                field="lacks_property_service",
                read=_bool_or_no,
            ),
            Column(
                "无安保",
                "是 或 否；留空为否。",
                "否",
                field="lacks_security",
                read=_bool_or_no,
            ),
            Column("备注", "可留空。", "", field="notes"),
        )

    def compared_fields(self):
        return (*super().compared_fields(), "grid_id")

    def prepare(self, user) -> None:
        streets = list(streets_of(user))
        communities = OrgUnit.objects.communities().filter(parent__in=streets)
        self._communities: dict[str, list[OrgUnit]] = {}
        for community in communities:
            for word in (community.name, community.code):
                if word:
                    self._communities.setdefault(word, []).append(community)
        self._grids: dict[tuple[int, str], OrgUnit] = {}
        for grid in OrgUnit.objects.grids().filter(parent__in=communities):
            for word in (grid.name, grid.code):
                if word:
                    self._grids[(grid.parent_id, word)] = grid
        self._visible_ids = set(
            OrgUnit.objects.visible_to(user)
            .filter(parent__in=communities)
            .values_list("pk", flat=True)
        )
        self._compounds = {
            (compound.community_id, compound.name): compound
            for compound in Compound.objects.filter(community__in=communities)
        }

    def build(self, row, values, user):
        named = values["社区"]
        found = self._communities.get(named, [])
        if len(found) != 1:
            message = (
                _("Unknown community.")
                if not found
                else _("Several streets have a community of this name; use its code.")
            )
            raise RowProblems([problem(row, "社区", message)])
        community = found[0]
        grid = self._grids.get((community.pk, values["网格"]))
        if grid is None:
            raise RowProblems(
                [problem(row, "网格", _("No grid of this name in the community."))]
            )
        if grid.pk not in self._visible_ids:
            raise RowProblems(
                [
                    problem(
                        row,
                        "社区",
                        _(
                            "Outside your posts: you may import only into your community."
                        ),
                    )
                ]
            )
        key = (community.pk, values["小区名称"])
        old = self._compounds.get(key)
        compound = Compound(
            name=values["小区名称"],
            grid=grid,
            kind=values["类型"],
            management_mode=values["管理方式"],
            households=values["户数"] or 0,
            buildings=1 if values["楼栋数"] is None else values["楼栋数"],
            year_built=values["建成年份"],
            service_grade=values["服务等级"] or Compound.Grade.THREE,
            address=values["地址"] or "",
            lacks_supervising_unit=values["无主管单位"] or False,
            lacks_property_service=values["无物业管理"] or False,
            lacks_security=values["无安保"] or False,
            notes=values["备注"] or "",
        )
        if old is not None:
            # What the file does not describe stays as it was.
            compound.party_group_id = old.party_group_id
            compound.latitude, compound.longitude = old.latitude, old.longitude
            compound.party_group_id = (
                old.party_group_id if old.grid_id == grid.pk else None
            )
        return key, compound

    def existing(self, key):
        return self._compounds.get(key)

    def export_rows(self, user):
        kinds, modes = (
            labels(Compound.Kind.choices),
            labels(Compound.ManagementMode.choices),
        )
        compounds = (
            Compound.objects.visible_to(user)
            .select_related("community", "grid")
            .order_by("community__code", "name", "pk")
        )
        for c in compounds.iterator(chunk_size=500):
            yield [
                c.name,
                c.community.code or c.community.name,
                c.grid.code or c.grid.name,
                kinds[c.kind],
                modes[c.management_mode],
                c.households,
                c.buildings,
                c.year_built,
                c.service_grade,
                c.address,
                yes_no(c.lacks_supervising_unit),
                yes_no(c.lacks_property_service),
                yes_no(c.lacks_security),
                c.notes,
            ]

    def remember(self, key, instance) -> None:
        self._compounds[key] = instance


# Property companies -------------------------------------------------------------


def _credit_code(raw):
    code = uscc.compact(cell_text(raw))
    if not uscc.is_valid(code):
        raise CellError(
            _(
                "Not a valid unified social credit code (18 characters with a "
                "correct check character)."
            )
        )
    return code


class CompanyLedger(Ledger):
    slug = "companies"
    rank = 30
    title = gettext_lazy("property companies")
    task = "compounds.import_companies"
    looked_up_fields = ("registered_with",)

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            Column(
                "统一社会信用代码",
                "必填。18位，末位为校验码；按此代码找到已有企业并更新。",
                "91370811MA3C8F2X17",
                required=True,
                field="credit_code",
                read=_credit_code,
            ),
            Column(
                "企业名称",
                "必填。营业执照上的全称。",
                "济宁市红心物业服务有限公司",
                required=True,
                field="name",
            ),
            Column("法定代表人", "可留空。", "王建国", field="legal_representative"),
            Column("联系人", "可留空。", "李娜", field="contact_person"),
            Column("联系电话", "可留空。", "0537-2345678", field="contact_phone"),
            Column("地址", "可留空。", "任城区济阳大道88号", field="address"),
            Column(
                "党员人数",
                "整数，0或以上。3名及以上须单独建立党组织，不足3名由街道选派党建指导员。",
                4,
                field="party_member_count",
                read=whole,
            ),
            Column("备注", "可留空。", "", field="notes"),
        )

    def prepare(self, user) -> None:
        streets = list(streets_of(user))
        # The street the companies are filed with: the importer's own.
        self._street = streets[0] if len(streets) == 1 else None
        self._by_code = {c.credit_code: c for c in PropertyCompany.objects.all()}
        self._by_name = {c.name: c.credit_code for c in self._by_code.values()}

    def build(self, row, values, user):
        code, name = values["统一社会信用代码"], values["企业名称"]
        old = self._by_code.get(code)
        if old is not None and old.registered_with_id not in {
            self._street.pk if self._street else None
        }:
            raise RowProblems(
                [
                    problem(
                        row,
                        "统一社会信用代码",
                        _("This company is filed with another street."),
                    )
                ]
            )
        if self._street is None:
            raise RowProblems(
                [
                    problem(
                        row,
                        "统一社会信用代码",
                        _("Only the staff of one street office import companies."),
                    )
                ]
            )
        holder = self._by_name.get(name)
        if holder is not None and holder != code:
            raise RowProblems(
                [
                    problem(
                        row,
                        "企业名称",
                        _("Another company (credit code %(code)s) has this name.")
                        % {"code": holder},
                    )
                ]
            )
        company = PropertyCompany(
            credit_code=code,
            name=name,
            registered_with=old.registered_with if old else self._street,
            legal_representative=values["法定代表人"] or "",
            contact_person=values["联系人"] or "",
            contact_phone=values["联系电话"] or "",
            address=values["地址"] or "",
            party_member_count=values["党员人数"] or 0,
            notes=values["备注"] or "",
        )
        if old is not None:
            company.contact_email = old.contact_email
        return code, company

    def existing(self, key):
        return self._by_code.get(key)

    def export_rows(self, user):
        companies = PropertyCompany.objects.visible_to(user).order_by("name", "pk")
        for c in companies.iterator(chunk_size=500):
            yield [
                c.credit_code,
                c.name,
                c.legal_representative,
                c.contact_person,
                c.contact_phone,
                c.address,
                c.party_member_count,
                c.notes,
            ]

    def remember(self, key, instance) -> None:
        self._by_code[key] = instance
        self._by_name[instance.name] = key


# Service contracts ------------------------------------------------------------


def _fee(raw):
    from decimal import Decimal, InvalidOperation

    text = cell_text(raw)
    try:
        fee = Decimal(text)
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None
    if fee < 0 or fee != fee.quantize(Decimal("0.01")) or fee >= 10000:
        raise CellError(_("A fee from 0 to 9999.99 yuan, at most 2 decimals."))
    return fee


class ContractLedger(Ledger):
    slug = "contracts"
    rank = 50
    title = gettext_lazy("service contracts")
    task = "compounds.import_contracts"
    looked_up_fields = ("compound", "company")
    field_headers = {"end": "结束日期", "start": "开始日期", "__all__": "开始日期"}

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            Column(
                "社区",
                "必填。小区所在社区的全称或12位代码。",
                "济阳社区",
                required=True,
            ),
            Column(
                "小区名称",
                "必填。门户中已有的小区（可先导入小区台账）。",
                "幸福家园",
                required=True,
            ),
            Column(
                "统一社会信用代码",
                "必填。服务该小区的物业企业（可先导入物业企业台账）。",
                "91370811MA3C8F2X17",
                required=True,
                read=_credit_code,
            ),
            Column(
                "开始日期",
                "必填。如 2024-03-01、2024.3.1 或 2024年3月1日。"
                "同一小区、企业、开始日期视为同一份合同。",
                "2024-03-01",
                required=True,
                field="start",
                read=cell_date,
            ),
            Column(
                "结束日期",
                "可留空（仍在服务）；不得早于开始日期。同一时段一个小区只能有一家企业服务。",
                "2027-02-28",
                field="end",
                read=cell_date,
            ),
            Column(
                "收费标准",
                "元/平方米·月，最多两位小数；可留空。",
                "0.85",
                field="monthly_fee_per_sqm",
                read=_fee,
                kind="decimal",
            ),
        )

    def compared_fields(self):
        return ("end", "monthly_fee_per_sqm")

    def prepare(self, user) -> None:
        streets = list(streets_of(user))
        communities = OrgUnit.objects.communities().filter(parent__in=streets)
        self._community_words: dict[str, list[int]] = {}
        for community in communities:
            for word in (community.name, community.code):
                if word:
                    self._community_words.setdefault(word, []).append(community.pk)
        visible = set(Compound.objects.visible_to(user).values_list("pk", flat=True))
        self._compounds = {
            (compound.community_id, compound.name): compound
            for compound in Compound.objects.filter(community__in=communities)
        }
        self._visible = visible
        self._companies = {c.credit_code: c for c in PropertyCompany.objects.all()}
        self._contracts = {
            (c.compound_id, c.company_id, c.start): c
            for c in ServiceContract.objects.filter(compound__community__in=communities)
        }

    def build(self, row, values, user):
        found = self._community_words.get(values["社区"], [])
        if len(found) != 1:
            raise RowProblems([problem(row, "社区", _("Unknown community."))])
        compound = self._compounds.get((found[0], values["小区名称"]))
        if compound is None:
            raise RowProblems(
                [
                    problem(
                        row, "小区名称", _("No compound of this name in the community.")
                    )
                ]
            )
        if compound.pk not in self._visible:
            raise RowProblems([problem(row, "小区名称", _("Outside your posts."))])
        company = self._companies.get(values["统一社会信用代码"])
        if company is None:
            raise RowProblems(
                [
                    problem(
                        row,
                        "统一社会信用代码",
                        _("No company with this code; import the companies first."),
                    )
                ]
            )
        key = (compound.pk, company.pk, values["开始日期"])
        contract = ServiceContract(
            compound=compound,
            company=company,
            start=values["开始日期"],
            end=values["结束日期"],
            monthly_fee_per_sqm=values["收费标准"],
        )
        return key, contract

    def existing(self, key):
        return self._contracts.get(key)

    def export_rows(self, user):
        contracts = (
            ServiceContract.objects.visible_to(user)
            .select_related("compound__community", "company")
            .order_by("compound__name", "start", "pk")
        )
        for c in contracts.iterator(chunk_size=500):
            community = c.compound.community
            yield [
                community.code or community.name,
                c.compound.name,
                c.company.credit_code,
                c.start,
                c.end,
                c.monthly_fee_per_sqm,
            ]

    def remember(self, key, instance) -> None:
        self._contracts[key] = instance


def register_ledgers() -> None:
    register(CompoundLedger(), CompanyLedger(), ContractLedger())

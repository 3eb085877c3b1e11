"""Ledgers of the compounds app: compounds, companies, contracts, packages,
committees and their members, building heads, facilities.

The machinery (columns, dry run, import, templates, export) is
`org.ledgers`; docs/ledgers.md is the clerk's guide.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from stdnum.cn import uscc

from common.workbooks import CellError, cell_date, cell_int, cell_text
from org.ledgers import (  # noqa: F401 (the pages and tasks import them here)
    LEDGERS,
    NOTES_SHEET,
    Column,
    ImportReport,
    Ledger,
    People,
    PersonRowLedger,
    RowProblems,
    bool_or_no,
    changes_between,
    choice_column,
    choice_labels,
    choice_reader,
    export_workbook,
    import_ledger,
    labels,
    person_cells,
    person_columns,
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
            choice_column(
                "类型",
                Compound.Kind.choices,
                choice_labels(Compound.Kind.choices[:1]),
                field="kind",
            ),
            choice_column(
                "管理方式",
                Compound.ManagementMode.choices,
                choice_labels(Compound.ManagementMode.choices[:1]),
                field="management_mode",
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
                read=bool_or_no,
            ),
            Column(
                "无物业管理",
                "是 或 否；留空为否。",
                "否",
                field="lacks_property_service",
                read=bool_or_no,
            ),
            Column(
                "无安保",
                "是 或 否；留空为否。",
                "否",
                field="lacks_security",
                read=bool_or_no,
            ),
            Column("备注", "可留空。", "", field="notes"),
            Column(
                "楼院党小组",
                "可留空（不改）。该网格下楼院党小组的名称（可先导入社区与网格台账）。",
                "",
            ),
        )

    def compared_fields(self):
        return (*super().compared_fields(), "grid_id", "party_group_id")

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
        self._groups = {
            (group.parent_id, group.name): group
            for group in OrgUnit.objects.groups().filter(parent__parent__in=communities)
        }
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
        if values["楼院党小组"]:
            group = self._groups.get((grid.pk, values["楼院党小组"]))
            if group is None:
                raise RowProblems(
                    [
                        problem(
                            row,
                            "楼院党小组",
                            _("No party group of this name in the grid."),
                        )
                    ]
                )
            compound.party_group = group
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
            .select_related("community", "grid", "party_group")
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
                c.party_group.name if c.party_group else "",
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


# A compound named by community and name --------------------------------------------


class CompoundFinder:
    """The compounds of the importer's streets, named by community and name;
    a compound outside the importer's posts is an error of that row."""

    def __init__(self, user):
        streets = list(streets_of(user))
        self.communities = OrgUnit.objects.communities().filter(parent__in=streets)
        self.words: dict[str, list[int]] = {}
        for community in self.communities:
            for word in {community.name, community.code}:
                if word:
                    self.words.setdefault(word, []).append(community.pk)
        self.visible = set(
            Compound.objects.visible_to(user).values_list("pk", flat=True)
        )
        self.compounds = {
            (compound.community_id, compound.name): compound
            for compound in Compound.objects.filter(
                community__in=self.communities
            ).select_related("community", "grid")
        }

    def community(self, row, values, header: str = "社区") -> int:
        found = self.words.get(values[header], [])
        if len(found) != 1:
            raise RowProblems([problem(row, header, _("Unknown community."))])
        return found[0]

    def find(self, row, values, *, community="社区", name="小区名称") -> Compound:
        community_pk = self.community(row, values, community)
        compound = self.compounds.get((community_pk, values[name]))
        if compound is None:
            raise RowProblems(
                [problem(row, name, _("No compound of this name in the community."))]
            )
        if compound.pk not in self.visible:
            raise RowProblems([problem(row, name, _("Outside your posts."))])
        return compound


def _company(companies, row, values) -> PropertyCompany:
    company = companies.get(values["统一社会信用代码"])
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
    return company


def compound_columns(note: str) -> tuple[Column, Column]:
    """The 社区 and 小区名称 columns that name a compound."""
    return (
        Column(
            "社区", "必填。小区所在社区的全称或12位代码。", "济阳社区", required=True
        ),
        Column("小区名称", note, "幸福家园", required=True),
    )


def compound_cells(compound) -> list:
    """A compound's 社区 and 小区名称 cells."""
    community = compound.community
    return [community.code or community.name, compound.name]


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
            *compound_columns("必填。门户中已有的小区（可先导入小区台账）。"),
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
        self._finder = CompoundFinder(user)
        self._companies = {c.credit_code: c for c in PropertyCompany.objects.all()}
        self._contracts = {
            (c.compound_id, c.company_id, c.start): c
            for c in ServiceContract.objects.filter(
                compound__community__in=self._finder.communities
            )
        }

    def build(self, row, values, user):
        compound = self._finder.find(row, values)
        company = _company(self._companies, row, values)
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
            yield [
                *compound_cells(c.compound),
                c.company.credit_code,
                c.start,
                c.end,
                c.monthly_fee_per_sqm,
            ]

    def remember(self, key, instance) -> None:
        self._contracts[key] = instance


# Service packages ---------------------------------------------------------------


def _names(raw):
    """小区A、小区B (or separated by ， , ; or new lines)."""
    import re

    names = [name for name in re.split(r"[、，,;；\n]+", cell_text(raw)) if name]
    if len(names) != len(set(names)):
        raise CellError(_("A compound is named twice."))
    return names


class PackageLedger(Ledger):
    """打包片区: one row per package, with its member compounds.

    Each member takes part from the package's start to its end; a member
    no longer listed keeps its record (end it in the admin).
    """

    slug = "packages"
    rank = 60
    title = gettext_lazy("service packages")
    task = "compounds.import_packages"
    looked_up_fields = ("company", "lead_compound")
    field_headers = {"end": "结束日期", "start": "开始日期", "__all__": "成员小区"}

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            Column(
                "片区名称",
                "必填。按名称找到已有片区：相同则更新，不同则新建。",
                "运河片区",
                required=True,
                field="name",
            ),
            Column(
                "统一社会信用代码",
                "必填。承接片区的物业企业（可先导入物业企业台账）。",
                "91370811MA3C8F2X17",
                required=True,
                read=_credit_code,
            ),
            Column(
                "社区",
                "必填。牵头小区所在社区的全称或12位代码。",
                "济阳社区",
                required=True,
            ),
            Column(
                "牵头小区",
                "必填。以中心带周边的中心小区，须在您的管辖范围内。",
                "幸福家园",
                required=True,
            ),
            Column(
                "成员小区",
                "可留空。同一社区内的其他小区，用顿号分隔，如 和平里、新华院。"
                "牵头小区自动计入；一个小区同一时段只能在一个片区。",
                "和平里、新华院",
                read=_names,
            ),
            Column(
                "开始日期",
                "必填。如 2024-03-01、2024.3.1 或 2024年3月1日。",
                "2024-03-01",
                required=True,
                field="start",
                read=cell_date,
            ),
            Column(
                "结束日期",
                "可留空（仍在服务）；不得早于开始日期。",
                "",
                field="end",
                read=cell_date,
            ),
            Column("备注", "可留空。", "", field="notes"),
        )

    def compared_fields(self):
        return ("end", "notes")

    def prepare(self, user) -> None:
        from .models import ServicePackage

        self._finder = CompoundFinder(user)
        self._companies = {c.credit_code: c for c in PropertyCompany.objects.all()}
        self._packages = {
            p.name: p for p in ServicePackage.objects.prefetch_related("memberships")
        }

    def build(self, row, values, user):
        from .models import ServicePackage

        compound = self._finder.find(row, values, name="牵头小区")
        company = _company(self._companies, row, values)
        members = [compound]
        for name in values["成员小区"] or []:
            if name == compound.name:
                continue
            members.append(
                self._finder.find(row, {**values, "成员小区": name}, name="成员小区")
            )
        old = self._packages.get(values["片区名称"])
        if old is not None and (old.company_id, old.lead_compound_id, old.start) != (
            company.pk,
            compound.pk,
            values["开始日期"],
        ):
            raise RowProblems(
                [
                    problem(
                        row,
                        "片区名称",
                        _(
                            "Another package of this name has another company, "
                            "lead compound or start."
                        ),
                    )
                ]
            )
        if values["结束日期"] and values["结束日期"] < values["开始日期"]:
            raise RowProblems(
                [problem(row, "结束日期", _("The end lies before the start."))]
            )
        package = ServicePackage(
            name=values["片区名称"],
            company=company,
            lead_compound=compound,
            start=values["开始日期"],
            end=values["结束日期"],
            notes=values["备注"] or "",
        )
        package._members = members
        return package.name, package

    def changes(self, old, instance, fields):
        found = changes_between(old, instance, fields)
        had = {m.compound_id for m in old.memberships.all()}
        added = [m.name for m in instance._members if m.pk not in had]
        if added:
            found += (_("members added: %(names)s") % {"names": "、".join(added)},)
        return found

    def save(self, instance) -> None:
        from .models import PackageMembership

        instance.save()
        had = {
            m.compound_id: m for m in PackageMembership.objects.filter(package=instance)
        }
        for compound in instance._members:
            membership = had.get(compound.pk) or PackageMembership(
                package=instance, compound=compound
            )
            if membership.pk is None or (membership.start, membership.end) != (
                instance.start,
                instance.end,
            ):
                membership.start, membership.end = instance.start, instance.end
                membership.save()

    def existing(self, key):
        return self._packages.get(key)

    def remember(self, key, instance) -> None:
        self._packages[key] = instance

    def export_rows(self, user):
        from .models import ServicePackage

        packages = (
            ServicePackage.objects.visible_to(user)
            .select_related("company", "lead_compound__community")
            .prefetch_related("memberships__compound")
            .order_by("name")
        )
        for p in packages:
            members = sorted(
                m.compound.name
                for m in p.memberships.all()
                if m.compound_id != p.lead_compound_id
            )
            yield [
                p.name,
                p.company.credit_code,
                *compound_cells(p.lead_compound),
                "、".join(members),
                p.start,
                p.end,
                p.notes,
            ]


# Owners' and self-management committees ---------------------------------------------


class CommitteeLedger(Ledger):
    """One row per committee term: a new term is a new row (and record)."""

    slug = "committees"
    rank = 70
    title = gettext_lazy("owners' and self-management committees")
    task = "compounds.import_committees"
    looked_up_fields = ("compound", "modelled_on")
    field_headers = {
        "term_end": "本届结束",
        "term_start": "本届开始",
        "__all__": "本届开始",
    }

    @property
    def columns(self) -> tuple[Column, ...]:
        from .models import Committee

        return (
            *compound_columns("必填。门户中已有的小区，须在您的管辖范围内。"),
            Column(
                "委员会名称",
                "必填。同一小区内按名称与本届开始日期找到已有委员会。",
                "幸福家园业主委员会",
                required=True,
                field="name",
            ),
            choice_column(
                "类型",
                Committee.Kind.choices,
                choice_labels(Committee.Kind.choices[:1]),
                field="kind",
            ),
            Column(
                "成立日期",
                "必填。如 2021-03-01、2021.3.1 或 2021年3月1日。",
                "2021-03-01",
                required=True,
                field="established",
                read=cell_date,
            ),
            Column(
                "本届开始",
                "必填。本届任期的第一天。",
                "2024-03-01",
                required=True,
                field="term_start",
                read=cell_date,
            ),
            Column(
                "本届结束",
                "必填。不得早于本届开始；同一小区的任期不得重叠。",
                "2029-02-28",
                required=True,
                field="term_end",
                read=cell_date,
            ),
            Column(
                "有党组织",
                "是 或 否；留空为否。",
                "是",
                field="has_party_organisation",
                read=bool_or_no,
            ),
            Column(
                "示范",
                "是 或 否；留空为否。周边小区学习的示范委员会。",
                "否",
                field="is_benchmark",
                read=bool_or_no,
            ),
            Column(
                "参照示范",
                "可留空。所学习的示范委员会的名称（须写在本行之前或已在门户中）。",
                "",
            ),
        )

    def extra_fields(self):
        return ("modelled_on_id",)

    def changes(self, old, instance, fields):
        found = changes_between(old, instance, self.compared_fields())
        if old.modelled_on_id != instance.modelled_on_id:
            label = instance._meta.get_field("modelled_on").verbose_name
            before = self._names.get(old.modelled_on_id, "")
            after = self._names.get(instance.modelled_on_id, "")
            found += (f"{label}: {before or '（空）'} → {after or '（空）'}",)
        return found

    def prepare(self, user) -> None:
        from .models import Committee

        self._finder = CompoundFinder(user)
        committees = Committee.objects.filter(
            compound__community__in=self._finder.communities
        )
        self._committees = {
            (c.compound_id, c.name, c.term_start): c for c in committees
        }
        self._names = {c.pk: c.name for c in committees}
        self._benchmarks = {c.name: c for c in committees if c.is_benchmark}

    def build(self, row, values, user):
        from .models import Committee

        compound = self._finder.find(row, values)
        named = values["参照示范"]
        benchmark = self._benchmarks.get(named) if named else None
        if named and benchmark is None:
            raise RowProblems(
                [problem(row, "参照示范", _("No benchmark committee of this name."))]
            )
        committee = Committee(
            compound=compound,
            name=values["委员会名称"],
            kind=values["类型"],
            established=values["成立日期"],
            term_start=values["本届开始"],
            term_end=values["本届结束"],
            has_party_organisation=values["有党组织"] or False,
            is_benchmark=values["示范"] or False,
            modelled_on=benchmark,
        )
        return (compound.pk, committee.name, committee.term_start), committee

    def existing(self, key):
        return self._committees.get(key)

    def remember(self, key, instance) -> None:
        self._committees[key] = instance
        self._names[instance.pk] = instance.name
        if instance.is_benchmark:
            self._benchmarks[instance.name] = instance

    def export_rows(self, user):
        from .models import Committee

        kinds = labels(Committee.Kind.choices)
        committees = (
            Committee.objects.visible_to(user)
            .select_related("compound__community", "modelled_on")
            # Benchmarks first: their followers name them.
            .order_by("-is_benchmark", "compound__name", "term_start", "pk")
        )
        for c in committees.iterator(chunk_size=500):
            yield [
                *compound_cells(c.compound),
                c.name,
                kinds[c.kind],
                c.established,
                c.term_start,
                c.term_end,
                yes_no(c.has_party_organisation),
                yes_no(c.is_benchmark),
                c.modelled_on.name if c.modelled_on else "",
            ]


class CommitteeMemberLedger(PersonRowLedger):
    """The members of a committee's latest term, matched by name (or phone)."""

    slug = "committee-members"
    rank = 80
    title = pgettext_lazy("ledger", "committee members")
    task = "compounds.import_committees"
    looked_up_fields = ("committee", "person")

    @property
    def columns(self) -> tuple[Column, ...]:
        from .models import CommitteeMember

        return (
            *compound_columns("必填。须在您的管辖范围内。"),
            Column(
                "委员会名称",
                "必填。该小区的委员会（先导入委员会台账）；有多届时为最近一届。",
                "幸福家园业主委员会",
                required=True,
            ),
            *person_columns(),
            choice_column(
                "职务",
                CommitteeMember.Role.choices,
                labels(CommitteeMember.Role.choices)[CommitteeMember.Role.CHAIR],
                field="role",
            ),
        )

    def prepare(self, user) -> None:
        from .models import Committee, CommitteeMember

        self._finder = CompoundFinder(user)
        self._people = People(user)
        self._committees = {}
        for c in Committee.objects.filter(
            compound__community__in=self._finder.communities
        ).order_by("term_start"):
            self._committees[(c.compound_id, c.name)] = c  # the latest term wins
        self._members = {
            (m.committee_id, m.person_id): m
            for m in CommitteeMember.objects.filter(
                committee__in=list(self._committees.values())
            )
        }

    def build(self, row, values, user):
        from .models import CommitteeMember

        compound = self._finder.find(row, values)
        committee = self._committees.get((compound.pk, values["委员会名称"]))
        if committee is None:
            raise RowProblems(
                [
                    problem(
                        row,
                        "委员会名称",
                        _("No committee of this name in the compound."),
                    )
                ]
            )
        person, person_changes = self._people.find(row, values, compound.grid)
        member = CommitteeMember(
            committee=committee, person=person, role=values["职务"]
        )
        member._person_changes = person_changes
        return (committee.pk, person.pk or ("new", id(person))), member

    def existing(self, key):
        return self._members.get(key)

    def remember(self, key, instance) -> None:
        self._members[(instance.committee_id, instance.person_id)] = instance

    def export_rows(self, user):
        from .models import CommitteeMember

        roles = labels(CommitteeMember.Role.choices)
        members = (
            CommitteeMember.objects.visible_to(user)
            .select_related("committee__compound__community", "person")
            .order_by("committee__compound__name", "committee__term_start", "pk")
        )
        cells = person_cells(user)
        for m in members.iterator(chunk_size=500):
            yield [
                *compound_cells(m.committee.compound),
                m.committee.name,
                *cells(m.person),
                roles[m.role],
            ]


# Building heads -----------------------------------------------------------------------


class BuildingHeadLedger(PersonRowLedger):
    """楼栋长, one per building of a compound (blank: the whole compound)."""

    slug = "building-heads"
    rank = 90
    title = pgettext_lazy("ledger", "building heads")
    task = "compounds.import_building_heads"
    looked_up_fields = ("compound", "person")
    field_headers = {"end": "任职止", "start": "任职起"}

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            *compound_columns("必填。须在您的管辖范围内。"),
            Column(
                "楼栋",
                "可留空（整个小区一位楼长）。同一小区按楼栋找到已有楼长：换人则更新。",
                "3号楼",
                field="building",
            ),
            *person_columns(),
            Column(
                "任职起",
                "可留空。如 2024-03-01、2024.3.1 或 2024年3月1日。",
                "2024-03-01",
                field="start",
                read=cell_date,
            ),
            Column(
                "任职止",
                "可留空（现任）；不得早于任职起。",
                "",
                field="end",
                read=cell_date,
            ),
        )

    def compared_fields(self):
        return ("start", "end")

    def prepare(self, user) -> None:
        from .models import BuildingHead

        self._finder = CompoundFinder(user)
        self._people = People(user)
        self._heads = {
            (h.compound_id, h.building): h
            for h in BuildingHead.objects.filter(
                compound__community__in=self._finder.communities
            )
        }

    def build(self, row, values, user):
        from .models import BuildingHead

        compound = self._finder.find(row, values)
        if (
            values["任职止"]
            and values["任职起"]
            and values["任职止"] < values["任职起"]
        ):
            raise RowProblems(
                [problem(row, "任职止", _("The end lies before the start."))]
            )
        person, person_changes = self._people.find(row, values, compound.grid)
        head = BuildingHead(
            compound=compound,
            building=values["楼栋"] or "",
            person=person,
            start=values["任职起"],
            end=values["任职止"],
        )
        head._person_changes = person_changes
        return (compound.pk, head.building), head

    def changes(self, old, instance, fields):
        found = changes_between(old, instance, fields)
        if old.person_id != instance.person.pk:
            label = instance._meta.get_field("person").verbose_name
            found += (f"{label}: {old.person.name} → {instance.person.name}",)
        return found + instance._person_changes

    def existing(self, key):
        return self._heads.get(key)

    def remember(self, key, instance) -> None:
        self._heads[key] = instance

    def export_rows(self, user):
        from .models import BuildingHead

        heads = (
            BuildingHead.objects.visible_to(user)
            .select_related("compound__community", "person")
            .order_by("compound__community__code", "compound__name", "building", "pk")
        )
        cells = person_cells(user)
        for h in heads.iterator(chunk_size=500):
            yield [
                *compound_cells(h.compound),
                h.building,
                *cells(h.person),
                h.start,
                h.end,
            ]


# Facilities and upgrades --------------------------------------------------------------


class FacilityLedger(Ledger):
    """充电桩、液化气改管道、门禁…: one row per kind and place."""

    slug = "facilities"
    rank = 95
    title = gettext_lazy("facilities and upgrades")
    task = "compounds.import_facilities"
    looked_up_fields = ("compound", "community", "grid")
    field_headers = {"location": "位置", "__all__": "小区名称"}

    @property
    def columns(self) -> tuple[Column, ...]:
        from .models import Facility

        return (
            choice_column(
                "类型",
                Facility.Kind.choices,
                labels(Facility.Kind.choices)[Facility.Kind.EV_CHARGER],
                field="kind",
            ),
            Column(
                "社区", "必填。所在社区的全称或12位代码。", "济阳社区", required=True
            ),
            Column(
                "小区名称",
                "小区外的改造（如背街小巷）留空，并填写位置。须在您的管辖范围内。",
                "幸福家园",
            ),
            Column(
                "位置",
                "小区内可留空；小区外必填。同一类型、小区（或社区）与位置视为同一项。",
                "",
                field="location",
            ),
            Column("数量", "整数，1或以上；留空为1。", 6, field="count", read=whole),
            Column(
                "完成日期",
                "可留空（未完成）。如 2024-03-01、2024.3.1 或 2024年3月1日。",
                "2024-06-30",
                field="completed_on",
                read=cell_date,
            ),
            Column("备注", "可留空，最多200字。", "", field="notes"),
        )

    def prepare(self, user) -> None:
        from .models import Facility

        self._finder = CompoundFinder(user)
        self._visible_communities = set(
            OrgUnit.objects.visible_to(user).communities().values_list("pk", flat=True)
        )
        self._facilities = {
            (f.kind, f.compound_id, f.community_id, f.location): f
            for f in Facility.objects.filter(community__in=self._finder.communities)
        }

    def build(self, row, values, user):
        from .models import Facility

        if values["小区名称"]:
            compound = self._finder.find(row, values)
            community_pk = compound.community_id
        else:
            compound = None
            community_pk = self._finder.community(row, values)
            if community_pk not in self._visible_communities:
                raise RowProblems([problem(row, "社区", _("Outside your posts."))])
        facility = Facility(
            kind=values["类型"],
            compound=compound,
            community_id=community_pk,
            location=values["位置"] or "",
            count=1 if values["数量"] is None else values["数量"],
            completed_on=values["完成日期"],
            notes=values["备注"] or "",
        )
        if facility.count < 1:
            raise RowProblems(
                [
                    problem(
                        row,
                        "数量",
                        _("The number must be %(minimum)s or more.") % {"minimum": 1},
                    )
                ]
            )
        key = (
            facility.kind,
            compound.pk if compound else None,
            community_pk,
            facility.location,
        )
        return key, facility

    def existing(self, key):
        return self._facilities.get(key)

    def remember(self, key, instance) -> None:
        self._facilities[key] = instance

    def export_rows(self, user):
        from .models import Facility

        kinds = labels(Facility.Kind.choices)
        facilities = (
            Facility.objects.visible_to(user)
            .select_related("community", "compound")
            .order_by("kind", "community__code", "compound__name", "location", "pk")
        )
        for f in facilities.iterator(chunk_size=500):
            yield [
                kinds[f.kind],
                f.community.code or f.community.name,
                f.compound.name if f.compound else "",
                f.location,
                f.count,
                f.completed_on,
                f.notes,
            ]


def register_ledgers() -> None:
    register(
        CompoundLedger(),
        CompanyLedger(),
        ContractLedger(),
        PackageLedger(),
        CommitteeLedger(),
        CommitteeMemberLedger(),
        BuildingHeadLedger(),
        FacilityLedger(),
    )

"""Ledgers a street office brings in from Excel: compounds and companies.

Each ledger names its columns (the template's Chinese headers, with a note
and an example each), how a row finds the record it describes (its match
key) and how a row's cells become field values. `import_ledger()` reads the
file, checks every row and either reports (the dry run) or applies the lot
in one transaction: one bad row and nothing changes. A row that matches a
record with the same values changes nothing; a row with other values
updates the record and leaves an audit event (old → new).

The headers are the file's format, not interface text: a template
downloaded in English must still import, so they stay Chinese.
docs/ledgers.md is the clerk's guide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from operator import itemgetter
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from stdnum.cn import uscc

from common.workbooks import (
    CellError,
    SheetRow,
    WorkbookError,
    cell_bool,
    cell_date,
    cell_int,
    cell_text,
    read_rows,
)
from org.audit import record_event
from org.models import AuditEvent, OrgUnit
from org.scope import user_scope

from .models import Compound, PropertyCompany, ServiceContract

NOTES_SHEET = "说明"


@dataclass(frozen=True)
class Column:
    header: str
    # The notes sheet's explanation and allowed values, in Chinese (see the
    # module docstring).
    note: str
    example: Any
    required: bool = False
    # The model field a plain column fills (none for looked-up columns).
    field: str = ""
    read: Callable[[Any], Any] = cell_text


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class Outcome:
    row: int
    action: str  # "create", "update" or "unchanged"
    label: str
    changes: tuple[str, ...] = ()


@dataclass
class ImportReport:
    applied: bool = False
    file_error: str = ""
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.problems

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def rows(self) -> int:
        return len(self.outcomes)


class RowProblems(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


class Ledger:
    slug: str
    title: Any
    task: str
    columns: tuple[Column, ...]
    # Foreign keys `build` sets from lookups loaded by `prepare`.
    looked_up_fields: tuple[str, ...] = ()
    # Model fields that no plain column fills → the column that names them.
    field_headers: dict[str, str] = {}

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)

    def required_headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns if column.required)

    def prepare(self, user) -> None:
        """Load once what rows are matched against (set-based, not per row)."""

    def build(self, row: SheetRow, values: dict[str, Any], user) -> tuple[Any, Any]:
        """(match key, unsaved instance with the row's values) or RowProblems."""
        raise NotImplementedError

    def existing(self, key: Any):
        raise NotImplementedError

    def remember(self, key: Any, instance) -> None:
        raise NotImplementedError

    def compared_fields(self) -> tuple[str, ...]:
        return tuple(column.field for column in self.columns if column.field)

    def extra_fields(self) -> tuple[str, ...]:
        return ()

    def export_rows(self, user):
        """The visible records, each as its cells in the columns' order."""
        raise NotImplementedError


def _problem(row: SheetRow, column: str, message: str) -> Problem:
    return Problem(row.number, column, cell_text(row.values.get(column)), message)


def read_cells(ledger: Ledger, row: SheetRow) -> dict[str, Any]:
    """Each column's value, read by its column; RowProblems for bad cells."""
    problems, values = [], {}
    for column in ledger.columns:
        raw = row.values.get(column.header)
        if column.header in row.formulas:
            problems.append(
                _problem(
                    row,
                    column.header,
                    _("Formulas are not read; paste the values instead."),
                )
            )
            continue
        if raw is None:
            if column.required:
                problems.append(_problem(row, column.header, _("Required.")))
            values[column.header] = None
            continue
        try:
            values[column.header] = column.read(raw)
        except CellError as error:
            problems.append(_problem(row, column.header, str(error)))
    if problems:
        raise RowProblems(problems)
    return values


def _display(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def changes_between(old, new, fields: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            label = old._meta.get_field(name).verbose_name
            found.append(f"{label}: {_display(before)} → {_display(after)}")
    return tuple(found)


def _validation_problems(row: SheetRow, ledger: Ledger, error: ValidationError):
    by_field = {column.field: column.header for column in ledger.columns}
    by_field.update(ledger.field_headers)
    problems = []
    found = (
        error.message_dict
        if hasattr(error, "error_dict")
        else {"__all__": error.messages}
    )
    for name, messages in found.items():
        header = by_field.get(name, name if name != "__all__" else "")
        for message in messages:
            problems.append(_problem(row, header, message))
    return problems


def import_ledger(
    ledger: Ledger,
    upload: IO[bytes],
    *,
    user,
    apply: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row of `upload`; with `apply`, store them all or none."""
    report = ImportReport()
    with transaction.atomic():
        try:
            _run(ledger, upload, user=user, report=report, progress=progress)
        except WorkbookError as error:
            report.file_error = str(error)
        report.applied = apply and report.ok
        if not report.applied:
            # The dry run writes nothing; a failed import writes nothing.
            transaction.set_rollback(True)
        elif report.outcomes:
            record_event(
                action=AuditEvent.Action.LEDGER_IMPORT,
                actor=user,
                detail=_("%(ledger)s: %(created)s created, %(updated)s updated")
                % {
                    "ledger": ledger.title,
                    "created": report.count("create"),
                    "updated": report.count("update"),
                },
            )
    return report


def _run(ledger, upload, *, user, report, progress) -> None:
    ledger.prepare(user)
    seen: dict[Any, int] = {}
    fields = ledger.compared_fields() + ledger.extra_fields()
    rows = read_rows(
        upload,
        headers=ledger.required_headers(),
        max_rows=settings.LEDGER_IMPORT_MAX_ROWS,
    )
    for done, row in enumerate(rows, start=1):
        if progress is not None and done % 200 == 0:
            progress(done)
        try:
            values = read_cells(ledger, row)
            key, instance = ledger.build(row, values, user)
        except RowProblems as error:
            report.problems += error.problems
            continue
        if key in seen:
            report.problems.append(
                _problem(
                    row,
                    ledger.columns[0].header,
                    _("Duplicate of row %(row)s in this file.") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = row.number
        old = ledger.existing(key)
        if old is not None:
            instance.pk = old.pk
        try:
            # Foreign keys come from the lookups loaded once by `prepare`;
            # clean_fields would query each one again, row by row.
            instance.full_clean(
                exclude=ledger.looked_up_fields,
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            report.problems += _validation_problems(row, ledger, error)
            continue
        if old is None:
            action, changes = "create", ()
        else:
            changes = changes_between(old, instance, fields)
            action = "update" if changes else "unchanged"
        report.outcomes.append(Outcome(row.number, action, str(instance), changes))
        if report.problems or action == "unchanged":
            continue
        # The dry run saves too, inside the transaction it rolls back, so
        # that rules between rows of one file (a contract overlapping one
        # a row above) are judged as the import would judge them.
        try:
            instance.save()
        except ValidationError as error:
            report.outcomes.pop()
            report.problems += _validation_problems(row, ledger, error)
            continue
        ledger.remember(key, instance)
        if action == "update":
            record_event(
                action=AuditEvent.Action.LEDGER_UPDATE,
                actor=user,
                obj=instance,
                detail="；".join(changes),
            )
    if progress is not None:
        progress(len(seen))


# Reading helpers --------------------------------------------------------------


def choice_reader(choices) -> Callable[[Any], Any]:
    """Read a choice by its Chinese label (or its stored value)."""
    with override("zh-hans"):
        by_label = {str(label): value for value, label in choices}
    by_value = {str(value): value for value, _label in choices}

    def read(raw: Any):
        text = cell_text(raw)
        if text in by_label:
            return by_label[text]
        if text in by_value:
            return by_value[text]
        raise CellError(
            _("Allowed values: %(values)s.") % {"values": "、".join(by_label)}
        )

    return read


def choice_labels(choices) -> str:
    with override("zh-hans"):
        return "、".join(str(label) for _value, label in choices)


def _labels(choices) -> dict:
    with override("zh-hans"):
        return {value: str(label) for value, label in choices}


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def streets_of(user):
    scope = user_scope(user)
    if scope.everything:
        return OrgUnit.objects.streets()
    return OrgUnit.objects.streets().filter(
        pk__in={unit.street.pk for unit in scope.units if unit.street}
    )


# Compounds --------------------------------------------------------------------


def _whole(raw):
    return cell_int(raw, minimum=0)


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
                read=_whole,
            ),
            Column(
                "楼栋数",
                "整数，0或以上。留空为1。",
                8,
                field="buildings",
                read=_whole,
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
            raise RowProblems([_problem(row, "社区", message)])
        community = found[0]
        grid = self._grids.get((community.pk, values["网格"]))
        if grid is None:
            raise RowProblems(
                [_problem(row, "网格", _("No grid of this name in the community."))]
            )
        if grid.pk not in self._visible_ids:
            raise RowProblems(
                [
                    _problem(
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
            _labels(Compound.Kind.choices),
            _labels(Compound.ManagementMode.choices),
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
                _yes_no(c.lacks_supervising_unit),
                _yes_no(c.lacks_property_service),
                _yes_no(c.lacks_security),
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
                read=_whole,
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
                    _problem(
                        row,
                        "统一社会信用代码",
                        _("This company is filed with another street."),
                    )
                ]
            )
        if self._street is None:
            raise RowProblems(
                [
                    _problem(
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
                    _problem(
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
            raise RowProblems([_problem(row, "社区", _("Unknown community."))])
        compound = self._compounds.get((found[0], values["小区名称"]))
        if compound is None:
            raise RowProblems(
                [
                    _problem(
                        row, "小区名称", _("No compound of this name in the community.")
                    )
                ]
            )
        if compound.pk not in self._visible:
            raise RowProblems([_problem(row, "小区名称", _("Outside your posts."))])
        company = self._companies.get(values["统一社会信用代码"])
        if company is None:
            raise RowProblems(
                [
                    _problem(
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


LEDGERS: dict[str, Ledger] = {
    ledger.slug: ledger
    for ledger in (CompoundLedger(), CompanyLedger(), ContractLedger())
}


# Templates ----------------------------------------------------------------------


def template_workbook(ledger: Ledger) -> bytes:
    """The ledger's template: headers, one example row and a 说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = str(ledger.title)[:31]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    for index, column in enumerate(ledger.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        sheet.cell(row=2, column=index, value=column.example)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(NOTES_SHEET)
    notes.append(["列名", "是否必填", "说明与可填的值", "示例"])
    for cell in notes[1]:
        cell.font = bold
    for column in ledger.columns:
        notes.append(
            [
                column.header,
                "必填" if column.required else "选填",
                column.note,
                cell_text(column.example),
            ]
        )
    notes.append([])
    notes.append(
        [
            "注意",
            "",
            "只读取第一张工作表；第1行为表头，请勿合并表头单元格。第2行是示例，"
            "导入前请改为真实数据或删除。单元格中的公式不被读取，请粘贴为数值。"
            "日期可写 2024-03-01、2024.3.1、2024/3/1 或 2024年3月1日。"
            f"每个文件最多 {settings.LEDGER_IMPORT_MAX_ROWS:,} 行。",
            "",
        ]
    )
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 24
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# Export in the template's layout ------------------------------------------------


def export_workbook(ledger: Ledger, *, user, target) -> int:
    """Write the records `user` sees in the template's columns; rows written.

    The file imports back as it is (the header is found below the title
    and scope rows), so exporting and importing changes nothing.
    """
    from common.xlsx import Column as XlsxColumn
    from common.xlsx import Kind, Sheet, write_workbook

    kinds = {cell_date: Kind.DATE, _whole: Kind.INTEGER, _fee: Kind.DECIMAL}
    columns = [
        XlsxColumn(
            column.header,
            itemgetter(index),
            kinds.get(column.read, Kind.TEXT),
        )
        for index, column in enumerate(ledger.columns)
    ]
    streets = list(streets_of(user))
    scope = "、".join(street.name for street in streets[:3])
    sheet = Sheet(str(ledger.title), columns, ledger.export_rows(user))
    return write_workbook(target, title=str(ledger.title), scope=scope, sheets=[sheet])

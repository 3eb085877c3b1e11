"""The ledger machinery: workbooks a street office brings in from Excel.

Each ledger names its columns (the template's Chinese headers, with a note
and an example each), how a row finds the record it describes (its match
key) and how a row's cells become field values. `import_ledger()` reads the
file, checks every row and either reports (the dry run) or applies the lot
in one transaction: one bad row and nothing changes. A row that matches a
record with the same values changes nothing; a row with other values
updates the record and leaves an audit event (old → new).

A ledger lives in the lowest app that owns its model (communities and staff
here, compounds and committees in `compounds.ledgers`, the holiday calendar
in `consultations.ledgers`); each app registers its own from its
AppConfig.ready, so the ledger pages list them all without this layer
importing the ones above it. `rank` orders them as a rebuild must import
them: a ledger's rows name records of ledgers of a lower rank.

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
from django.utils.translation import override

from common.workbooks import (
    CellError,
    SheetRow,
    WorkbookError,
    cell_bool,
    cell_date,
    cell_int,
    cell_plain,
    cell_text,
    normalise_text,
    read_rows,
)

from .audit import record_event
from .models import AuditEvent, OrgUnit
from .scope import user_scope

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
    read: Callable[[Any], Any] = cell_plain
    # How the export writes the column (a common.xlsx Kind name, "decimal");
    # "" guesses it
    # from `read`.
    kind: str = ""


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
    # Import order of a rebuild (see the module docstring).
    rank: int = 100
    # Check the model's check constraints row by row (about 3 ms a row):
    # for a model whose clean() and the columns' readers do not already
    # enforce them, where a violated one would abort the import instead.
    check_constraints: bool = False
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

    def changes(self, old, instance, fields: tuple[str, ...]) -> tuple[str, ...]:
        return changes_between(old, instance, fields)

    def save(self, instance) -> None:
        instance.save()

    def finish(self) -> None:
        """After every row is stored (inside the import's transaction)."""

    def export_rows(self, user):
        """The visible records, each as its cells in the columns' order."""
        raise NotImplementedError


def problem(row: SheetRow, column: str, message: str) -> Problem:
    return Problem(row.number, column, cell_text(row.values.get(column)), message)


def read_cells(ledger: Ledger, row: SheetRow) -> dict[str, Any]:
    """Each column's value, read by its column; RowProblems for bad cells."""
    problems, values = [], {}
    for column in ledger.columns:
        raw = row.values.get(column.header)
        if column.header in row.formulas:
            problems.append(
                problem(
                    row,
                    column.header,
                    _("Formulas are not read; paste the values instead."),
                )
            )
            continue
        if raw is None:
            if column.required:
                problems.append(problem(row, column.header, _("Required.")))
            values[column.header] = None
            continue
        try:
            values[column.header] = column.read(raw)
        except CellError as error:
            problems.append(problem(row, column.header, str(error)))
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


def validation_problems(row: SheetRow, ledger: Ledger, error: ValidationError):
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
            problems.append(problem(row, header, message))
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
                problem(
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
            report.problems += validation_problems(row, ledger, error)
            continue
        if old is None:
            action, changes = "create", ()
        else:
            changes = ledger.changes(old, instance, fields)
            action = "update" if changes else "unchanged"
        if action != "unchanged" and ledger.check_constraints:
            try:
                _check_constraints(instance)
            except ValidationError as error:
                report.problems += validation_problems(row, ledger, error)
                continue
        report.outcomes.append(Outcome(row.number, action, str(instance), changes))
        if report.problems or action == "unchanged":
            continue
        # The dry run saves too, inside the transaction it rolls back, so
        # that rules between rows of one file (a contract overlapping one
        # a row above) are judged as the import would judge them.
        try:
            ledger.save(instance)
        except ValidationError as error:
            report.outcomes.pop()
            report.problems += validation_problems(row, ledger, error)
            continue
        ledger.remember(key, instance)
        if action == "update":
            record_event(
                action=AuditEvent.Action.LEDGER_UPDATE,
                actor=user,
                obj=instance,
                detail="；".join(changes),
            )
    if not report.problems:
        ledger.finish()
    if progress is not None:
        progress(len(seen))


def _check_constraints(instance) -> None:
    """The model's check constraints (an end before its start), which
    full_clean leaves to the database here: a violated one would abort the
    transaction instead of reporting the row."""
    from django.db.models import CheckConstraint

    for constraint in instance._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            constraint.validate(type(instance), instance)


# Reading helpers --------------------------------------------------------------


def choice_reader(choices) -> Callable[[Any], Any]:
    """Read a choice by its Chinese label (or its stored value)."""
    with override("zh-hans"):
        # Cells are read NFKC-normalised (（组） as (组)); so are the labels.
        by_label = {normalise_text(str(label)): value for value, label in choices}
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


def choice_column(header: str, choices, example: Any, *, field: str) -> Column:
    """A required column holding one of `choices`, by its Chinese label."""
    return Column(
        header,
        f"必填。可填：{choice_labels(choices)}。",
        example,
        required=True,
        field=field,
        read=choice_reader(choices),
    )


def choice_labels(choices) -> str:
    with override("zh-hans"):
        return "、".join(str(label) for _value, label in choices)


def labels(choices) -> dict:
    with override("zh-hans"):
        return {value: str(label) for value, label in choices}


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def streets_of(user):
    scope = user_scope(user)
    if scope.everything:
        return OrgUnit.objects.streets()
    return OrgUnit.objects.streets().filter(
        pk__in={unit.street.pk for unit in scope.units if unit.street}
    )


def whole(raw):
    return cell_int(raw, minimum=0)


def bool_or_no(raw):
    return bool(cell_bool(raw))


def unit_words(units) -> dict[str, list]:
    """Each unit's name and code → the units so named (names may repeat)."""
    words: dict[str, list] = {}
    for unit in units:
        for word in {unit.name, unit.code}:
            if word:
                words.setdefault(word, []).append(unit)
    return words


# The registry --------------------------------------------------------------------

LEDGERS: dict[str, Ledger] = {}


def register(*ledgers: Ledger) -> None:
    """Add ledgers to the pages and the rebuild (from an AppConfig.ready)."""
    for ledger in ledgers:
        LEDGERS[ledger.slug] = ledger
    ordered = sorted(LEDGERS.values(), key=lambda ledger: (ledger.rank, ledger.slug))
    LEDGERS.clear()
    LEDGERS.update((ledger.slug, ledger) for ledger in ordered)


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

    kinds = {cell_date: Kind.DATE, whole: Kind.INTEGER}
    columns = [
        XlsxColumn(
            column.header,
            itemgetter(index),
            Kind[column.kind.upper()]
            if column.kind
            else kinds.get(column.read, Kind.TEXT),
        )
        for index, column in enumerate(ledger.columns)
    ]
    streets = list(streets_of(user))
    scope = "、".join(street.name for street in streets[:3])
    sheet = Sheet(str(ledger.title), columns, ledger.export_rows(user))
    return write_workbook(target, title=str(ledger.title), scope=scope, sheets=[sheet])


# People named in a row ------------------------------------------------------------


def person_columns(example: str = "张伟") -> tuple[Column, ...]:
    """The columns that name a person: staff, committee members, building heads."""
    from .models import Person

    return (
        Column(
            "姓名",
            "必填。填了手机号时按手机号找到已有人员，否则按姓名在登记单位内查找；"
            "找不到则新建人员。",
            example,
            required=True,
        ),
        Column(
            "手机",
            "可留空。同名的两人须填写手机号加以区分。导出时无权查看的号码显示为 "
            "138****5678，原样导入表示不改号码。",
            "13800000000",
        ),
        Column(
            "性别",
            f"可填：{choice_labels(Person.Gender.choices)}；留空为不改。",
            "男",
            read=choice_reader(Person.Gender.choices),
        ),
        Column("党员", "是 或 否；留空为否。", "是", read=bool_or_no),
    )


PERSON_FIELDS = ("name", "phone", "gender", "is_party_member")


class People:
    """The people of the importer's area, found by phone or by name within
    the unit that keeps their record; new ones are made when not found.

    The phone is shown in full only to those who keep people
    (`org.edit_people`); a masked number in a file means "as on file".
    """

    def __init__(self, user):
        from .models import Person

        self.by_phone: dict[str, Person] = {}
        self.by_name: dict[tuple[int, str], list[Person]] = {}
        # Whole rows: a row's person is validated with every field, and a
        # deferred one would be fetched person by person.
        for person in Person.objects.visible_to(user):
            self.add(person)

    def add(self, person) -> None:
        if person.phone:
            self.by_phone[person.phone] = person
        same = self.by_name.setdefault((person.unit_id, person.name), [])
        if person not in same:
            same.append(person)

    def find(self, row: SheetRow, values: dict[str, Any], unit):
        """(the person with the row's values, their changes) or RowProblems."""
        import copy

        from .models import Person

        name, phone = values["姓名"], values["手机"] or ""
        masked = "*" in phone
        person = None
        if phone and not masked:
            person = self.by_phone.get(phone)
            if person is not None and person.name != name:
                raise RowProblems(
                    [
                        problem(
                            row,
                            "手机",
                            _("This phone number is on file for another person."),
                        )
                    ]
                )
        if person is None:
            found = self.by_name.get((unit.pk, name), [])
            if len(found) > 1:
                raise RowProblems(
                    [
                        problem(
                            row,
                            "姓名",
                            _(
                                "Several people of this name are on file; give "
                                "the phone number."
                            ),
                        )
                    ]
                )
            person = found[0] if found else None
        if person is None:
            if masked:
                raise RowProblems(
                    [problem(row, "手机", _("Write the full phone number."))]
                )
            person = Person(name=name, unit=unit, phone=phone)
        new = copy.copy(person)
        if phone and not masked:
            new.phone = phone
        if values["性别"]:
            new.gender = values["性别"]
        new.is_party_member = values["党员"] or False
        try:
            new.full_clean(exclude=("unit",), validate_unique=False)
        except ValidationError as error:
            raise RowProblems(
                [
                    problem(row, "姓名", message)
                    for messages in error.message_dict.values()
                    for message in messages
                ]
            ) from None
        if person.pk is None:
            return new, ()
        return new, tuple(
            f"{name} {change}" for change in changes_between(person, new, PERSON_FIELDS)
        )

    def save(self, person, changed: bool) -> None:
        if person.pk is None or changed:
            person.save()
        self.add(person)


class PersonRowLedger(Ledger):
    """A ledger whose rows name a person (`People`, in `self._people`);
    `build` leaves the person's changes in `instance._person_changes`."""

    def changes(self, old, instance, fields):
        return changes_between(old, instance, fields) + instance._person_changes

    def save(self, instance) -> None:
        self._people.save(instance.person, bool(instance._person_changes))
        # Set the key from the person saved just now.
        instance.person = instance.person
        instance.save()


def person_cells(user):
    """A person → their cells in the order of `person_columns`; the phone in
    full only for those who keep people (asked once per export)."""
    from common.phones import mask_phone

    from .models import Person
    from .rights import may

    full = may(user, "org.edit_people")
    genders = labels(Person.Gender.choices)

    def cells(person) -> list[Any]:
        return [
            person.name,
            person.phone if full else mask_phone(person.phone),
            genders.get(person.gender, ""),
            yes_no(person.is_party_member),
        ]

    return cells

"""Formatted Excel workbooks, streamed row by row.

Every ledger export and the import templates write through `write_workbook`:
a title row merged across the columns, a row with the scope and the export
date, bold Chinese headers on a fill, the header frozen, column widths from
the header and a sample of the values, a number or date format per column,
and every text cell through the formula guard of `common/spreadsheets.py`.

The workbook is openpyxl's write-only kind and the rows come from an
iterator, so a million-row ledger never sits in memory: only the first
`WIDTH_SAMPLE` rows of each sheet are held, to size the columns before the
first row is written (a write-only sheet fixes its columns up front).

A sheet is declared once as `Column`s: the header label, where the value
comes from (a `.values()` key, an attribute name or a function of the row)
and its `Kind`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .spreadsheets import is_formula_like

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows read ahead to size the columns; the rest stream straight through.
WIDTH_SAMPLE = 200
MIN_WIDTH = 6
MAX_WIDTH = 60
HEADER_ROW = 3
# Rows Excel opens in one sheet.
MAX_ROWS = 1_048_576
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


class Kind(Enum):
    """What a column holds, and the Excel number format it is shown with."""

    TEXT = "@"
    INTEGER = "0"
    DECIMAL = "0.00"
    SCORE = "0.0"
    MONEY = "#,##0.00"
    PERCENT = "0.0%"
    DATE = "yyyy-mm-dd"
    DATETIME = "yyyy-mm-dd hh:mm"
    BOOLEAN = "bool"

    @property
    def number_format(self) -> str | None:
        return None if self in (Kind.TEXT, Kind.BOOLEAN) else self.value


@dataclass(frozen=True)
class Column:
    """One column: its header, where its value comes from, and its kind.

    `key` is a `.values()` key or an attribute name (a dotted path follows
    attributes, "company.name"), or a function of the row.
    """

    label: str
    key: str | Callable[[Any], Any]
    kind: Kind = Kind.TEXT
    # A fixed width, for columns whose sample would mislead.
    width: float | None = None

    def value_of(self, row: Any) -> Any:
        if callable(self.key):
            return self.key(row)
        if isinstance(row, Mapping):
            return row.get(self.key)
        value = row
        for part in self.key.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value


@dataclass
class Sheet:
    """One worksheet: its columns and the rows (any iterable, read once).

    `heading` and `scope` default to the workbook's; `period` (a quarter
    such as "2026年第三季度") joins the scope on the second row.
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[Any]
    heading: str | None = None
    scope: str | None = None
    period: str = ""
    row_count: int = field(default=0, init=False)


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def excel_value(value: Any, kind: Kind) -> Any:
    """A Python value as openpyxl should store it in a column of `kind`."""
    if value is None or value == "":
        return None
    if kind is Kind.BOOLEAN:
        return _("yes") if value else _("no")
    if kind is Kind.DATETIME and isinstance(value, datetime):
        # Excel has no time zones: write the wall time in Asia/Shanghai.
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if kind is Kind.DATE and isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value
    if kind is Kind.TEXT:
        return value if isinstance(value, str) else str(value)
    if kind in (Kind.INTEGER, Kind.DECIMAL, Kind.SCORE, Kind.MONEY, Kind.PERCENT):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int | float | Decimal):
            return value
        return str(value)
    return value


def _shown_text(value: Any, kind: Kind) -> str:
    """Roughly what Excel shows for a value, to size its column."""
    if value is None:
        return ""
    if kind is Kind.DATE:
        return "2026-12-31"
    if kind is Kind.DATETIME:
        return "2026-12-31 23:59"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if kind is Kind.MONEY:
            return f"{value:,.2f}"
        if kind is Kind.PERCENT:
            return f"{value * 100:.1f}%"
        if kind in (Kind.DECIMAL, Kind.SCORE):
            return f"{value:.2f}"
    return str(value)


def column_widths(
    columns: Sequence[Column], sample: Sequence[Sequence[Any]]
) -> list[float]:
    """Widths that fit each header and the widest sampled value."""
    widths = []
    for index, column in enumerate(columns):
        if column.width:
            widths.append(column.width)
            continue
        longest = display_width(column.label)
        for row in sample:
            text = _shown_text(row[index], column.kind)
            # A long text wraps at MAX_WIDTH; its first line is what counts.
            longest = max(longest, display_width(text.split("\n", 1)[0]))
        widths.append(float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)))
    return widths


def sheet_title(title: str, taken: set[str]) -> str:
    """A title Excel accepts (31 characters, no []:*?/\\), unique in the book."""
    base = SHEET_TITLE_BAD.sub("_", title).strip("'") or "Sheet"
    base = base[:31]
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


class _Styles:
    """Cells styled once per workbook and copied: openpyxl's per-cell style
    setters cost more than the XML they produce."""

    THIN = Side(style="thin", color="9CA3AF")

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.title = self._cell(font=Font(bold=True, size=14))
        self.subtitle = self._cell(font=Font(size=10, color="4B5563"))
        self.header = self._cell(
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="FDE2E2"),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            border=Border(bottom=self.THIN, top=self.THIN),
        )
        self.guarded = self._cell(quotePrefix=True)
        self.by_kind = {
            kind: self._cell(number_format=kind.number_format)
            for kind in Kind
            if kind.number_format
        }
        self.wrapped = self._cell(alignment=Alignment(wrap_text=True, vertical="top"))

    def _cell(self, **style: Any) -> Any:
        cell = WriteOnlyCell(self.sheet)
        for name, value in style.items():
            setattr(cell, name, value)
        return cell._style

    def make(self, value: Any, style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value)
        cell._style = copy(style)
        return cell


def _cells(
    styles: _Styles, columns: Sequence[Column], widths: Sequence[float], row: Sequence
) -> list[Any]:
    cells: list[Any] = []
    for column, width, value in zip(columns, widths, row, strict=True):
        if value is None:
            cells.append(None)
        elif isinstance(value, str):
            if is_formula_like(value):
                cell = styles.make(value, styles.guarded)
                # Without this openpyxl stores "=…" as a formula.
                cell.data_type = "s"
                cells.append(cell)
            elif "\n" in value or display_width(value) > width:
                cells.append(styles.make(value, styles.wrapped))
            else:
                cells.append(value)
        elif column.kind.number_format:
            cells.append(styles.make(value, styles.by_kind[column.kind]))
        else:
            cells.append(value)
    return cells


def _write_sheet(
    book: Workbook, sheet: Sheet, *, title: str, scope: str, exported_on: date, taken
) -> int:
    columns = sheet.columns
    values: Iterator[list[Any]] = (
        [excel_value(c.value_of(row), c.kind) for c in columns] for row in sheet.rows
    )
    sample = list(itertools.islice(values, WIDTH_SAMPLE))
    widths = column_widths(columns, sample)
    second = " · ".join(
        part
        for part in (
            sheet.scope if sheet.scope is not None else scope,
            sheet.period,
            _("exported on %(date)s") % {"date": exported_on.isoformat()},
        )
        if part
    )
    heading = sheet.heading or title
    rows = itertools.chain(sample, values)
    # Excel holds MAX_ROWS rows a sheet: more continue on "诉求记录 (2)"…
    per_sheet = MAX_ROWS - HEADER_ROW
    count = 0
    while True:
        ws = book.create_sheet(sheet_title(sheet.title, taken))
        styles = _start_sheet(ws, columns, widths, heading, second)
        written = 0
        for row in itertools.islice(rows, per_sheet):
            ws.append(_cells(styles, columns, widths, row))
            written += 1
        count += written
        if written < per_sheet:
            break
        following = next(rows, None)
        if following is None:
            break
        rows = itertools.chain([following], rows)
    sheet.row_count = count
    return count


def _start_sheet(ws, columns, widths, heading: str, second: str) -> _Styles:
    """The title, scope and header rows, the widths and the frozen header."""
    styles = _Styles(ws)
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(max(len(columns), 1))
    ws.merged_cells.add(f"A1:{last}1")
    ws.merged_cells.add(f"A2:{last}2")
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.row_dimensions[1].height = 24
    ws.append([styles.make(heading, styles.title)])
    ws.append([styles.make(second, styles.subtitle)])
    ws.append([styles.make(c.label, styles.header) for c in columns])
    return styles


def write_workbook(
    target: str | IO[bytes],
    *,
    title: str,
    scope: str,
    sheets: Iterable[Sheet],
    exported_on: date | None = None,
) -> int:
    """Write the sheets to `target` (a path or a binary file); the rows written.

    `title` heads every sheet without its own heading; `scope` ("济阳街道")
    and the export date fill the second row.
    """
    exported_on = exported_on or timezone.localdate()
    book = Workbook(write_only=True)
    taken: set[str] = set()
    total = 0
    for sheet in sheets:
        total += _write_sheet(
            book,
            sheet,
            title=title,
            scope=scope,
            exported_on=exported_on,
            taken=taken,
        )
    if not taken:
        # A workbook needs one sheet; an export with nothing says so.
        _write_sheet(
            book,
            Sheet(title=title, columns=[Column(title, "-")], rows=()),
            title=title,
            scope=scope,
            exported_on=exported_on,
            taken=taken,
        )
    book.save(target)
    return total

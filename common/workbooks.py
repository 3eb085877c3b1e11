"""Reading a ledger workbook (.xlsx) that a clerk filled in, row by row.

openpyxl reads it streamed (`read_only=True`), so a large file never sits
whole in memory. What can go wrong with the file itself (not an xlsx, an
opening password, no header, an empty or merged header cell, too many rows)
raises `WorkbookError` with a Chinese sentence for the clerk; what is wrong
with one cell is the business of the ledger that reads the row.

Formulas are refused, cell by cell: a workbook written by a program other
than Excel holds no computed value for them, so reading "the value" could
silently read nothing. The clerk pastes values instead (选择性粘贴 → 数值).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext as _

# An encrypted .xlsx (an opening password) and an old .xls are both OLE
# compound files, not zip archives; they begin with these bytes.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class WorkbookError(ValueError):
    """The file as a whole cannot be read; the message is for the clerk."""


class CellError(ValueError):
    """One cell's value cannot be read; the message is for the clerk."""


@dataclass(frozen=True)
class SheetRow:
    # The row's number as the spreadsheet program shows it (header is 1).
    number: int
    values: dict[str, Any]
    # Headers of the cells that hold a formula.
    formulas: frozenset[str]


def check_is_xlsx(upload: IO[bytes]) -> None:
    """Refuse a file that is not an unencrypted .xlsx workbook."""
    upload.seek(0)
    start = upload.read(8)
    upload.seek(0)
    if start.startswith(OLE_MAGIC):
        raise WorkbookError(
            _(
                "The workbook is protected by an opening password, or it is an "
                "old .xls file. Remove the password (or save it as .xlsx) in "
                "Excel and upload it again."
            )
        )
    if not start.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(upload):
        upload.seek(0)
        raise WorkbookError(
            _("The file is not an Excel workbook (.xlsx). Use the template.")
        )
    upload.seek(0)


def estimate_rows(upload: IO[bytes]) -> int | None:
    """Rows below the header of the first sheet, as the file declares its
    size (None when it does not, or cannot be read: `read_rows` says why)."""
    from openpyxl import load_workbook

    try:
        check_is_xlsx(upload)
        book = load_workbook(upload, read_only=True)
        try:
            last = book.worksheets[0].max_row
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - only an estimate; read_rows reports
        return None
    finally:
        upload.seek(0)
    return max(last - 1, 0) if last else None


def read_rows(
    upload: IO[bytes], *, headers: tuple[str, ...], max_rows: int
) -> Iterator[SheetRow]:
    """The data rows of the first sheet, as header → value.

    The header is the first of the top rows that holds every one of
    `headers` (in any order): row 1 of a template, row 3 of an export. Blank rows are skipped. More than `max_rows` data rows
    raises WorkbookError as soon as the row past the limit is reached.
    """
    from openpyxl import load_workbook

    check_is_xlsx(upload)
    try:
        book = load_workbook(upload, read_only=True, data_only=False)
    except Exception:
        # openpyxl raises KeyError, ValueError, zipfile and XML errors for a
        # damaged archive; each means the same to the clerk.
        raise WorkbookError(
            _("The workbook cannot be opened; it may be damaged. Save it again.")
        ) from None
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows()
        found, header_number = _find_header(lines, headers)
        count = 0
        for number, cells in enumerate(lines, start=header_number + 1):
            values: dict[str, Any] = {}
            formulas = set()
            for header, cell in zip(found, cells, strict=False):
                value = cell.value
                if getattr(cell, "data_type", None) == "f":
                    formulas.add(header)
                if isinstance(value, str):
                    value = value.strip()
                values[header] = None if value == "" else value
            if all(value is None for value in values.values()):
                continue
            count += 1
            if count > max_rows:
                raise WorkbookError(
                    _(
                        "The file has more than %(limit)s rows. Split it into "
                        "files of at most %(limit)s rows and import them one "
                        "after the other."
                    )
                    % {"limit": f"{max_rows:,}"}
                )
            yield SheetRow(number, values, frozenset(formulas))
        if count == 0:
            raise WorkbookError(_("The first sheet has a header but no data rows."))
    finally:
        book.close()


# An exported ledger (common/xlsx.py) carries a title and a scope row above
# its header; the template has none. The header is the first of these rows
# that names every required column.
HEADER_SEARCH_ROWS = 5


def _find_header(lines, headers: tuple[str, ...]) -> tuple[list[str], int]:
    """The header texts and the header's row number; WorkbookError if none."""
    first: list[str] | None = None
    for number in range(1, HEADER_SEARCH_ROWS + 1):
        cells = next(lines, None)
        if cells is None:
            break
        found = [_header_text(cell.value) for cell in cells]
        while found and not found[-1]:
            found.pop()
        if first is None:
            first = found
        if found and all(header in found for header in headers):
            if "" in found:
                raise WorkbookError(_merged_message(found))
            return found, number
    if not first:
        raise WorkbookError(_("The first sheet is empty: it has no header row."))
    if "" in first:
        raise WorkbookError(_merged_message(first))
    missing = [header for header in headers if header not in first]
    raise WorkbookError(
        _("The header lacks the columns: %(columns)s. Use the template.")
        % {"columns": "、".join(missing)}
    )


def _merged_message(found: list[str]) -> str:
    return _(
        "Header cell %(column)s is empty or merged with its neighbour. "
        "Keep one header per column, as in the template."
    ) % {"column": column_letter(found.index("") + 1)}


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    # "小区名称*" marks a required column in the template; either spelling
    # names the same column.
    return normalise_text(str(value)).rstrip("*").strip()


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


# Cell values ----------------------------------------------------------------


def normalise_text(text: str) -> str:
    """Full-width letters, digits and spaces as their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text).strip()


def cell_text(value: Any) -> str:
    """A cell as text ("" when blank); 12.0 from Excel reads as "12"."""
    return normalise_text(cell_plain(value))


def cell_plain(value: Any) -> str:
    """A cell of free text as typed ("" when blank), only trimmed: unlike
    `cell_text`, full-width punctuation stays （as in names and notes）."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def cell_int(value: Any, *, minimum: int = 0) -> int | None:
    """A whole number (None when blank); full-width digits are read too."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("Not a whole number."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = normalise_text(str(value)).replace(",", "")
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise CellError(_("Not a whole number."))
        number = int(text)
    if number < minimum:
        raise CellError(
            _("The number must be %(minimum)s or more.") % {"minimum": minimum}
        )
    return number


DATE_TEXT = re.compile(
    r"(?P<y>[0-9]{4})\s*[-./年]\s*(?P<m>[0-9]{1,2})\s*[-./月]\s*(?P<d>[0-9]{1,2})\s*日?"
)


def cell_date(value: Any) -> date | None:
    """A date cell, or a date typed as text: 2024-3-1, 2024.3.1, 2024/3/1,
    2024年3月1日 (full-width digits too). None when blank."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.fullmatch(normalise_text(str(value)))
    if match is None:
        raise CellError(
            _("Not a date; write it as 2024-03-01, 2024.3.1 or 2024年3月1日.")
        )
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise CellError(_("No such day in the calendar.")) from None


YES_WORDS = {"是", "有", "yes", "y", "true", "1", "√", "✓"}
NO_WORDS = {"否", "无", "没有", "no", "n", "false", "0", "×"}


def cell_bool(value: Any) -> bool | None:
    """是/否 (or yes/no, 1/0); None when blank."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise CellError(_("Write 是 or 否."))

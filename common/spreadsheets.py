"""Cells of the CSV and Excel exports, never run as formulas.

A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` (a
tab or carriage return before them is dropped on import) as a formula, so a
name typed as `=HYPERLINK(...)` or `+1+cmd|' /C calc'!A0` would run on the
reader's machine (OWASP, "CSV injection"). Plain numbers such as `-12.5`
stay numbers.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read the text as a formula."""
    return text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text)


def csv_text(text: str) -> str:
    """The text of a CSV cell; formula-like text is quoted with `'`."""
    return "'" + text if is_formula_like(text) else text


def xlsx_cell(cell: Any) -> None:
    """Keep an openpyxl cell's formula-like text as text, not a formula."""
    if isinstance(cell.value, str) and is_formula_like(cell.value):
        cell.data_type = "s"
        # Excel keeps the text as text when the reader edits the cell.
        cell.quotePrefix = True

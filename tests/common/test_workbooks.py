"""Reading a clerk's workbook: bad files get a Chinese sentence, cells are
read as a clerk types them."""

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook

from common.workbooks import (
    OLE_MAGIC,
    CellError,
    WorkbookError,
    cell_bool,
    cell_date,
    cell_int,
    read_rows,
)

HEADERS = ("名称", "户数")


def xlsx(*rows, merge: str = "", empty: bool = False) -> BytesIO:
    book = Workbook()
    sheet = book.active
    if not empty:
        for row in rows:
            sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def rows_of(upload, max_rows=100):
    return list(read_rows(upload, headers=HEADERS, max_rows=max_rows))


def file_error(upload, max_rows=100) -> str:
    with pytest.raises(WorkbookError) as raised:
        rows_of(upload, max_rows)
    return str(raised.value)


def test_rows_come_as_header_to_value_with_the_spreadsheet_row_number():
    rows = rows_of(xlsx(HEADERS, ("甲", 3), (None, None), ("乙", " 4 ")))

    assert [(row.number, row.values) for row in rows] == [
        (2, {"名称": "甲", "户数": 3}),
        (4, {"名称": "乙", "户数": "4"}),
    ]


def test_a_required_mark_in_the_header_is_ignored():
    rows = rows_of(xlsx(("名称*", "户数"), ("甲", 1)))

    assert rows[0].values["名称"] == "甲"


def test_a_file_that_is_not_a_workbook_is_refused():
    assert "不是 Excel 工作簿" in file_error(BytesIO("小区,户数\n甲,3\n".encode()))


def test_a_password_protected_workbook_is_refused():
    # An xlsx with an opening password is stored as an OLE compound file.
    encrypted = BytesIO(OLE_MAGIC + b"\x00" * 504)

    assert "密码" in file_error(encrypted)


def test_a_damaged_zip_is_refused():
    damaged = BytesIO(xlsx(HEADERS, ("甲", 1)).getvalue()[:300])

    assert "不是 Excel 工作簿" in file_error(damaged) or "损坏" in file_error(damaged)


def test_an_empty_sheet_is_refused():
    assert "空的" in file_error(xlsx(empty=True))


def test_a_header_without_rows_is_refused():
    assert "没有数据行" in file_error(xlsx(HEADERS))


def test_merged_header_cells_are_refused():
    message = file_error(xlsx(("名称", None, "户数"), ("甲", "", 2), merge="A1:B1"))

    assert "B" in message and "合并" in message


def test_a_missing_column_is_named():
    assert "户数" in file_error(xlsx(("名称",), ("甲",)))


def test_too_many_rows_are_refused_with_the_limit():
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(HEADERS))
    for n in range(50_000):
        sheet.append([f"小区{n}", n])
    out = BytesIO()
    book.save(out)
    out.seek(0)

    assert "20,000" in file_error(out, max_rows=20_000)


def test_formula_cells_are_marked():
    [row] = rows_of(xlsx(HEADERS, ("甲", "=1+2")))

    assert row.formulas == {"户数"}


@pytest.mark.parametrize(
    "typed",
    [
        "2024.3.1",
        "2024年3月1日",
        "2024/3/1",
        "2024-03-01",
        "２０２４年３月１日",
        # openpyxl gives a date cell as a naive datetime, as Excel stores it.
        "2024 年 3 月 1 日",
        datetime(2024, 3, 1, 0, 0),  # noqa: DTZ001
        date(2024, 3, 1),
    ],
)
def test_dates_typed_as_text_are_read(typed):
    assert cell_date(typed) == date(2024, 3, 1)


@pytest.mark.parametrize("typed", ["2024.2.30", "三月一日", "2024-13-01", "20240301x"])
def test_a_text_that_is_not_a_date_is_a_cell_error(typed):
    with pytest.raises(CellError):
        cell_date(typed)


@pytest.mark.parametrize(
    ("typed", "number"), [("１２０", 120), (120.0, 120), ("1,200", 1200), (" 7 ", 7)]
)
def test_whole_numbers_read_full_width_digits(typed, number):
    assert cell_int(typed) == number


@pytest.mark.parametrize("typed", ["三百", "12.5", 12.5, True, "1e3"])
def test_a_text_that_is_not_a_whole_number_is_a_cell_error(typed):
    with pytest.raises(CellError):
        cell_int(typed)


@pytest.mark.parametrize(("typed", "value"), [("是", True), ("否", False), ("Y", True)])
def test_yes_and_no(typed, value):
    assert cell_bool(typed) is value


def test_free_text_keeps_full_width_punctuation_that_match_text_folds():
    from common.workbooks import cell_plain, cell_text

    assert (
        cell_plain(" 纸坊街片区（2020—2021），东院 ") == "纸坊街片区（2020—2021），东院"
    )
    assert cell_text("纸坊街片区（2020）") == "纸坊街片区(2020)"
    assert cell_plain(12.0) == "12"

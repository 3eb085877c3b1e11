"""The formatted workbook writer: layout, formats, formula guard, widths,
frozen header, several sheets, and memory that stays flat on a long ledger."""

import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from common.xlsx import (
    Column,
    Kind,
    Sheet,
    display_width,
    sheet_title,
    write_workbook,
)

COLUMNS = [
    Column("名称", "name"),
    Column("得分", "score", Kind.SCORE),
    Column("户数", "households", Kind.INTEGER),
    Column("金额", "amount", Kind.MONEY),
    Column("日期", "day", Kind.DATE),
    Column("时间", "at", Kind.DATETIME),
    Column("有党组织", "party", Kind.BOOLEAN),
]


def row(**values):
    base = {
        "name": "济阳物业",
        "score": Decimal("91.5"),
        "households": 320,
        "amount": Decimal("5000"),
        "day": date(2026, 10, 1),
        "at": datetime(2026, 10, 1, 1, 30, tzinfo=UTC),
        "party": True,
    }
    return base | values


def written(*sheets, **options):
    buffer = BytesIO()
    options = {"title": "小区台账", "scope": "济阳街道"} | options
    count = write_workbook(buffer, sheets=list(sheets), **options)
    buffer.seek(0)
    return count, load_workbook(buffer)


def test_title_scope_date_and_bold_filled_headers_above_the_rows():
    count, book = written(
        Sheet("小区", COLUMNS, iter([row(), row(name="第二")])),
        exported_on=date(2026, 12, 3),
    )

    sheet = book["小区"]
    assert count == 2
    assert sheet["A1"].value == "小区台账"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "济阳街道 · 导出于 2026-12-03"
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:G1", "A2:G2"}
    headers = [c.value for c in sheet[3]]
    assert headers == [c.label for c in COLUMNS]
    assert all(c.font.bold for c in sheet[3])
    assert sheet["A3"].fill.fgColor.rgb.endswith("FDE2E2")
    assert [sheet.cell(r, 1).value for r in (4, 5)] == ["济阳物业", "第二"]
    assert sheet.max_row == 5


def test_the_header_row_is_frozen():
    _, book = written(Sheet("小区", COLUMNS, [row()]))

    assert book.active.freeze_panes == "A4"


def test_numbers_and_dates_carry_their_formats_and_stay_numbers():
    _, book = written(Sheet("小区", COLUMNS, [row()]))

    cells = {c.column_letter: c for c in book.active[4]}
    assert cells["B"].value == 91.5 and cells["B"].number_format == "0.0"
    assert cells["C"].value == 320 and cells["C"].number_format == "0"
    assert cells["D"].value == 5000 and cells["D"].number_format == "#,##0.00"
    assert cells["E"].value.date() == date(2026, 10, 1)
    assert cells["E"].number_format == "yyyy-mm-dd"
    # Aware times are written as Asia/Shanghai wall time: Excel has no zones.
    wall = datetime(2026, 10, 1, 9, 30, tzinfo=UTC).replace(tzinfo=None)
    assert cells["F"].value == wall
    assert cells["F"].number_format == "yyyy-mm-dd hh:mm"
    assert cells["G"].value == "是"


def test_empty_values_leave_empty_cells():
    _, book = written(
        Sheet("小区", COLUMNS, [row(score=None, day=None, name="", party=None)])
    )

    cells = book.active[4]
    assert [c.value for c in cells[:2]] == [None, None]
    assert cells[4].value is None
    assert cells[6].value is None


def test_formula_like_text_is_written_as_text_and_plain_numbers_are_untouched():
    texts = ['=HYPERLINK("x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "-12.5"]
    _, book = written(
        Sheet(
            "小区",
            [Column("名称", "name"), Column("得分", "score", Kind.DECIMAL)],
            [{"name": t, "score": Decimal("-12.5")} for t in texts],
        )
    )

    rows = list(book.active.iter_rows(min_row=4))
    for cells, text in zip(rows, texts, strict=True):
        name, score = cells
        assert name.value == text
        assert name.data_type == "s"
        assert score.value == -12.5 and score.data_type == "n"
    assert [r[0].quotePrefix for r in rows] == [True, True, True, True, False]


def test_widths_fit_the_header_and_the_widest_value_with_cjk_counting_double():
    company = "济宁市任城区济阳物业服务有限公司"
    _, book = written(
        Sheet(
            "排名",
            [
                Column("企业", "company"),
                Column("Rank", "rank", Kind.INTEGER),
                Column("备注", "note", width=30),
            ],
            [{"company": company, "rank": 1, "note": "x"}],
        )
    )

    widths = book.active.column_dimensions
    assert display_width(company) == 32
    assert widths["A"].width == 34
    assert widths["B"].width == 6  # "Rank" + 2, never below the minimum
    assert widths["C"].width == 30


def test_a_text_longer_than_the_widest_column_wraps():
    _, book = written(Sheet("说事", [Column("描述", "text")], [{"text": "楼道" * 80}]))

    sheet = book.active
    assert sheet.column_dimensions["A"].width == 60
    assert sheet["A4"].alignment.wrap_text


def test_several_sheets_each_with_its_own_heading_scope_and_period():
    count, book = written(
        Sheet("济阳街道", COLUMNS, [row()], scope="济阳街道", period="2026年第三季度"),
        Sheet("济阳街道", COLUMNS, [row(), row()], heading="另一条街道"),
        title="物业服务企业季度排名",
        scope="任城区",
        exported_on=date(2026, 12, 3),
    )

    assert count == 3
    first, second = book.worksheets
    assert (first.title, second.title) == ("济阳街道", "济阳街道 (2)")
    assert first["A1"].value == "物业服务企业季度排名"
    assert first["A2"].value == "济阳街道 · 2026年第三季度 · 导出于 2026-12-03"
    assert second["A1"].value == "另一条街道"
    assert second["A2"].value == "任城区 · 导出于 2026-12-03"


def test_sheet_titles_are_made_acceptable_to_excel():
    taken: set[str] = set()

    assert sheet_title("a/b:c", taken) == "a_b_c"
    assert len(sheet_title("长" * 40, taken)) == 31
    assert sheet_title("A_B_C", taken) == "A_B_C (2)"


def test_an_export_without_sheets_still_opens():
    count, book = written()

    assert count == 0
    assert book.active["A1"].value == "小区台账"


def test_columns_read_attributes_and_functions_of_the_row():
    class Company:
        name = "济阳物业"

    class Compound:
        company = Company()
        households = 12

    _, book = written(
        Sheet(
            "小区",
            [
                Column("企业", "company.name"),
                Column("户数", lambda c: c.households * 2, Kind.INTEGER),
                Column("空", "company.missing.name"),
            ],
            [Compound()],
        )
    )

    assert [c.value for c in book.active[4]] == ["济阳物业", 24, None]


def test_memory_stays_flat_on_a_generator_of_200k_rows(tmp_path):
    rows_wanted = 200_000

    def ledger():
        for number in range(rows_wanted):
            yield (f"济阳街道第{number}号小区", number)

    columns = [
        Column("名称", lambda r: r[0]),
        Column("编号", lambda r: r[1], Kind.INTEGER),
    ]
    tracemalloc.start()
    try:
        count = write_workbook(
            tmp_path / "big.xlsx",
            title="大台账",
            scope="济阳街道",
            sheets=[Sheet("小区", columns, ledger())],
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == rows_wanted
    # Holding the rows would take well over 100 MB; the stream keeps a sample.
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_rows_past_excels_limit_continue_on_a_sheet_of_the_same_name(monkeypatch):
    from common import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", xlsx.HEADER_ROW + 4)
    out = BytesIO()
    rows = [{"n": n} for n in range(10)]

    written = write_workbook(
        out,
        title="台账",
        scope="济阳街道",
        sheets=[Sheet("诉求记录", [Column("编号", "n", Kind.INTEGER)], rows)],
    )

    book = load_workbook(out)
    assert written == 10
    assert book.sheetnames == ["诉求记录", "诉求记录 (2)", "诉求记录 (3)"]
    assert [
        [row[0] for row in book[name].iter_rows(min_row=4, values_only=True)]
        for name in book.sheetnames
    ] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert book["诉求记录 (2)"]["A3"].value == "编号"
    assert book["诉求记录 (3)"].freeze_panes == "A4"


def test_exactly_a_full_sheet_adds_no_empty_one(monkeypatch):
    from common import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", xlsx.HEADER_ROW + 4)
    out = BytesIO()

    write_workbook(
        out,
        title="台账",
        scope="",
        sheets=[Sheet("诉求", [Column("编号", "n")], [{"n": n} for n in range(4)])],
    )

    assert load_workbook(out).sheetnames == ["诉求"]

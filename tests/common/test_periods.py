"""Months and quarters: parsing, bounds and stepping, one definition."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from common.periods import Month, Quarter


def test_month_parses_its_text_form_and_prints_it_back():
    month = Month.parse(" 2026-10 ")

    assert month == Month(2026, 10)
    assert str(month) == "2026-10"


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "26-10", "1899-12", "x"])
def test_month_refuses_text_that_is_not_a_month(text):
    with pytest.raises(ValidationError) as caught:
        Month.parse(text)

    assert caught.value.code == "bad_month"


def test_month_bounds_stop_is_exclusive_and_last_day_inclusive():
    february = Month(2024, 2)

    assert february.start == date(2024, 2, 1)
    assert february.stop == date(2024, 3, 1)
    assert february.last_day == date(2024, 2, 29)
    assert february.contains(date(2024, 2, 29))
    assert not february.contains(date(2024, 3, 1))


def test_month_steps_across_a_year_end():
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month(2026, 3).shifted(-11) == Month(2025, 4)
    assert Month(2026, 5).quarter == Quarter(2026, 2)


def test_quarter_parses_and_knows_its_months():
    quarter = Quarter.parse("2026q3")

    assert quarter == Quarter(2026, 3)
    assert str(quarter) == "2026Q3"
    assert quarter.months == (Month(2026, 7), Month(2026, 8), Month(2026, 9))
    assert quarter.start == date(2026, 7, 1)
    assert quarter.stop == date(2026, 10, 1)
    assert quarter.last_day == date(2026, 9, 30)


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-3", "Q3", "1899Q1"])
def test_quarter_refuses_text_that_is_not_a_quarter(text):
    with pytest.raises(ValidationError) as caught:
        Quarter.parse(text)

    assert caught.value.code == "bad_quarter"


def test_quarter_steps_across_a_year_end_and_orders():
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2026, 2).shifted(-5) == Quarter(2025, 1)
    assert Quarter.of(date(2026, 12, 31)) == Quarter(2026, 4)
    assert sorted([Quarter(2026, 1), Quarter(2025, 4)])[0] == Quarter(2025, 4)
    assert len({Quarter(2026, 1), Quarter.parse("2026Q1")}) == 1


def test_the_last_month_of_the_calendar_contains_its_days():
    # A visit-day override for 9999-12 answered 500 (found by the form fuzz).
    last = Month(9999, 12)

    assert last.contains(date(9999, 12, 31))
    assert not last.contains(date(9999, 11, 30))


def test_the_last_days_of_year_9999_need_no_day_after_them():
    assert Month(9999, 12).last_day == date(9999, 12, 31)
    assert Quarter(9999, 4).last_day == date(9999, 12, 31)
    assert Quarter(9999, 4).contains(date(9999, 12, 31))
    assert Month(2024, 2).last_day == date(2024, 2, 29)
    assert Quarter(2026, 1).last_day == date(2026, 3, 31)


@pytest.mark.parametrize(
    "period", [Month(9999, 12), Quarter(9999, 4)], ids=["month", "quarter"]
)
def test_a_period_without_an_end_is_a_clear_error_not_an_overflow(period):
    with pytest.raises(ValidationError) as stop:
        _ = period.stop
    with pytest.raises(ValidationError) as after:
        period.next()

    for caught in (stop, after):
        assert caught.value.code == "period_out_of_range"
    with translation.override("zh-hans"):
        assert "超出范围" in " ".join(stop.value.messages)


@pytest.mark.parametrize(
    ("parse", "text"), [(Month.parse, "9999-12"), (Quarter.parse, "9999Q4")]
)
def test_parsing_refuses_the_period_that_has_no_end(parse, text):
    with pytest.raises(ValidationError) as caught:
        parse(text)

    assert caught.value.code == "period_out_of_range"


def test_the_period_before_year_1_is_a_clear_error():
    with pytest.raises(ValidationError):
        Month(1, 1).previous()

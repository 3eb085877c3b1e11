"""The street office loads next year's calendar; fallback deadlines follow."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from consultations import services
from consultations.calendar_files import (
    EXAMPLE_CSV,
    CalendarRow,
    load_calendar,
    parse_calendar_file,
)
from consultations.deadlines import add_working_days
from consultations.models import CalendarOverride

from .factories import category

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 30 December 2026, when the library knows nothing of 2027.
BEFORE_NEW_YEAR = datetime(2026, 12, 30, 10, tzinfo=SHANGHAI)
NEW_YEAR_FILE = (
    "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,春节调休上班\n"
)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_example_file_parses():
    rows = parse_calendar_file(EXAMPLE_CSV.encode())

    assert rows[0] == CalendarRow(date(2027, 1, 1), False, "元旦")
    assert {row.is_workday for row in rows} == {True, False}


def test_a_gbk_file_with_chinese_kinds_parses():
    rows = parse_calendar_file(
        "日期,类型,名称\n2027/1/1,休,元旦\n2027/2/20,班,\n".encode("gbk")
    )

    assert rows == [
        CalendarRow(date(2027, 1, 1), False, "元旦"),
        CalendarRow(date(2027, 2, 20), True, ""),
    ]


def test_each_bad_row_is_named_in_chinese():
    with pytest.raises(ValidationError) as caught:
        parse_calendar_file(
            b"date,kind,name\n2027-13-01,holiday,x\n2027-01-02,maybe,y\n"
            b"2027-01-03,holiday,z\n2027-01-03,workday,z\n"
        )

    assert caught.value.messages == [
        "第 2 行：日期“2027-13-01”无法识别，应写作 2027-01-01 的形式。",
        "第 3 行：类型“maybe”既不是 holiday（休）也不是 workday（班）。",
        "第 5 行：2027-01-03 已在第 4 行出现。",
    ]


def test_a_bad_file_changes_nothing(client, street_admin):
    CalendarOverride.objects.create(date=date(2027, 1, 1), is_workday=False)
    client.force_login(street_admin)

    response = client.post(
        reverse("admin:consultations_calendaroverride_import"),
        {"text": "2027-01-01,workday,x\n2027-02-30,holiday,y\n"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "第 2 行" in page and "没有任何改动" in page
    assert list(CalendarOverride.objects.values_list("date", "is_workday")) == [
        (date(2027, 1, 1), False)
    ]


def test_loading_the_year_recomputes_fallback_deadlines(compound, street_admin):
    with time_machine.travel(BEFORE_NEW_YEAR, tick=False):
        concern = services.submit_concern(
            compound=compound, category=category("sanitation"), description="年前"
        )
        # Two working days: Thursday 31 December and Friday 1 January,
        # counted as a working day without the official calendar.
        assert concern.due_at == end_of(2027, 1, 1)
        assert concern.due_on_fallback_calendar

        result = load_calendar(
            by=street_admin, rows=parse_calendar_file(NEW_YEAR_FILE.encode())
        )

    assert (result.added, result.updated, result.recomputed) == (2, 0, 1)
    concern.refresh_from_db()
    assert concern.due_at == end_of(2027, 1, 4)
    assert not concern.due_on_fallback_calendar


def test_a_single_typed_holiday_moves_the_deadline_but_keeps_the_warning(
    client, compound, street_admin
):
    with time_machine.travel(BEFORE_NEW_YEAR, tick=False):
        concern = services.submit_concern(
            compound=compound, category=category("sanitation"), description="年前"
        )
        client.force_login(street_admin)
        response = client.post(
            reverse("admin:consultations_calendaroverride_add"),
            {"date": "2027-01-01", "note": "元旦"},
        )

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.due_at == end_of(2027, 1, 4)
    # One holiday is a correction, not the year's calendar.
    assert concern.due_on_fallback_calendar


def test_a_loaded_year_is_no_longer_counted_on_the_fallback(street_admin):
    load_calendar(by=street_admin, rows=parse_calendar_file(NEW_YEAR_FILE.encode()))

    result = add_working_days(datetime(2027, 2, 19, 10, tzinfo=SHANGHAI), 1)

    assert result.moment == end_of(2027, 2, 20)
    assert not result.fallback


def test_only_the_street_office_loads_the_calendar(community_staff, client):
    with pytest.raises(PermissionDenied):
        load_calendar(by=community_staff, rows=[CalendarRow(date(2027, 1, 1), False)])
    client.force_login(community_staff)

    response = client.get(reverse("admin:consultations_calendaroverride_import"))

    assert response.status_code == 403
    assert "维护节假日日历" in response.content.decode()


def test_the_example_file_downloads(client, street_admin):
    client.force_login(street_admin)

    response = client.get(reverse("admin:consultations_calendaroverride_example"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert parse_calendar_file(response.content)

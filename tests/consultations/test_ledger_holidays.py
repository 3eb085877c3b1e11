"""The holiday calendar ledger: next year's holidays and adjusted working days."""

import pytest

from consultations.deadlines import CalendarOverride
from org.models import AuditEvent

from ..ledgers import exported, messages, run, workbook

pytestmark = pytest.mark.django_db

HEADERS = ["日期", "类型", "名称"]


def test_dates_typed_as_text_and_both_kinds_import(street_admin):
    upload = workbook(
        HEADERS,
        ["2027.2.6", "放假", "春节"],
        ["2027年2月14日", "上班", "春节调休"],
        ["２０２７-１０-０１", "休", "国庆节"],
    )

    report = run("holidays", upload, street_admin)

    assert report.applied, messages(report)
    assert {(str(d.date), d.is_workday) for d in CalendarOverride.objects.all()} == {
        ("2027-02-06", False),
        ("2027-02-14", True),
        ("2027-10-01", False),
    }


def test_bad_rows_are_errors_and_nothing_changes(street_admin):
    upload = workbook(
        HEADERS,
        ["2027-02-30", "放假", ""],
        ["2027-02-07", "半天", ""],
        ["明年春节", "放假", ""],
        ["2027-02-08", "放假", ""],
        ["2027.2.8", "上班", ""],
    )

    report = run("holidays", upload, street_admin)

    assert [(p.row, p.column) for p in report.problems] == [
        (2, "日期"),
        (3, "类型"),
        (4, "日期"),
        (6, "日期"),
    ]
    assert not CalendarOverride.objects.exists()


def test_reimport_is_a_no_op_and_a_change_updates_with_audit(street_admin):
    row = ["2027-02-06", "放假", "春节"]
    run("holidays", workbook(HEADERS, row), street_admin)
    assert run("holidays", workbook(HEADERS, row), street_admin).count("unchanged") == 1

    row[1] = "上班"
    assert run("holidays", workbook(HEADERS, row), street_admin).count("update") == 1
    assert CalendarOverride.objects.get().is_workday
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).latest(
        "pk"
    )
    assert "否 → 是" in event.detail


def test_importing_the_year_recounts_the_fallback_deadlines(compound, street_admin):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from consultations import services

    from .factories import category

    shanghai = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime(2026, 12, 30, 10, tzinfo=shanghai), tick=False):
        concern = services.submit_concern(
            compound=compound, category=category("sanitation"), description="年前"
        )
        assert concern.due_on_fallback_calendar
        dry = run(
            "holidays",
            workbook(HEADERS, ["2027.1.1", "放假", "元旦"], ["2027.2.20", "上班", ""]),
            street_admin,
            apply=False,
        )
        concern.refresh_from_db()
        assert dry.ok and concern.due_on_fallback_calendar
        run(
            "holidays",
            workbook(HEADERS, ["2027.1.1", "放假", "元旦"], ["2027.2.20", "上班", ""]),
            street_admin,
        )

    concern.refresh_from_db()
    assert concern.due_at == datetime(2027, 1, 4, 23, 59, 59, tzinfo=shanghai)
    assert not concern.due_on_fallback_calendar


def test_community_staff_may_not_import_the_calendar(client, community_staff):
    from django.urls import reverse

    client.force_login(community_staff)

    response = client.get(reverse("compounds:ledger-import", args=["holidays"]))

    assert response.status_code == 403


def test_export_then_import_changes_nothing(street_admin):
    run("holidays", workbook(HEADERS, ["2027-02-06", "放假", "春节"]), street_admin)

    report = run("holidays", exported("holidays", street_admin), street_admin)

    assert report.applied, messages(report)
    assert report.count("unchanged") == 1

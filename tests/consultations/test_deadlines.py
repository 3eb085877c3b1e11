from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from consultations import services
from consultations.deadlines import add_working_days, is_workday, working_days_between
from consultations.models import CalendarOverride, Concern, ConcernEvent, Notification

from .factories import category

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0, s=0):
    return datetime(y, m, d, h, mi, s, tzinfo=SHANGHAI)


def end_of(y, m, d):
    return at(y, m, d, 23, 59, 59)


def test_national_day_2025_holidays_are_skipped():
    # 2025-10-01..08 are holidays; Thursday 9th and Friday 10th are the first
    # two working days after Tuesday 30 September.
    result = add_working_days(at(2025, 9, 30), 2)

    assert result.moment == end_of(2025, 10, 10)
    assert not result.fallback


def test_adjusted_sunday_before_national_day_is_a_working_day():
    assert add_working_days(at(2025, 9, 27), 1).moment == end_of(2025, 9, 28)


def test_adjusted_saturday_after_national_day_is_a_working_day():
    assert add_working_days(at(2025, 10, 10), 1).moment == end_of(2025, 10, 11)


def test_a_year_the_library_does_not_know_falls_back_to_monday_to_friday():
    result = add_working_days(at(2026, 12, 31), 2)

    # Friday 1 January 2027 counts as a working day without an override.
    assert result.moment == end_of(2027, 1, 4)
    assert result.fallback


def test_override_marks_new_year_2027_a_holiday_in_the_fallback_year():
    CalendarOverride.objects.create(
        date=date(2027, 1, 1), is_workday=False, note="元旦"
    )

    result = add_working_days(at(2026, 12, 31), 2)

    assert result.moment == end_of(2027, 1, 5)
    assert result.fallback


def test_override_wins_over_the_official_calendar():
    CalendarOverride.objects.create(date=date(2025, 10, 9), is_workday=False)
    CalendarOverride.objects.create(date=date(2025, 10, 12), is_workday=True)

    assert add_working_days(at(2025, 9, 30), 2).moment == end_of(2025, 10, 11)
    assert is_workday(date(2025, 10, 12)) == (True, False)


def test_working_days_between_counts_the_national_day_week_as_nothing():
    assert working_days_between(at(2025, 9, 30), at(2025, 10, 8)) == 0
    assert working_days_between(at(2025, 9, 30), at(2025, 10, 9)) == 1


def test_concern_submitted_before_national_day_is_due_after_it(compound):
    with time_machine.travel(at(2025, 9, 30), tick=False):
        concern = services.submit_concern(
            compound=compound, category=category("sanitation"), description="国庆前"
        )

    assert concern.due_at == end_of(2025, 10, 10)
    assert not concern.due_on_fallback_calendar


def test_concern_due_in_2027_is_marked_as_counted_on_the_fallback(compound):
    with time_machine.travel(at(2026, 12, 30), tick=False):
        concern = services.submit_concern(
            compound=compound, category=category("sanitation"), description="跨年"
        )

    assert concern.due_on_fallback_calendar


def test_flags_turn_yellow_a_working_day_before_and_red_when_overdue(compound):
    with time_machine.travel(at(2025, 9, 30), tick=False):
        concern = services.submit_concern(
            compound=compound, category=category("sanitation"), description="看颜色"
        )
    # Due at the end of Friday 10 October.
    with time_machine.travel(at(2025, 10, 8, 12), tick=False):
        assert concern.alert_level == ""
        assert not Concern.objects.due_soon().exists()
    with time_machine.travel(at(2025, 10, 9, 12), tick=False):
        assert concern.alert_level == "yellow"
        assert list(Concern.objects.due_soon()) == [concern]
        assert not Concern.objects.overdue().exists()
    with time_machine.travel(at(2025, 10, 11, 0, 1), tick=False):
        assert concern.alert_level == "red"
        assert list(Concern.objects.overdue()) == [concern]


def test_closed_concern_never_flags(compound, grid_secretary):
    with time_machine.travel(at(2025, 9, 30), tick=False):
        concern = services.submit_concern(
            compound=compound, category=category("sanitation"), description="已办结"
        )
        services.reject(concern=concern, actor=grid_secretary, note="重复提交")
    with time_machine.travel(at(2025, 10, 20), tick=False):
        concern.refresh_from_db()
        assert concern.alert_level == ""
        assert not Concern.objects.overdue().exists()


def test_deadline_sweep_escalates_and_emails_overdue_concerns_once(
    compound, serving_contract, grid_secretary
):
    serving_contract.company.contact_email = "company@example.org"
    serving_contract.company.save()
    concern = services.submit_concern(
        compound=compound, category=category("sanitation"), description="超期"
    )
    services.accept(concern=concern, actor=grid_secretary)
    services.dispatch(concern=concern, actor=grid_secretary)
    Notification.objects.all().delete()
    Concern.objects.filter(pk=concern.pk).update(due_at=at(2020, 1, 1))

    assert services.sweep_deadlines().reminded == 1
    assert services.sweep_deadlines().reminded == 0

    concern.refresh_from_db()
    assert concern.status == Concern.Status.ESCALATED
    assert ConcernEvent.objects.filter(concern=concern, action="escalate").count() == 1
    assert list(Notification.objects.values_list("to_email", flat=True)) == [
        "company@example.org"
    ]


def test_deadline_sweep_task_runs_the_sweep(compound):
    from consultations.tasks import sweep_deadlines_task

    concern = services.submit_concern(
        compound=compound, category=category(), description="任务"
    )
    Concern.objects.filter(pk=concern.pk).update(due_at=at(2020, 1, 1))

    assert sweep_deadlines_task.delay().get()["reminded"] == 1

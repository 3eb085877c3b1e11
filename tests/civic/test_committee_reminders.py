"""Committee terms ending in 90 and 30 days, and a cross-appointment seat
left empty, are told to the community's and the grid's staff by e-mail and
SMS."""

from datetime import date, timedelta

import pytest

from civic import services as civic_services
from civic.tasks import send_empty_seat_reminders_task, send_term_ending_reminders_task
from consultations import sms
from org.models import CrossAppointment
from tests.factories import CommitteeFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def _phone(user) -> str:
    return "+86" + user.person.phone


@pytest.mark.parametrize("days", [90, 30])
def test_a_term_ending_in_90_or_30_days_is_told(
    compound,
    community_staff,
    grid_secretary,
    mailoutbox,
    days,
    django_capture_on_commit_callbacks,
):
    community_staff.person.email = "hwj@example.org"
    community_staff.person.save()
    committee = CommitteeFactory(
        compound=compound,
        name="金色家园业主委员会",
        term_start=date(2021, 12, 1),
        established=date(2021, 12, 1),
        term_end=TODAY + timedelta(days=days),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert civic_services.send_term_ending_reminders(on=TODAY) == 1

    assert sorted(m.phone for m in sms.outbox) == sorted(
        [_phone(community_staff), _phone(grid_secretary)]
    )
    message = sms.outbox[0]
    assert message.template == "term_ending"
    assert message.params == [committee.name, committee.term_end.isoformat(), str(days)]
    assert message.text == (
        f"金色家园业主委员会任期将于{committee.term_end.isoformat()}届满，"
        f"还有{days}天，请做好换届准备。"
    )
    [mail] = mailoutbox
    assert mail.to == ["hwj@example.org"]
    assert f"{days} 天" in mail.subject


def test_no_term_reminder_on_other_days(compound, community_staff):
    CommitteeFactory(compound=compound, term_end=TODAY + timedelta(days=89))

    assert civic_services.send_term_ending_reminders(on=TODAY) == 0
    assert send_term_ending_reminders_task.delay().get() == 0
    assert sms.outbox == []


def _seat(grid, *, start, end=None, seat=CrossAppointment.Seat.COMPANY):
    return CrossAppointment.objects.create(
        branch=grid,
        seat=seat,
        person=PersonFactory(unit=grid),
        source_organisation="金航物业",
        start=start,
        end=end,
    )


def test_a_seat_left_empty_is_told_the_day_after(
    grid, community_staff, grid_secretary, django_capture_on_commit_callbacks
):
    _seat(grid, start=date(2024, 1, 1), end=TODAY - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert civic_services.send_empty_seat_reminders(on=TODAY) == 1
        assert civic_services.send_empty_seat_reminders(on=TODAY + timedelta(1)) == 0

    assert sorted(m.phone for m in sms.outbox) == sorted(
        [_phone(community_staff), _phone(grid_secretary)]
    )
    assert sms.outbox[0].text == (
        f"{grid.name}的交叉任职席位“物业公司党组织负责人”空缺，请尽快补任。"
    )


def test_a_seat_taken_over_at_once_is_not_empty(grid, grid_secretary):
    _seat(grid, start=date(2024, 1, 1), end=TODAY - timedelta(days=1))
    _seat(grid, start=TODAY)

    assert civic_services.send_empty_seat_reminders(on=TODAY) == 0
    assert send_empty_seat_reminders_task.delay().get() == 0
    assert sms.outbox == []

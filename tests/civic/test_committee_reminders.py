"""Committee terms ending in 90 and 30 days, and a cross-appointment seat
left empty, are told to the community's and the grid's staff by e-mail and
SMS."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from civic import services as civic_services
from civic.tasks import send_empty_seat_reminders_task, send_term_ending_reminders_task
from consultations import sms
from consultations.models import Notification
from consultations.notifications import Queued
from org.models import CrossAppointment
from tests.conftest import need
from tests.factories import CommitteeFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
NOTHING = {"reminded": 0, "email": 0, "sms": 0}


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
        queued = civic_services.send_term_ending_reminders(on=TODAY)

    assert queued == Queued(reminded=1, email=1, sms=2)

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

    assert civic_services.send_term_ending_reminders(on=TODAY) == Queued()
    assert send_term_ending_reminders_task.delay().get() == NOTHING
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
        queued = civic_services.send_empty_seat_reminders(on=TODAY)
        later = civic_services.send_empty_seat_reminders(on=TODAY + timedelta(1))

    assert queued == Queued(reminded=1, email=0, sms=2)
    assert later == Queued()

    assert sorted(m.phone for m in sms.outbox) == sorted(
        [_phone(community_staff), _phone(grid_secretary)]
    )
    assert sms.outbox[0].text == (
        f"{grid.name}的交叉任职席位“物业公司党组织负责人”空缺，请尽快补任。"
    )


def test_a_seat_taken_over_at_once_is_not_empty(grid, grid_secretary):
    _seat(grid, start=date(2024, 1, 1), end=TODAY - timedelta(days=1))
    _seat(grid, start=TODAY)

    assert civic_services.send_empty_seat_reminders(on=TODAY) == Queued()
    assert send_empty_seat_reminders_task.delay().get() == NOTHING
    assert sms.outbox == []


def _due_today(which, compound, grid):
    """A committee whose term ends in 30 days, or a seat emptied yesterday;
    the run that tells of it, and the marker it sets."""
    if which == "term":
        row = CommitteeFactory(compound=compound, term_end=TODAY + timedelta(30))
        return row, civic_services.send_term_ending_reminders, "term_reminded_on"
    row = _seat(grid, start=date(2024, 1, 1), end=TODAY - timedelta(days=1))
    return row, civic_services.send_empty_seat_reminders, "vacancy_reminded_on"


@pytest.mark.parametrize("which", ["term", "seat"])
def test_a_second_run_on_the_same_day_sends_nothing(
    which,
    compound,
    grid,
    community_staff,
    grid_secretary,
    django_capture_on_commit_callbacks,
):
    row, run, marker = _due_today(which, compound, grid)

    with django_capture_on_commit_callbacks(execute=True):
        first = run(on=TODAY)
        again = run(on=TODAY)

    assert first == Queued(reminded=1, email=0, sms=2)
    assert again == Queued()
    assert len(sms.outbox) == 2
    row.refresh_from_db()
    assert getattr(row, marker) == TODAY


def test_the_30_day_reminder_follows_the_90_day_one(
    compound, community_staff, grid_secretary
):
    CommitteeFactory(compound=compound, term_end=TODAY + timedelta(90))

    assert civic_services.send_term_ending_reminders(on=TODAY).reminded == 1
    assert (
        civic_services.send_term_ending_reminders(on=TODAY + timedelta(1)).reminded == 0
    )
    assert (
        civic_services.send_term_ending_reminders(on=TODAY + timedelta(60)).reminded
        == 1
    )


def test_the_tasks_count_what_they_queued_per_channel(
    compound, grid, community_staff, grid_secretary
):
    community_staff.person.email = "hwj@example.org"
    community_staff.person.save()
    CommitteeFactory(compound=compound, term_end=timezone.localdate() + timedelta(30))
    _seat(grid, start=date(2024, 1, 1), end=timezone.localdate() - timedelta(days=1))

    told = {"reminded": 1, "email": 1, "sms": 2}
    for task in (send_term_ending_reminders_task, send_empty_seat_reminders_task):
        assert task.delay().get() == told
        assert task.delay().get() == NOTHING


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("which", ["term", "seat"])
def test_two_runs_at_once_tell_the_staff_once(which, compound, grid, grid_secretary):
    """A run that finds the rows claimed by another still in progress skips
    them, and once that one has committed the marker keeps them out."""
    need("postgresql" in connection.vendor, "the race needs PostgreSQL's row locks")
    _, run, _ = _due_today(which, compound, grid)
    claimed, finish = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = run(on=TODAY)
                claimed.set()
                finish.wait(10)
        except Exception as exc:
            results["first"] = exc
            claimed.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert claimed.wait(10)
    results["during"] = run(on=TODAY)
    finish.set()
    thread.join(10)
    results["after"] = run(on=TODAY)

    assert results["first"].reminded == 1, results
    assert results["during"] == Queued()
    assert results["after"] == Queued()
    assert Notification.objects.filter(channel="sms").count() == 1

"""The company hears of its notices through the outbox, and is reminded
two days before the deadline and on the day."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from assessments.models import RectificationNotice
from assessments.services.inspections import (
    answer_rectification,
    raise_rectification,
    send_rectification_reminders,
    verify_rectification,
)
from assessments.tasks import send_rectification_reminders_task
from consultations.models import Notification
from consultations.notifications import Queued
from tests.factories import CompanyStaffFactory, PersonFactory

from .factories import cadre, submitted_inspection

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def leader(street):
    return cadre(street, username="leader")


@pytest.fixture
def company(serving_contract):
    company = serving_contract.company
    company.contact_email = "office@jinghang.example"
    company.save()
    CompanyStaffFactory(
        company=company, person=PersonFactory(email="pm@jinghang.example")
    )
    return company


@pytest.fixture
def failed(compound, company, leader):
    inspection = submitted_inspection(compound, leader, occurrences={"E1": 2})
    return inspection.results.get(item__code="E1")


def raised(failed, leader, days):
    return raise_rectification(
        result=failed, deadline=TODAY() + timedelta(days=days), actor=leader
    )


def test_the_company_is_mailed_the_notice(
    failed, leader, compound, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = raised(failed, leader, 7)
    rows = Notification.objects.filter(channel="email").order_by("to_email")
    assert [row.to_email for row in rows] == [
        "office@jinghang.example",
        "pm@jinghang.example",
    ]
    assert all(row.sent_at for row in rows)
    assert len(mail.outbox) == 2
    body = rows[0].body
    assert compound.name in body
    assert f"/assessments/rectifications/{notice.pk}/" in body
    assert "整改通知" in rows[0].subject


@pytest.mark.parametrize(("days", "reminded"), [(2, True), (0, True), (1, False)])
def test_reminders_two_days_before_and_on_the_day(failed, leader, days, reminded):
    raised(failed, leader, days)
    Notification.objects.all().delete()
    assert send_rectification_reminders(on=TODAY()).email == (2 if reminded else 0)
    if reminded:
        subject = Notification.objects.filter(channel="email").first().subject
        assert subject.startswith("整改提醒")


def test_a_second_run_on_the_same_day_mails_nothing(failed, leader):
    notice = raised(failed, leader, 2)
    Notification.objects.all().delete()
    assert send_rectification_reminders(on=TODAY()).email == 2
    assert send_rectification_reminders(on=TODAY()) == Queued()
    notice.refresh_from_db()
    assert notice.reminded_on == TODAY()
    # On the deadline itself it is reminded again.
    assert send_rectification_reminders(on=TODAY() + timedelta(days=2)).email == 2


def test_answered_and_closed_notices_are_not_reminded(failed, leader, property_manager):
    answered = raised(failed, leader, 2)
    answer_rectification(notice=answered, note="已整改", actor=property_manager)
    Notification.objects.all().delete()
    assert send_rectification_reminders(on=TODAY()) == Queued()


def test_a_returned_notice_is_mailed_and_reminded(failed, leader, property_manager):
    notice = raised(failed, leader, 2)
    answer_rectification(notice=notice, note="已整改", actor=property_manager)
    Notification.objects.all().delete()
    verify_rectification(notice=notice, accepted=False, note="仍有堆物", actor=leader)
    returned = list(
        Notification.objects.filter(channel="email").values_list("subject", "body")
    )
    assert len(returned) == 2
    assert returned[0][0].startswith("整改退回")
    assert "仍有堆物" in returned[0][1]
    assert send_rectification_reminders(on=TODAY()).email == 2
    notice.refresh_from_db()
    assert notice.status == RectificationNotice.Status.RETURNED


def test_the_task_runs_the_reminders(failed, leader):
    raised(failed, leader, 0)
    Notification.objects.all().delete()
    assert (
        send_rectification_reminders_task.delay(TODAY().isoformat()).get()["email"] == 2
    )


def test_beat_runs_the_reminders_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["rectification-reminders"]
    assert entry["task"] == "assessments.tasks.send_rectification_reminders_task"
    assert entry["schedule"].hour == {8}

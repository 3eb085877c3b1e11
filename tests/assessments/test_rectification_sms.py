"""The company is texted its rectification notice and, before the
deadline, reminded of it (beside the e-mails)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.services.inspections import (
    answer_rectification,
    raise_rectification,
    send_rectification_reminders,
    verify_rectification,
)
from consultations import sms
from consultations.models import Notification
from tests.factories import CompanyStaffFactory, PersonFactory

from .factories import cadre, submitted_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(serving_contract):
    company = serving_contract.company
    company.contact_phone = "0531-88881234"  # a landline: no SMS
    company.save()
    CompanyStaffFactory(company=company, person=PersonFactory(phone="13700001111"))
    return company


@pytest.fixture
def notice(compound, company, street, django_capture_on_commit_callbacks):
    leader = cadre(street, username="leader")
    inspection = submitted_inspection(compound, leader, occurrences={"E1": 2})
    with django_capture_on_commit_callbacks(execute=True):
        return raise_rectification(
            result=inspection.results.get(item__code="E1"),
            deadline=timezone.localdate() + timedelta(days=2),
            actor=leader,
        )


def test_a_new_notice_is_texted_with_its_deadline(notice, compound):
    [message] = sms.outbox
    assert message.phone == "+8613700001111"
    assert message.template == "rectification"
    assert message.params[0] == compound.name
    assert message.params[2] == notice.deadline.isoformat()
    assert message.text.endswith(f"请于{notice.deadline.isoformat()}前完成整改。")


def test_the_reminder_is_texted_too(notice, django_capture_on_commit_callbacks):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_rectification_reminders(on=timezone.localdate())
        send_rectification_reminders(on=timezone.localdate())  # once a day

    assert [m.template for m in sms.outbox] == ["rectification"]


def test_a_returned_notice_is_texted_with_the_reason(
    notice, company, property_manager, django_capture_on_commit_callbacks
):
    answer_rectification(notice=notice, note="已清理", actor=property_manager)
    sms.outbox.clear()
    leader = notice.created_by

    with django_capture_on_commit_callbacks(execute=True):
        verify_rectification(
            notice=notice, accepted=False, note="楼道仍有堆物", actor=leader
        )

    [message] = [m for m in sms.outbox if m.phone == "+8613700001111"]
    assert {m.template for m in sms.outbox} == {"rectification_returned"}
    assert message.params == [
        notice.inspection.compound.name,
        "楼道仍有堆物",
        notice.deadline.isoformat(),
    ]
    assert message.text == (
        f"{notice.inspection.compound.name}整改复查未通过：楼道仍有堆物，"
        f"请于{notice.deadline.isoformat()}前重新整改。"
    )


def test_the_reminder_counts_mails_and_texts(
    notice, django_capture_on_commit_callbacks
):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queued = send_rectification_reminders(on=timezone.localdate())
    assert queued.reminded == 1
    assert queued.sms == len(sms.outbox) == 1
    assert (
        queued.email
        == Notification.objects.filter(
            channel="email", subject__startswith="整改提醒"
        ).count()
    )

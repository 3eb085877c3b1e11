from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from kombu.exceptions import OperationalError

from consultations import services
from consultations.models import Concern, Notification
from consultations.notifications import send_notification, sweep_outbox
from consultations.tasks import send_notification_task, sweep_outbox_task

from .factories import category

pytestmark = pytest.mark.django_db


def test_notification_is_sent_only_after_commit(
    compound, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_concern(
            compound=compound,
            category=category(),
            description="提交后发信",
            email="resident@example.org",
        )
        assert len(mail.outbox) == 0

    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["resident@example.org"]]
    assert Notification.objects.get().sent_at is not None


def test_answer_emails_the_resident(
    compound, grid_secretary, django_capture_on_commit_callbacks
):
    concern = services.submit_concern(
        compound=compound,
        category=category(),
        description="答复",
        email="r@example.org",
    )
    services.accept(concern=concern, actor=grid_secretary)
    with django_capture_on_commit_callbacks(execute=True):
        services.respond(concern=concern, actor=grid_secretary, note="已修好")

    assert any("已修好" in m.body for m in mail.outbox)


def test_broker_down_the_resident_still_sees_success_and_the_sweep_sends_later(
    client, compound, django_capture_on_commit_callbacks
):
    refused = OperationalError(
        "Error 111 connecting to 127.0.0.1:1. Connection refused."
    )
    with (
        mock.patch.object(send_notification_task, "delay", side_effect=refused),
        mock.patch.object(send_notification_task, "apply_async", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("consultations:create"),
            {
                "compound": compound.pk,
                "category": category().pk,
                "kind": "complaint",
                "description": "Redis 停了也要收到",
                "email": "resident@example.org",
            },
        )

    assert response.status_code == 200
    concern = Concern.objects.get()
    assert concern.formatted_code in response.content.decode()
    row = Notification.objects.get(concern=concern)
    assert row.sent_at is None
    assert len(mail.outbox) == 0

    assert sweep_outbox(older_than=timedelta(0)) == 1

    row.refresh_from_db()
    assert row.sent_at is not None
    assert [m.to for m in mail.outbox] == [["resident@example.org"]]


def test_sending_twice_sends_one_email(compound):
    row = Notification.objects.create(to_email="a@example.org", subject="s", body="b")

    assert send_notification(row.pk)
    assert send_notification(row.pk)
    assert len(mail.outbox) == 1


def test_failed_send_is_kept_for_the_sweep_with_the_error(compound, settings):
    row = Notification.objects.create(to_email="a@example.org", subject="s", body="b")
    with mock.patch(
        "consultations.notifications.send_mail", side_effect=OSError("smtp down")
    ):
        assert not send_notification(row.pk)

    row.refresh_from_db()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "smtp down" in row.last_error
    assert sweep_outbox_task.delay().get() == 0  # too recent for the sweep
    assert sweep_outbox(older_than=timedelta(0)) == 0  # its retry is not due
    with time_machine.travel(row.retry_at + timedelta(seconds=1)):
        assert sweep_outbox(older_than=timedelta(0)) == 1

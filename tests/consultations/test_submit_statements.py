"""A resident's post costs few statements: no validation look-up the
database's own constraints cover, the staff's addresses in one query, every
outbox row of the concern in one INSERT and one broker publish after
commit."""

from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Concern, Notification
from consultations.notifications import send_notification_task

from .factories import category

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, compound):
    category_pk = category().pk

    def send(**extra):
        return client.post(
            reverse("consultations:create"),
            {
                "compound": compound.pk,
                "category": category_pk,
                "kind": "complaint",
                "description": "楼道灯坏了",
                **extra,
            },
        )

    return send


def test_every_outbox_row_of_a_new_concern_is_one_insert_and_one_publish(
    post, grid_secretary, community_staff, django_capture_on_commit_callbacks
):
    grid_secretary.person.email = "grid@example.org"
    grid_secretary.person.save()
    community_staff.person.email = "community@example.org"
    community_staff.person.save()

    with (
        mock.patch.object(send_notification_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as captured,
    ):
        response = post(email="resident@example.org", phone="13800138000")

    assert response.status_code == 200
    rows = Notification.objects.filter(concern=Concern.objects.get())
    assert sorted(r.to_email or r.to_phone for r in rows) == [
        "+8613800138000",
        "community@example.org",
        "grid@example.org",
        "resident@example.org",
    ]
    inserts = [
        q for q in captured if q["sql"].startswith('INSERT INTO "consultations_notif')
    ]
    assert len(inserts) == 1
    delay.assert_called_once()
    assert sorted(delay.call_args.args[0]) == sorted(r.pk for r in rows)


def test_the_one_task_sends_every_row_it_was_given(
    post, grid_secretary, django_capture_on_commit_callbacks
):
    grid_secretary.person.email = "grid@example.org"
    grid_secretary.person.save()

    with django_capture_on_commit_callbacks(execute=True):
        post(email="resident@example.org")

    assert not Notification.objects.unsent().exists()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "grid@example.org",
        "resident@example.org",
    ]


def test_a_post_looks_up_nothing_the_constraints_already_check(post):
    with CaptureQueriesContext(connection) as captured:
        response = post()

    assert response.status_code == 200
    selects = [q["sql"] for q in captured if q["sql"].startswith("SELECT")]
    # Model validation's existence checks: `SELECT 1 AS "a" FROM … LIMIT 1`.
    assert not [sql for sql in selects if 'AS "a" FROM' in sql]
    assert not [sql for sql in selects if '"_check"' in sql]
    assert len(selects) <= 5
    assert len(captured) <= 12

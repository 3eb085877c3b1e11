"""The audit trail: sign-ins are recorded, entries cannot be changed or
deleted, the street office reads (and exports) its own street's entries in
the admin, and entries past the retention are swept."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from org.audit import record_event
from org.models import AuditEvent
from org.tasks import purge_audit_events_task

from ..factories import StreetFactory

pytestmark = pytest.mark.django_db

A = AuditEvent.Action
PASSWORD = "pass-word-123"


def _sign_in(client, user, password=PASSWORD):
    return client.post(
        reverse("admin:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_REQUEST_ID="req-12345678",
    )


def test_sign_in_and_sign_out_are_recorded_with_address_and_request_id(
    client, grid_secretary, grid
):
    _sign_in(client, grid_secretary)
    client.post(reverse("admin:logout"))

    signed_in = AuditEvent.objects.get(action=A.SIGN_IN)
    assert signed_in.actor == grid_secretary
    assert signed_in.username == grid_secretary.username
    assert signed_in.address == "10.1.2.3"
    assert signed_in.request_id == "req-12345678"
    assert signed_in.street == grid.street
    assert AuditEvent.objects.filter(action=A.SIGN_OUT, actor=grid_secretary).exists()


def test_a_failed_sign_in_is_recorded_with_the_name_typed(client, grid_secretary):
    _sign_in(client, grid_secretary, password="wrong-password")

    failed = AuditEvent.objects.get(action=A.SIGN_IN_FAILED)
    assert failed.actor is None
    assert failed.username == grid_secretary.username
    assert failed.address == "10.1.2.3"
    assert not AuditEvent.objects.filter(action=A.SIGN_IN).exists()


def test_an_entry_cannot_be_changed_or_deleted(street):
    event = record_event(action=A.SIGN_IN, username="clerk", street=street)

    event.detail = "改过"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="改过")
    with pytest.raises(ValidationError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_the_street_office_reads_only_its_own_street(client, street_admin, street):
    record_event(action=A.SIGN_IN, username="own_clerk", street=street)
    record_event(action=A.SIGN_IN, username="other_clerk", street=StreetFactory())
    client.force_login(street_admin)

    response = client.get(
        reverse("admin:org_auditevent_changelist"), {"action__exact": A.SIGN_IN}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "own_clerk" in page
    assert "other_clerk" not in page
    assert "登录" in page


def test_no_one_edits_or_deletes_through_the_admin(client, superuser, street):
    event = record_event(action=A.SIGN_IN, username="clerk", street=street)
    client.force_login(superuser)

    change = client.post(
        reverse("admin:org_auditevent_change", args=[event.pk]), {"detail": "x"}
    )
    delete = client.post(
        reverse("admin:org_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    add = client.get(reverse("admin:org_auditevent_add"))

    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_community_staff_cannot_read_the_trail(client, community_staff, street):
    record_event(action=A.SIGN_IN, username="clerk", street=street)
    client.force_login(community_staff)

    response = client.get(reverse("admin:org_auditevent_changelist"))

    assert response.status_code == 403


def test_the_street_office_exports_the_trail_as_csv(client, street_admin, street):
    event = record_event(action=A.SIGN_IN, username="own_clerk", street=street)
    client.force_login(street_admin)

    response = client.post(
        reverse("admin:org_auditevent_changelist"),
        {"action": "export_csv", "_selected_action": [event.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "own_clerk" in text and "登录" in text


def test_the_sweep_deletes_entries_past_the_retention(settings, street):
    settings.AUDIT_RETENTION_DAYS = 180
    with time_machine.travel(timezone.now() - timedelta(days=181)):
        record_event(action=A.SIGN_IN, username="old_clerk", street=street)
    with time_machine.travel(timezone.now() - timedelta(days=179)):
        record_event(action=A.SIGN_IN, username="recent_clerk", street=street)

    assert purge_audit_events_task.delay().get() == 1

    # The street's own creation is an entry too (org.change_audit), of today.
    signed_in = AuditEvent.objects.filter(action=A.SIGN_IN)
    assert list(signed_in.values_list("username", flat=True)) == ["recent_clerk"]


def test_the_retention_is_180_days_unless_configured():
    assert django_settings.AUDIT_RETENTION_DAYS == 180
    assert "purge-audit-events" in django_settings.CELERY_BEAT_SCHEDULE

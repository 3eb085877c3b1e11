"""The audit trail: reading it in the admin, and revealing a resident's
phone number on a concern page or through the API (each reveal is an entry
of the trail)."""

from django.urls import reverse

from org.audit import record_event
from org.models import AuditEvent

from . import Probe
from .consultations import _dispatched


def _street_event(world):
    event = record_event(
        action=AuditEvent.Action.SIGN_IN,
        username="clerk_of_the_street",
        street=world["street"],
    )
    return {"event": event, "seen": ""}


def _read_trail(client, target):
    response = client.get(reverse("admin:org_auditevent_changelist"))
    target["seen"] = response.content.decode()
    return response


def _revealed(concern) -> bool:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.REVEAL_PHONE, object_id=str(concern.pk)
    ).exists()


PROBES = [
    Probe(
        "org.read_audit",
        "page",
        arrange=_street_event,
        act=_read_trail,
        happened=lambda target: "clerk_of_the_street" in target["seen"],
    ),
    Probe(
        "consultations.reveal_phone",
        "page",
        arrange=_dispatched,
        act=lambda client, concern: client.post(
            reverse("consultations:reveal-phone", args=[concern.pk])
        ),
        happened=_revealed,
    ),
    Probe(
        "consultations.reveal_phone",
        "api",
        arrange=_dispatched,
        act=lambda client, concern: client.post(
            f"/api/v1/concerns/{concern.pk}/reveal-phone/"
        ),
        happened=_revealed,
    ),
]

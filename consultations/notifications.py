"""The outbox: e-mails are rows written in the same transaction as the change
they report, sent by a task after commit; a periodic sweep sends what the
broker never delivered, so an outage loses nothing."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Concern, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def queue_email(
    *, concern: Concern | None, to: Iterable[str], subject: str, body: str
) -> list[Notification]:
    """Write one outbox row per address; enqueue the send after commit."""
    addresses = sorted({a.strip() for a in to if a and a.strip()})
    rows = Notification.objects.bulk_create(
        Notification(concern=concern, to_email=a, subject=subject, body=body)
        for a in addresses
    )
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: enqueue_send(pk))
    return rows


def enqueue_send(notification_id: int) -> None:
    """Hand a row to the broker; if the broker is down the sweep sends it."""
    try:
        send_notification_task.delay(notification_id)
    except Exception:
        # The change is committed and the row is in the outbox: the
        # resident must still see success.
        logger.warning(
            "broker unavailable; notification %s left for the sweep",
            notification_id,
            exc_info=True,
        )


# The delivery task lives with the outbox it drains, so that queueing a row
# needs no import of the tasks module (which imports this one).
@shared_task(name="consultations.tasks.send_notification_task")
def send_notification_task(notification_id: int) -> bool:
    return send_notification(notification_id)


def send_notification(notification_id: int) -> bool:
    """Send one outbox row once; True when it is (or already was) sent."""
    # Claim the row so two workers (task and sweep) never both send it.
    claimed = Notification.objects.filter(
        pk=notification_id, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1, last_error="claimed")
    if not claimed:
        return Notification.objects.filter(
            pk=notification_id, sent_at__isnull=False
        ).exists()
    row = Notification.objects.get(pk=notification_id)
    try:
        send_mail(
            row.subject,
            row.body,
            settings.DEFAULT_FROM_EMAIL,
            [row.to_email],
            fail_silently=False,
        )
    except Exception as exc:
        Notification.objects.filter(pk=row.pk).update(last_error=str(exc)[:1000])
        logger.warning("sending notification %s failed: %s", row.pk, exc)
        return False
    Notification.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
    return True


def sweep_outbox(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Send the unsent rows older than `older_than`; return how many went."""
    cutoff = timezone.now() - older_than
    ids = list(
        Notification.objects.unsent()
        .filter(created_at__lte=cutoff, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    return sum(send_notification(pk) for pk in ids)

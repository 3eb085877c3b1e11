"""The outbox: e-mails and SMS are rows written in the same transaction as
the change they report, sent by a task after commit; a periodic sweep sends
what the broker never delivered, and retries failed sends later (waiting
twice as long each time), so an outage loses nothing."""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from common.phones import sms_number

from . import sms
from .models import Concern, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# The first retry waits this long, each further one twice as long.
FIRST_RETRY_DELAY = timedelta(minutes=2)


@dataclass(frozen=True)
class Queued:
    """What a reminder run put in the outbox: how many things it reminded
    of (concerns, committees, seats, notices) and the rows per channel."""

    reminded: int = 0
    email: int = 0
    sms: int = 0

    def __add__(self, other: "Queued") -> "Queued":
        return Queued(
            self.reminded + other.reminded,
            self.email + other.email,
            self.sms + other.sms,
        )

    @classmethod
    def of(cls, rows: Iterable[Notification], *, reminded: int = 0) -> "Queued":
        """The tally of the outbox `rows` just written."""
        rows = list(rows)
        sms_rows = sum(r.channel == Notification.Channel.SMS for r in rows)
        return cls(reminded, len(rows) - sms_rows, sms_rows)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def log(self, what: str) -> "Queued":
        logger.info(
            "%s: %d reminded, %d e-mails and %d SMS queued",
            what,
            self.reminded,
            self.email,
            self.sms,
        )
        return self


# The rows queued inside `batch()`, written when it ends.
_pending: ContextVar[list[Notification] | None] = ContextVar(
    "outbox_batch", default=None
)


@contextmanager
def batch() -> Iterator[None]:
    """Write the block's outbox rows in one INSERT when it ends, and hand
    them to the broker in one task after commit.

    Inside the block `queue_email` and `queue_sms` return unsaved rows.
    The block must end inside the transaction of the change it reports.
    """
    token = _pending.set([])
    try:
        yield
        rows = _pending.get() or []
    finally:
        _pending.reset(token)
    _write(rows)


def _write(rows: list[Notification]) -> list[Notification]:
    pending = _pending.get()
    if pending is not None:
        pending.extend(rows)
        return rows
    rows = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: enqueue_send(ids))
    return rows


def queue_email(
    *, concern: Concern | None, to: Iterable[str], subject: str, body: str
) -> list[Notification]:
    """Write one outbox row per address; enqueue the send after commit."""
    addresses = sorted({a.strip() for a in to if a and a.strip()})
    return _write(
        [
            Notification(concern=concern, to_email=a, subject=subject, body=body)
            for a in addresses
        ]
    )


def queue_sms(
    *,
    concern: Concern | None,
    to: Iterable[str],
    template: str,
    params: dict[str, object],
) -> list[Notification]:
    """Write one outbox row per mobile number for the SMS `template`;
    enqueue the send after commit. Landlines are skipped."""
    phones = sorted({sms_number(p) for p in to if p} - {""})
    values = sms.fit_params(template, params)
    text = sms.render(template, values)
    return _write(
        [
            Notification(
                channel=Notification.Channel.SMS,
                concern=concern,
                to_phone=phone,
                sms_template=template,
                sms_params=values,
                body=text,
            )
            for phone in phones
        ]
    )


def enqueue_send(notification_ids: list[int]) -> None:
    """Hand rows to the broker in one task; if it is down the sweep sends them."""
    try:
        send_notification_task.delay(notification_ids)
    except Exception:
        # The change is committed and the rows are in the outbox: the
        # resident must still see success.
        logger.warning(
            "broker unavailable; notifications %s left for the sweep",
            notification_ids,
            exc_info=True,
        )


# The delivery task lives with the outbox it drains, so that queueing a row
# needs no import of the tasks module (which imports this one).
@shared_task(name="consultations.tasks.send_notification_task")
def send_notification_task(notification_ids: int | list[int]) -> bool:
    """Send outbox rows (one id, as queued before, or a list); True when
    every one is sent."""
    if isinstance(notification_ids, int):
        notification_ids = [notification_ids]
    # Every row is tried, whatever an earlier one gave.
    sent = [send_notification(pk) for pk in notification_ids]
    return all(sent)


def send_notification(notification_id: int) -> bool:
    """Send one outbox row once; True when it is (or already was) sent."""
    # Claim the row so two workers (task and sweep) never both send it.
    claimed = Notification.objects.filter(
        pk=notification_id,
        sent_at__isnull=True,
        failed_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
    ).update(attempts=F("attempts") + 1, last_error="claimed")
    if not claimed:
        return Notification.objects.filter(
            pk=notification_id, sent_at__isnull=False
        ).exists()
    row = Notification.objects.get(pk=notification_id)
    try:
        _deliver(row)
    except sms.PermanentSmsError as exc:
        Notification.objects.filter(pk=row.pk).update(
            failed_at=timezone.now(), last_error=str(exc)[:1000]
        )
        logger.warning("notification %s refused for good: %s", row.pk, exc)
        return False
    except Exception as exc:
        delay = FIRST_RETRY_DELAY * 2 ** (row.attempts - 1)
        Notification.objects.filter(pk=row.pk).update(
            last_error=str(exc)[:1000], retry_at=timezone.now() + delay
        )
        logger.warning("sending notification %s failed: %s", row.pk, exc)
        return False
    Notification.objects.filter(pk=row.pk).update(
        sent_at=timezone.now(), last_error="", retry_at=None
    )
    return True


def _deliver(row: Notification) -> None:
    if row.channel == Notification.Channel.SMS:
        sms.send_sms(
            sms.Message(
                phone=row.to_phone,
                template=row.sms_template,
                params=list(row.sms_params),
                text=row.body,
            )
        )
        return
    send_mail(
        row.subject,
        row.body,
        settings.DEFAULT_FROM_EMAIL,
        [row.to_email],
        fail_silently=False,
    )


def sweep_outbox(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Send the unsent rows older than `older_than` whose retry is due;
    return how many went."""
    now = timezone.now()
    ids = list(
        Notification.objects.unsent()
        .filter(created_at__lte=now - older_than, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    return sum(send_notification(pk) for pk in ids)

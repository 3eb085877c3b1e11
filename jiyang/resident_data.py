"""What the portal holds about a resident, across apps (PIPL).

A resident has no account: what ties their data together is the phone
number they gave. Three uses:

- `erase_expired_contacts()`: the nightly retention run. Concerns done
  (closed, rejected, merged) more than RESIDENT_CONTACT_RETENTION_MONTHS
  ago lose their resident's contact data.
- `export_resident_data(phone)`: everything held about one number, as
  plain data for a JSON file (a resident's access request).
- `erase_resident_data(phone)`: the same rows, their contact data blanked.

Erasing keeps the concern itself (the governance record: category,
compound, description, timeline, rating, deadlines), so the street's figures
do not change; it blanks the name, phone, e-mail and the place as the
resident typed it, deletes the resident's photos and the e-mails written to
the resident, and clears what an Open311 partner sent about the reporter.
It lives in the project package because it reads consultations and
open311 alike.
"""

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.phones import format_phone, mask_phone, parse_phone
from consultations.models import Concern, ConcernPhoto, Notification
from open311.models import Open311Submission
from org import change_audit
from org.audit import record_event
from org.models import AuditEvent

__all__ = [
    "ErasedCounts",
    "concerns_of_phone",
    "erase_expired_contacts",
    "erase_resident_data",
    "export_resident_data",
    "retention_cutoff",
]


@dataclass(frozen=True)
class ErasedCounts:
    concerns: int
    photos: int
    notifications: int
    open311: int


def retention_cutoff(now=None):
    """Concerns done before this moment have outlived their contact data."""
    now = now or timezone.now()
    return now - relativedelta(months=settings.RESIDENT_CONTACT_RETENTION_MONTHS)


def holding_contact(concerns: QuerySet) -> QuerySet:
    """The concerns that still hold any of their resident's contact data."""
    photos = ConcernPhoto.objects.filter(
        concern=OuterRef("pk"), stage=ConcernPhoto.Stage.SUBMITTED
    )
    partner_contact = Open311Submission.objects.filter(concern=OuterRef("pk")).filter(
        ~Q(address_string="") | ~Q(device_id="") | ~Q(account_id="") | ~Q(media_url="")
    )
    return concerns.filter(
        ~Q(name="")
        | ~Q(phone="")
        | ~Q(email="")
        | (Q(compound__isnull=False) & ~Q(place=""))
        | Exists(photos)
        | Exists(partner_contact)
    )


def concerns_of_phone(text: str) -> QuerySet:
    """Every concern given with this number, however it is written.

    Numbers are stored in E.164 (common.phones); a partner's number that did
    not parse is kept as given, so that form matches too.
    """
    phone = parse_phone(text, strict=True)
    return Concern.objects.filter(Q(phone=phone) | Q(phone=text.strip()))


@transaction.atomic
def _erase(concerns: QuerySet) -> ErasedCounts:
    """Blank the contact data of `concerns` in a few set-based statements."""
    ids = list(holding_contact(concerns).values_list("pk", flat=True))
    if not ids:
        return ErasedCounts(0, 0, 0, 0)
    # The erase is one audit entry of its own (the callers write it); row by
    # row entries of the deleted mails and photos would copy into the trail
    # the very data being erased.
    with change_audit.paused():
        return _erase_rows(ids)


def _erase_rows(ids) -> ErasedCounts:
    targets = Concern.objects.filter(pk__in=ids)
    # E-mails to the resident go before the concern's own e-mail is blanked:
    # that is how they are recognised among the staff's.
    notifications, _rows = Notification.objects.filter(
        concern__in=targets, to_email=F("concern__email")
    ).delete()
    photos = ConcernPhoto.objects.filter(
        concern__in=targets, stage=ConcernPhoto.Stage.SUBMITTED
    )
    files = [(photo.image.storage, photo.image.name) for photo in photos.only("image")]
    photo_count, _rows = photos.delete()
    open311 = Open311Submission.objects.filter(concern__in=targets).update(
        address_string="", device_id="", account_id="", media_url=""
    )
    targets.filter(compound__isnull=False).update(place="")
    concerns_count = targets.update(name="", phone="", email="")
    # Files last, once the rows are gone for sure.
    transaction.on_commit(lambda: _delete_files(files))
    return ErasedCounts(concerns_count, photo_count, notifications, open311)


def _delete_files(files) -> None:
    for storage, name in files:
        storage.delete(name)


def _in_chinese(message: str, **values) -> str:
    with translation.override("zh-hans"):
        return _(message) % values


def erase_expired_contacts(now=None) -> int:
    """Erase contact data past the retention; the number of concerns erased.

    Each run is one audit entry with the count, also when nothing was due.
    """
    cutoff = retention_cutoff(now)
    done = Concern.objects.filter(
        status__in=Concern.DONE_STATUSES, closed_at__lt=cutoff
    )
    counts = _erase(done)
    record_event(
        action=AuditEvent.Action.ERASE_RESIDENT_DATA,
        detail=_in_chinese(
            "Retention (%(months)s months): contact data erased from "
            "%(concerns)s concerns done before %(cutoff)s, %(photos)s photos "
            "deleted",
            months=settings.RESIDENT_CONTACT_RETENTION_MONTHS,
            concerns=counts.concerns,
            cutoff=timezone.localdate(cutoff).isoformat(),
            photos=counts.photos,
        ),
    )
    return counts.concerns


def erase_resident_data(phone: str, *, actor=None) -> ErasedCounts:
    """Blank what the portal holds about this number; one audit entry."""
    concerns = concerns_of_phone(phone)
    counts = _erase(concerns)
    record_event(
        action=AuditEvent.Action.ERASE_RESIDENT_DATA,
        actor=actor,
        detail=_in_chinese(
            "At the resident's request: contact data erased from %(concerns)s "
            "concerns of %(phone)s, %(photos)s photos deleted",
            concerns=counts.concerns,
            phone=_masked(phone),
            photos=counts.photos,
        ),
    )
    return counts


def _masked(text: str) -> str:
    return mask_phone(parse_phone(text, strict=False) or text)


def export_resident_data(phone: str, *, actor=None) -> dict:
    """Everything held about this number, as JSON-ready data; one audit entry."""
    number = parse_phone(phone, strict=True)
    concerns = (
        concerns_of_phone(phone)
        .select_related("compound", "category", "community", "handler_company")
        .prefetch_related("events", "photos", "notifications")
        .order_by("created_at", "id")
    )
    open311 = {
        row.concern_id: row
        for row in Open311Submission.objects.filter(concern__in=concerns)
    }
    data = {
        "phone": number,
        "phone_as_dialled": format_phone(number),
        "exported_at": timezone.now().isoformat(),
        "concerns": [_concern_data(c, open311.get(c.pk)) for c in concerns],
    }
    record_event(
        action=AuditEvent.Action.EXPORT_RESIDENT_DATA,
        actor=actor,
        detail=_in_chinese(
            "At the resident's request: %(concerns)s concerns of %(phone)s exported",
            concerns=len(data["concerns"]),
            phone=_masked(phone),
        ),
    )
    return data


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def _concern_data(concern: Concern, open311: Open311Submission | None) -> dict:
    return {
        "tracking_code": concern.formatted_code,
        "submitted_at": _when(concern.created_at),
        "source": concern.source,
        "compound": concern.compound.name if concern.compound else None,
        "community": concern.community.name if concern.community else None,
        "place": concern.place,
        "category": concern.category.name,
        "kind": concern.kind,
        "description": concern.description,
        "name": concern.name,
        "phone": concern.phone,
        "email": concern.email,
        "status": concern.status,
        "response": concern.response,
        "handler_company": (
            concern.handler_company.name if concern.handler_company else None
        ),
        "closed_at": _when(concern.closed_at),
        "rating": {
            "rating": concern.rating,
            "comment": concern.rating_comment,
            "resolved": concern.is_resolved,
        },
        "events": [
            {
                "at": _when(event.created_at),
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "public": event.is_public,
            }
            for event in concern.events.all()
        ],
        "photos": [
            {
                "file": photo.image.name,
                "stage": photo.stage,
                "at": _when(photo.created_at),
            }
            for photo in concern.photos.all()
        ],
        "notifications": [
            {
                "to": mail.to_email,
                "subject": mail.subject,
                "body": mail.body,
                "created_at": _when(mail.created_at),
                "sent_at": _when(mail.sent_at),
            }
            for mail in concern.notifications.all()
            if mail.to_email == concern.email and concern.email
        ],
        "open311": (
            {
                "partner": str(open311.partner),
                "address": open311.address_string,
                "lat": str(open311.lat) if open311.lat is not None else None,
                "long": str(open311.long) if open311.long is not None else None,
                "media_url": open311.media_url,
                "device_id": open311.device_id,
                "account_id": open311.account_id,
            }
            if open311
            else None
        ),
    }

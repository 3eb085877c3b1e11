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
resident typed it, deletes the resident's photos and the e-mails and SMS
written to the resident, and clears what an Open311 partner sent about the
reporter. In the free text that stays (the description, the answer, the
rating comment, every note of the timeline and the staff's outbox rows of
the concern) it replaces each mobile number, landline with area code and
e-mail address (`CONTACT_PATTERN`), and the resident's name as given
(two characters or more), by ERASED; the rest of the text, who did what
and when, stays. It lives in the project package because it reads
consultations and open311 alike.
"""

import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.phones import format_phone, mask_phone, parse_phone
from consultations.models import Concern, ConcernEvent, ConcernPhoto, Notification
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
    texts: int = 0


# Contact data written into free text: a mainland mobile (with or without
# +86 or 0086, spaces or hyphens between its groups), a landline with its
# area code, an e-mail address. The same pattern finds the rows in the
# database and cuts in Python, so a text once cut no longer matches. Written
# in the syntax PostgreSQL, SQLite (Python's re) and Python share.
CONTACT_PATTERN = (
    r"(?<![0-9])(?:(?:[+]|00)86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"
    r"|(?<![0-9])0[1-9][0-9]{1,2}[ -]?[0-9]{7,8}(?![0-9])"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}"
)
CONTACT_RE = re.compile(CONTACT_PATTERN)
# A name this short would cut common words out of the text.
MIN_NAME_LENGTH = 2


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
    notes = ConcernEvent.objects.filter(
        concern=OuterRef("pk"), note__regex=CONTACT_PATTERN
    )
    return concerns.filter(
        ~Q(name="")
        | ~Q(phone="")
        | ~Q(email="")
        | (Q(compound__isnull=False) & ~Q(place=""))
        | Exists(photos)
        | Exists(partner_contact)
        | _text_holds_contact("description", "response", "rating_comment")
        | Exists(notes)
    )


def _text_holds_contact(*fields: str, name: str = "") -> Q:
    """The rows whose `fields` hold contact data (or the text of `name`,
    when it is long enough to be cut)."""
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__regex": CONTACT_PATTERN})
    if name:
        long_name = Q(**{f"{name}__regex": f"^.{{{MIN_NAME_LENGTH},}}$"})
        for field in fields:
            q |= long_name & Q(**{f"{field}__contains": F(name)})
    return q


def cut_contact(text: str, name: str = "", *, erased: str | None = None) -> str:
    """`text` with its contact data, and `name`, replaced by ERASED."""
    erased = erased or _in_chinese(ERASED)
    text = CONTACT_RE.sub(erased, text)
    if len(name) >= MIN_NAME_LENGTH:
        text = text.replace(name, erased)
    return text


ERASED = gettext_noop("[erased]")


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
        return ErasedCounts(0, 0, 0, 0, 0)
    # The erase is one audit entry of its own (the callers write it); row by
    # row entries of the deleted mails and photos would copy into the trail
    # the very data being erased.
    with change_audit.paused():
        return _erase_rows(ids)


def _erase_rows(ids) -> ErasedCounts:
    targets = Concern.objects.filter(pk__in=ids)
    # E-mails and SMS to the resident go before the concern's own contact is
    # blanked: that is how they are recognised among the staff's.
    notifications, _rows = Notification.objects.filter(
        _to_the_resident(), concern__in=targets
    ).delete()
    texts = _cut_free_text(targets)
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
    return ErasedCounts(concerns_count, photo_count, notifications, open311, texts)


def _to_the_resident() -> Q:
    """Outbox rows addressed to their concern's resident."""
    return (
        Q(channel=Notification.Channel.EMAIL)
        & ~Q(to_email="")
        & Q(to_email=F("concern__email"))
    ) | (
        Q(channel=Notification.Channel.SMS)
        & ~Q(to_phone="")
        & Q(to_phone=F("concern__phone"))
    )


def _cut_free_text(targets: QuerySet) -> int:
    """Cut contact data out of the free text of `targets`, their timeline
    and their staff's outbox rows; the number of texts changed.

    The database picks the rows that hold any; only those pass through
    Python, and each table is written back in one statement per batch.
    """
    changed = 0
    erased = _in_chinese(ERASED)
    jobs = (
        (
            targets.filter(
                _text_holds_contact(
                    "description", "response", "rating_comment", name="name"
                )
            ),
            ("description", "response", "rating_comment"),
            lambda row: row.name,
        ),
        (
            ConcernEvent.objects.filter(concern__in=targets).filter(
                _text_holds_contact("note", name="concern__name")
            ),
            ("note",),
            lambda row: row.concern.name,
        ),
        (
            Notification.objects.filter(concern__in=targets).filter(
                _text_holds_contact("subject", "body", name="concern__name")
            ),
            ("subject", "body"),
            lambda row: row.concern.name,
        ),
    )
    for rows, fields, name_of in jobs:
        if rows.model is not Concern:
            rows = rows.select_related("concern")
        cut = []
        for row in rows:
            name = name_of(row)
            before = [getattr(row, f) for f in fields]
            for field in fields:
                setattr(
                    row, field, cut_contact(getattr(row, field), name, erased=erased)
                )
            if [getattr(row, f) for f in fields] != before:
                cut.append(row)
        rows.model.objects.bulk_update(cut, fields, batch_size=500)
        changed += len(cut)
    return changed


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
                "channel": row.channel,
                "to": row.recipient,
                "subject": row.subject,
                "body": row.body,
                "created_at": _when(row.created_at),
                "sent_at": _when(row.sent_at),
            }
            for row in concern.notifications.all()
            if row.recipient
            and row.recipient
            == (
                concern.phone
                if row.channel == Notification.Channel.SMS
                else concern.email
            )
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

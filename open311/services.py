"""Services for partner apps: issuing keys and taking in their requests.

A request posted through Open311 is an ordinary concern: `submit_concern`
stores it (same checks, deadlines and e-mails), with source "open311" and the
partner's name; what the partner sent beyond the concern's own fields
(media URL, coordinates, device and account ids) is kept beside it.
"""

from decimal import Decimal

from django.db import transaction

from compounds.models import Compound
from consultations.models import Concern, ConcernCategory
from consultations.services import submit_concern
from org.models import User

from .models import Open311Submission, PartnerApp


@transaction.atomic
def issue_partner_key(
    *,
    name: str,
    created_by: User | None = None,
    raw_key: str | None = None,
    contact: str = "",
) -> tuple[PartnerApp, str]:
    """Create (or re-key) the partner called `name`; returns it and its key.

    The key is random unless `raw_key` is given (the demo's fixed key).
    """
    partner = PartnerApp.objects.filter(name=name).first() or PartnerApp(
        name=name, created_by=created_by, contact=contact
    )
    key = partner.set_key(raw_key)
    partner.is_active = True
    partner.full_clean()
    partner.save()
    return partner, key


@transaction.atomic
def submit_partner_request(
    *,
    partner: PartnerApp,
    compound: Compound,
    category: ConcernCategory,
    description: str,
    kind: str = Concern.Kind.CONSULTATION,
    urgency: str = Concern.Urgency.NORMAL,
    name: str = "",
    phone: str = "",
    email: str = "",
    media_url: str = "",
    lat: Decimal | None = None,
    long: Decimal | None = None,
    address_string: str = "",
    device_id: str = "",
    account_id: str = "",
) -> Concern:
    """Store a concern sent by `partner` and what came with it."""
    concern = submit_concern(
        compound=compound,
        category=category,
        description=description,
        kind=kind,
        source=Concern.Source.OPEN311,
        urgency=urgency,
        name=name,
        phone=phone,
        email=email,
        partner=partner.name,
    )
    Open311Submission.objects.create(
        concern=concern,
        partner=partner,
        media_url=media_url,
        lat=lat,
        long=long,
        address_string=address_string[:300],
        device_id=device_id[:100],
        account_id=account_id[:100],
    )
    partner.touch()
    return concern

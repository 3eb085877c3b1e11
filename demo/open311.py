"""Demo step: one Open311 partner key, printed with the demo logins.

The key is OPEN311_DEMO_API_KEY when that is set (so a client can be set up
before the demo runs), otherwise a fresh random one on every load.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from demo.org import DemoLogin
from open311.services import issue_partner_key

DEMO_PARTNER = "演示合作应用"


def load(*, stdout=None) -> list[DemoLogin]:
    partner, key = issue_partner_key(
        name=DEMO_PARTNER,
        raw_key=settings.OPEN311_DEMO_API_KEY or None,
        contact=_("Demo partner app for Open311 clients"),
    )
    return [
        DemoLogin(
            username="open311",
            password=key,
            role=_("Open311 API key (api_key)"),
            scope=f"{partner.name} · /open311/v2/",
        )
    ]

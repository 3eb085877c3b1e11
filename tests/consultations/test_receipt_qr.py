"""The receipt shows the tracking link as a QR code."""

import pytest

from tests.qr import qr_says, svgs_in

from .factories import category

pytestmark = pytest.mark.django_db


def test_receipt_shows_a_qr_code_of_the_tracking_link(client, settings, compound):
    settings.PORTAL_BASE_URL = "https://wy.example.gov.cn/"
    response = client.post(
        "/concerns/new/",
        {
            "compound": compound.pk,
            "category": category("sanitation").pk,
            "kind": "complaint",
            "description": "楼道灯坏了",
        },
    )

    assert response.status_code == 200
    concern = response.context["concern"]
    [svg] = svgs_in(response.content.decode())
    assert qr_says(
        svg, f"https://wy.example.gov.cn/concerns/track/{concern.tracking_code}/"
    )

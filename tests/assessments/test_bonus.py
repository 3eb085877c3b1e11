"""The street office enters bonus points in the admin, within the cap."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.default_scheme import ensure_default_scheme
from assessments.models import QuarterlyBonus
from common.periods import Quarter

pytestmark = pytest.mark.django_db


def enter(client, company, street, points, reason="业主赠送锦旗"):
    return client.post(
        reverse("admin:assessments_quarterlybonus_add"),
        {
            "company": company.pk,
            "street": street.pk,
            "quarter": str(Quarter.current().previous()),
            "points": points,
            "reason": reason,
        },
    )


def test_street_office_enters_a_bonus_and_is_recorded_as_its_author(
    client, street_admin, street, serving_contract
):
    ensure_default_scheme()
    client.force_login(street_admin)

    response = enter(client, serving_contract.company, street, "3")

    assert response.status_code == 302
    bonus = QuarterlyBonus.objects.get()
    assert bonus.created_by == street_admin
    assert bonus.points == Decimal("3")


def test_bonuses_of_a_quarter_stay_within_the_schemes_cap(
    client, street_admin, street, serving_contract
):
    cap = ensure_default_scheme().quarterly_bonus_cap
    client.force_login(street_admin)
    enter(client, serving_contract.company, street, "3")

    response = enter(client, serving_contract.company, street, "3", reason="再次表扬")

    assert response.status_code == 200
    assert f"不能超过 {cap} 分" in response.content.decode()
    assert QuarterlyBonus.objects.count() == 1


def test_a_bonus_goes_to_a_street_office(
    client, street_admin, community, serving_contract
):
    ensure_default_scheme()
    client.force_login(street_admin)

    response = enter(client, serving_contract.company, community, "1")

    assert response.status_code == 200
    assert not QuarterlyBonus.objects.exists()

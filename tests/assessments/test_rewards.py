"""Rewards go approved → paid; a paid reward stays as it was paid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import QuarterlyRanking, Reward
from common.periods import Quarter
from tests.factories import PropertyCompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reward(street):
    quarter = Quarter.current().previous()
    ranking = QuarterlyRanking.objects.create(
        company=PropertyCompanyFactory(registered_with=street, name="甲物业"),
        street=street,
        quarter=str(quarter),
        quarter_start=quarter.start,
        inspection_average=Decimal("95"),
        score=Decimal("95"),
        rank=1,
    )
    return Reward.objects.create(
        ranking=ranking, title="一等奖", amount=Decimal("5000")
    )


def pay(client, reward, **data):
    return client.post(
        reverse("assessments:reward-pay", args=[reward.pk]),
        {"payment_reference": "JYWY-01", "paid_on": timezone.localdate(), **data},
    )


def test_street_office_approves_then_pays_with_who_and_when(
    client, street_admin, reward
):
    client.force_login(street_admin)

    client.post(reverse("assessments:reward-approve", args=[reward.pk]))
    pay(client, reward)

    reward.refresh_from_db()
    assert reward.approved_by == street_admin
    assert reward.approved_at is not None
    assert reward.payment_reference == "JYWY-01"
    assert reward.paid_on == timezone.localdate()
    assert reward.paid_recorded_by == street_admin
    assert reward.paid_recorded_at is not None
    page = client.get(reverse("assessments:reward", args=[reward.pk]))
    assert "不能再修改或删除" in page.content.decode()
    assert "reward-pay" not in page.content.decode()


def test_paying_before_approval_is_refused_in_chinese(client, street_admin, reward):
    client.force_login(street_admin)

    response = pay(client, reward)

    assert "奖励须先审批后支付" in client.get(response["Location"]).content.decode()
    reward.refresh_from_db()
    assert not reward.is_paid


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"payment_reference": "   "}, "请填写支付凭证号"),
        ({"paid_on": timezone.localdate() + timedelta(days=3)}, "不能晚于今天"),
    ],
)
def test_a_payment_needs_a_reference_and_a_past_date(
    client, street_admin, reward, data, words
):
    reward.approve(by=street_admin)
    client.force_login(street_admin)

    response = pay(client, reward, **data)

    assert words in client.get(response["Location"]).content.decode()
    reward.refresh_from_db()
    assert not reward.is_paid


def test_approving_twice_keeps_the_first_approval(client, street_admin, reward):
    reward.approve(by=street_admin)
    first = reward.approved_at
    client.force_login(street_admin)

    client.post(reverse("assessments:reward-approve", args=[reward.pk]))

    reward.refresh_from_db()
    assert reward.approved_at == first


def test_a_paid_reward_cannot_be_edited_or_deleted(street_admin, reward):
    reward.approve(by=street_admin)
    reward.pay(by=street_admin, reference="JYWY-01", paid_on=timezone.localdate())

    reward.payment_reference = "CHANGED"
    with pytest.raises(ValidationError):
        reward.save()
    with pytest.raises(ValidationError):
        reward.delete()
    with pytest.raises(ValidationError):
        reward.pay(by=street_admin, reference="X", paid_on=timezone.localdate())
    reward.refresh_from_db()
    assert reward.payment_reference == "JYWY-01"


def test_admin_refuses_to_change_a_paid_reward(client, street_admin, reward):
    reward.approve(by=street_admin)
    reward.pay(by=street_admin, reference="JYWY-01", paid_on=timezone.localdate())
    client.force_login(street_admin)
    url = reverse("admin:assessments_reward_change", args=[reward.pk])

    response = client.post(url, {"payment_reference": "CHANGED"})

    assert response.status_code == 403
    assert (
        client.post(
            reverse("admin:assessments_reward_delete", args=[reward.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    reward.refresh_from_db()
    assert reward.payment_reference == "JYWY-01"


def test_admin_approves_and_pays_through_the_same_rules(client, street_admin, reward):
    client.force_login(street_admin)

    client.post(
        reverse("admin:assessments_reward_changelist"),
        {"action": "approve", "_selected_action": [reward.pk]},
    )
    client.post(
        reverse("admin:assessments_reward_change", args=[reward.pk]),
        {"payment_reference": "JYWY-02", "paid_on": timezone.localdate().isoformat()},
    )

    reward.refresh_from_db()
    assert reward.approved_by == street_admin
    assert reward.paid_recorded_by == street_admin
    assert reward.payment_reference == "JYWY-02"


def test_company_staff_read_their_reward_without_acting(
    client, property_manager, serving_contract
):
    quarter = Quarter.current().previous()
    ranking = QuarterlyRanking.objects.create(
        company=serving_contract.company,
        street=serving_contract.compound.street,
        quarter=str(quarter),
        quarter_start=quarter.start,
        inspection_average=Decimal("95"),
        score=Decimal("95"),
        rank=1,
    )
    own = Reward.objects.create(ranking=ranking, title="一等奖", amount=Decimal("5000"))
    client.force_login(property_manager)

    page = client.get(reverse("assessments:reward", args=[own.pk]))

    assert page.status_code == 200
    assert "reward-approve" not in page.content.decode()
    assert "审批该奖励" not in page.content.decode()

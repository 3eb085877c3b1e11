"""The demo street's year of scores: twelve months, four quarters, an exit."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from assessments.models import (
    ExitCase,
    Inspection,
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    QuarterlyRanking,
    Reward,
)
from org.models import User

pytestmark = pytest.mark.django_db

FAST_HASHER = f"{MD5PasswordHasher.__module__}.{MD5PasswordHasher.__name__}"


def counts():
    return [
        m.objects.count()
        for m in (
            Inspection,
            MonthlyCompoundScore,
            MonthlyCompanyScore,
            QuarterlyRanking,
            Reward,
            ExitCase,
        )
    ]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        call_command("load_demo", verbosity=0)
        first = counts()
        call_command("load_demo", verbosity=0)
        yield first
        transaction.set_rollback(True)


def test_loading_twice_changes_nothing(demo):
    assert counts() == demo


def test_twelve_months_and_four_ranked_quarters():
    assert MonthlyCompoundScore.objects.dates("month", "month").count() == 12
    quarters = set(QuarterlyRanking.objects.values_list("quarter", flat=True))
    assert len(quarters) == 4
    assert Reward.objects.count() == 12
    assert Reward.objects.filter(paid_on__isnull=False).count() == 9
    assert not Reward.objects.filter(approved_at__isnull=True).exists()


def test_one_company_has_an_open_exit_case_and_the_best_wins_a_prize():
    case = ExitCase.objects.get()
    assert case.company.name == "济宁佳和物业服务有限公司"
    assert case.is_open
    latest = QuarterlyRanking.objects.order_by("-quarter_start").first().quarter
    # The residents' terms move the top places from quarter to quarter; the
    # best-inspected company stays among the prizes.
    prized = QuarterlyRanking.objects.filter(quarter=latest, prize__isnull=False)
    assert "济宁水景物业服务有限公司" in {r.company.name for r in prized}
    first = QuarterlyRanking.objects.get(quarter=latest, rank=1)
    assert (
        first.score
        > QuarterlyRanking.objects.get(quarter=latest, company=case.company).score
    )


def test_street_admin_sees_the_ranking_and_the_exit_case(client):
    client.force_login(User.objects.get(username="street_admin"))

    ranking = client.get(reverse("assessments:ranking")).content.decode()
    exits = client.get(reverse("assessments:exits")).content.decode()

    assert "济宁水景物业服务有限公司" in ranking
    assert "一等奖" in ranking
    assert "济宁佳和物业服务有限公司" in exits

"""The ranking page shows its formula; a company's drill-down shows why."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessments.models import QuarterlyRanking
from assessments.services.scoring import rank_quarter, score_month
from common.periods import Quarter
from consultations.models import Concern
from tests.consultations.factories import ConcernFactory
from tests.factories import CompanyStaffFactory, PersonFactory, UserFactory

from .score_data import inspect, small_scheme

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = Quarter(2026, 1)


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def ranking(street, compound, serving_contract) -> QuarterlyRanking:
    scheme = small_scheme(
        weight_inspection=D("0.60"),
        weight_satisfaction=D("0.20"),
        weight_concern_timeliness=D("0.20"),
        concern_timeliness_short_rule="drop",
        concern_timeliness_min_answers=1,
    )
    company = serving_contract.company
    inspect(compound, scheme, date(2026, 1, 12), {"A1": 2}, poll=(8, 1, 1))
    ConcernFactory(
        compound=compound,
        handler_company=company,
        tracking_code="JY2026TEST01",
        phone="13800138000",
        created_at=at(date(2026, 2, 2), 9),
        responded_at=at(date(2026, 2, 9), 10),
        due_at=at(date(2026, 2, 6), 18),
        rating=Concern.Rating.SATISFIED,
        status=Concern.Status.CLOSED,
    )
    with time_machine.travel("2026-04-03 10:00 +0800", tick=False):
        for month in Q1.months:
            score_month(month)
        rank_quarter(Q1)
    return QuarterlyRanking.objects.get(company=company, quarter=str(Q1))


def test_ranking_page_shows_the_formula_with_the_weights_in_force(
    client, street_admin, ranking
):
    client.force_login(street_admin)

    page = client.get(reverse("assessments:ranking")).content.decode()

    assert "季度得分的计算方法" in page
    # a timeliness of 0.00 is a figure, not a missing one
    assert '<td class="num">0.00</td>' in page
    assert "<b>0.60</b> × 暗访平均分" in page
    assert "<b>0.20</b> × 居民满意度" in page
    assert "不计该项，其余权重按比例放大" in page  # the timeliness rule
    assert reverse("assessments:ranking-detail", args=[ranking.pk]) in page


def test_drill_down_shows_terms_inspections_and_concerns(client, street_admin, ranking):
    client.force_login(street_admin)

    response = client.get(reverse("assessments:ranking-detail", args=[ranking.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    # the terms: satisfaction 1 of 1 rating, timeliness 0 of 1 on time
    assert ranking.satisfaction == D("100.00")
    assert ranking.concern_timeliness == D("0.00")
    assert "1 条评价中满意 1 条" in page
    assert "到期诉求 1 件，按时答复 0 件" in page
    # the compound month, its inspection and the deduction behind it
    assert ranking.company.name in page
    assert "水景花苑" in page
    assert "2 处 × 每处扣 2.00 分" in page
    # the concern counted, without the resident's contact details
    assert "JY2026TEST01" in page
    assert "超时" in page
    assert "13800138000" not in page


def test_the_points_of_the_terms_add_up_to_the_score(ranking):
    from assessments.breakdown import quarter_terms

    terms = quarter_terms(ranking)
    total = sum((t.contribution for t in terms), start=D("0")) + ranking.bonus

    assert [t.code for t in terms] == [
        "inspection",
        "satisfaction",
        "concern_timeliness",
    ]
    assert total.quantize(D("0.01")) == ranking.score


def test_company_staff_see_their_own_drill_down(client, ranking, property_manager):
    client.force_login(property_manager)

    response = client.get(reverse("assessments:ranking-detail", args=[ranking.pk]))

    assert response.status_code == 200
    assert "JY2026TEST01" in response.content.decode()


def test_another_company_and_another_street_are_refused(client, ranking, outsider):
    other = CompanyStaffFactory(person=PersonFactory(unit=ranking.street))
    rival = UserFactory(person=other.person, username="rival_manager")
    url = reverse("assessments:ranking-detail", args=[ranking.pk])

    for user in (rival, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_drill_down_needs_a_login(client, ranking):
    url = reverse("assessments:ranking-detail", args=[ranking.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]

"""Staff score pages: login, scope, exports and the printable notice."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import (
    ExitCase,
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    QuarterlyRanking,
    Reward,
    ScoringRun,
)
from tests.factories import PropertyCompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(street, compound):
    good = PropertyCompanyFactory(registered_with=street, name="甲物业")
    bad = PropertyCompanyFactory(registered_with=street, name="乙物业")
    first = QuarterlyRanking.objects.create(
        company=good,
        street=street,
        quarter="2026Q1",
        quarter_start=date(2026, 1, 1),
        inspection_average=Decimal("90"),
        score=Decimal("91.5"),
        rank=1,
        ranked_count=2,
        inspections=3,
    )
    QuarterlyRanking.objects.create(
        company=bad,
        street=street,
        quarter="2026Q1",
        quarter_start=date(2026, 1, 1),
        inspection_average=Decimal("60"),
        score=Decimal("58.25"),
        rank=2,
        ranked_count=2,
        is_bottom=True,
        consecutive_bottom=3,
        inspections=3,
    )
    Reward.objects.create(ranking=first, title="一等奖", amount=Decimal("5000"))
    ExitCase.objects.create(
        company=bad, street=street, run_start=date(2025, 7, 1), opened_quarter="2026Q1"
    )
    for month, score in [(date(2026, 1, 1), "89"), (date(2026, 2, 1), "91")]:
        MonthlyCompanyScore.objects.create(
            company=good, street=street, month=month, score=Decimal(score)
        )
    MonthlyCompoundScore.objects.create(
        compound=compound,
        month=date(2026, 2, 1),
        street=compound.street,
        community=compound.community,
        grid=compound.grid,
        company=good,
        score=Decimal("91"),
        inspections=1,
        households=200,
    )
    ScoringRun.objects.create(kind="month", period="2026-02", outcome="ok")
    return good, bad


PAGES = [
    ("assessments:ranking", {}),
    ("assessments:ranking-notice", {}),
    ("assessments:months", {}),
    ("assessments:runs", {}),
    ("assessments:rewards", {}),
    ("assessments:exits", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_pages_need_a_login(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_street_admin_sees_every_page(client, street_admin, ranked, name, kwargs):
    client.force_login(street_admin)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_ranking_page_lists_the_street_in_rank_order(client, street_admin, ranked):
    client.force_login(street_admin)

    html = client.get(reverse("assessments:ranking")).content.decode()

    assert html.index("甲物业") < html.index("乙物业")
    assert "一等奖" not in html or "5000" in html
    assert "91.50" in html


def test_outsider_sees_no_ranking_of_another_street(client, outsider, ranked):
    client.force_login(outsider)

    html = client.get(reverse("assessments:ranking")).content.decode()

    assert "甲物业" not in html
    assert (
        client.get(
            reverse("assessments:company-scores", args=[ranked[0].pk])
        ).status_code
        == 404
    )


def test_company_page_draws_its_score_history(client, street_admin, ranked):
    client.force_login(street_admin)

    html = client.get(
        reverse("assessments:company-scores", args=[ranked[0].pk])
    ).content.decode()

    assert '<svg id="score-chart"' in html
    assert html.count('class="dot"') == 2
    assert "2026-02" in html


def test_notice_is_printable_in_chinese(client, street_admin, ranked):
    client.force_login(street_admin)

    response = client.get(reverse("assessments:ranking-notice"), {"quarter": "2026Q1"})

    html = response.content.decode()
    assert "关于2026年第一季度物业服务考核结果的通报" in html
    assert "末位" in html
    assert "scores.css" in html


def test_ranking_export_is_an_excel_workbook(client, street_admin, street, ranked):
    client.force_login(street_admin)

    response = client.get(reverse("assessments:ranking-export"), {"quarter": "2026Q1"})

    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "物业服务企业季度排名"
    assert rows[1][0].startswith(f"{street.name} · 2026年第一季度")
    assert rows[2][0] == "名次"
    assert rows[3][:2] == (1, "甲物业")
    assert rows[4][2] == 58.25


def test_monthly_export_lists_compound_scores(client, street_admin, ranked, compound):
    client.force_login(street_admin)

    response = client.get(reverse("assessments:months-export"), {"month": "2026-02"})

    content = b"".join(response.streaming_content)
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[3][:2] == ("2026-02", compound.name)
    assert rows[3][5] == 91


def test_unknown_quarter_is_not_found(client, street_admin, ranked):
    client.force_login(street_admin)
    assert (
        client.get(reverse("assessments:ranking"), {"quarter": "2031Q1"}).status_code
        == 404
    )

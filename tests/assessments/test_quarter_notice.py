"""The quarterly notice (通报): its document number, what it says, who may
print it, and a company that refuses to leave."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from assessments.models import (
    ExitCase,
    ExitEvent,
    ExitLadderStep,
    NoticeSeries,
    QuarterlyRanking,
    QuarterNotice,
)
from assessments.services.notices import publish_notice
from common.periods import Quarter
from tests.factories import PropertyCompanyFactory, StreetFactory

from .score_data import small_scheme

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = Quarter(2026, 1)


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel("2026-05-10 10:00 +0800", tick=False):
        yield


def rank(street, name, quarter=Q1, *, rank=1, score="90", scheme=None, **fields):
    return QuarterlyRanking.objects.create(
        company=PropertyCompanyFactory(registered_with=street, name=name),
        street=street,
        quarter=str(quarter),
        quarter_start=quarter.start,
        scheme=scheme,
        inspection_average=D(score),
        score=D(score),
        rank=rank,
        ranked_count=5,
        inspections=3,
        **fields,
    )


def step(ranking, kind, consecutive, **fields):
    return ExitLadderStep.objects.create(
        ranking=ranking,
        company=ranking.company,
        street=ranking.street,
        quarter=ranking.quarter,
        kind=kind,
        consecutive=consecutive,
        **fields,
    )


@pytest.fixture
def scheme():
    return small_scheme()


@pytest.fixture
def quarter_ranked(street, scheme):
    prizes = {p.rank: p for p in scheme.prizes.all()}
    rank(
        street,
        "甲物业",
        rank=1,
        score="95.5",
        scheme=scheme,
        prize=prizes[1],
        satisfaction=D("0"),
    )
    rank(street, "乙物业", rank=2, score="90", scheme=scheme, prize=prizes[2])
    warned = rank(
        street,
        "丙物业",
        rank=3,
        score="70",
        scheme=scheme,
        is_bottom=True,
        consecutive_bottom=1,
    )
    step(warned, ExitLadderStep.Kind.WARNING, 1)
    interviewed = rank(
        street,
        "丁物业",
        rank=4,
        score="60",
        scheme=scheme,
        is_bottom=True,
        consecutive_bottom=2,
    )
    step(
        interviewed,
        ExitLadderStep.Kind.INTERVIEW,
        2,
        rectification_deadline=date(2026, 6, 15),
    )
    leaving = rank(
        street,
        "戊物业",
        rank=5,
        score="0",
        scheme=scheme,
        is_bottom=True,
        consecutive_bottom=3,
    )
    step(leaving, ExitLadderStep.Kind.EXIT, 3)
    return leaving


def notice_page(client, street, quarter=Q1):
    return client.get(
        reverse("assessments:ranking-notice"),
        {"quarter": str(quarter), "street": street.pk},
    )


# The document number --------------------------------------------------------------


def test_notices_are_numbered_per_street_and_year(street, street_admin, scheme):
    other = StreetFactory(name="南苑街道", code="370811013")
    for quarter in (Quarter(2025, 4), Q1):
        rank(street, f"甲物业{quarter}", quarter)
    rank(other, "乙物业", Q1)

    first = publish_notice(street=street, quarter=Quarter(2025, 4), actor=street_admin)
    second = publish_notice(street=street, quarter=Q1, actor=street_admin)
    again = publish_notice(street=street, quarter=Q1, actor=street_admin)

    assert first.number == "济阳街道物业〔2026〕1号"
    assert second.number == "济阳街道物业〔2026〕2号"
    assert again == second
    assert QuarterNotice.objects.filter(street=street).count() == 2
    assert first.published_by == street_admin


def test_the_sequence_starts_again_each_year_and_the_prefix_is_the_streets(
    street, street_admin
):
    rank(street, "甲物业", Quarter(2026, 4))
    rank(street, "乙物业", Quarter(2027, 1))
    NoticeSeries.objects.create(street=street, prefix="济阳街道物业办")
    with time_machine.travel("2027-01-08 10:00 +0800", tick=False):
        q4 = publish_notice(street=street, quarter=Quarter(2026, 4), actor=street_admin)
    with time_machine.travel("2027-04-08 10:00 +0800", tick=False):
        q1 = publish_notice(street=street, quarter=Quarter(2027, 1), actor=street_admin)

    assert (q4.number, q1.number) == (
        "济阳街道物业办〔2027〕1号",
        "济阳街道物业办〔2027〕2号",
    )


def test_an_unranked_quarter_cannot_be_published(street, street_admin):
    with pytest.raises(Exception, match="尚未排名"):
        publish_notice(street=street, quarter=Q1, actor=street_admin)
    assert not QuarterNotice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_notices_published_at_once_get_two_numbers(street, street_admin):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    quarters = [Quarter(2025, 3), Quarter(2025, 4)]
    for quarter in quarters:
        rank(street, f"物业{quarter}", quarter)
    barrier = threading.Barrier(2)
    errors = []

    def publish(quarter):
        try:
            barrier.wait(timeout=10)
            publish_notice(street=street, quarter=quarter, actor=street_admin)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(q,)) for q in quarters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(QuarterNotice.objects.values_list("sequence", flat=True)) == [1, 2]


def test_street_office_publishes_from_the_ranking_page(
    client, street, street_admin, quarter_ranked
):
    client.force_login(street_admin)
    page = client.get(
        reverse("assessments:ranking"), {"quarter": str(Q1), "street": street.pk}
    ).content.decode()
    assert 'id="publish-form"' in page

    response = client.post(
        reverse("assessments:ranking-publish"),
        {"quarter": str(Q1), "street": street.pk},
    )

    notice = QuarterNotice.objects.get()
    assert response.status_code == 302
    assert "notice" in response["Location"]
    page = client.get(
        reverse("assessments:ranking"), {"quarter": str(Q1), "street": street.pk}
    ).content.decode()
    assert notice.number in page
    assert 'id="publish-form"' not in page


def test_a_company_can_neither_publish_nor_print_the_streets_notice(
    client, street, property_manager, community_staff, quarter_ranked
):
    for user in (property_manager, community_staff):
        client.force_login(user)
        published = client.post(
            reverse("assessments:ranking-publish"),
            {"quarter": str(Q1), "street": street.pk},
        )
        assert published.status_code == 403
        assert notice_page(client, street).status_code == 403
    assert not QuarterNotice.objects.exists()


# What it says ---------------------------------------------------------------------


def test_the_notice_says_number_quarter_formula_prizes_and_ladder(
    client, street, street_admin, quarter_ranked
):
    notice = publish_notice(street=street, quarter=Q1, actor=street_admin)
    client.force_login(street_admin)

    html = notice_page(client, street).content.decode()

    assert notice.number in html
    assert "关于2026年第一季度物业服务考核结果的通报" in html
    assert "<b>0.70</b> × 暗访平均分 + <b>0.30</b> × 居民满意度" in html
    assert "一等奖：甲物业，奖励5000元" in html
    assert "二等奖：乙物业，奖励3000元" in html
    assert "丙物业</b>：连续 1 个季度位列末位。予以书面警示" in html
    assert "约谈企业负责人并下发整改通知，须于2026-06-15前完成整改" in html
    assert "戊物业</b>：连续 3 个季度位列末位。启动退出程序" in html
    assert "@page" not in html  # the print rules live in the stylesheet


def test_a_zero_score_shows_as_0_00_and_a_missing_one_as_a_dash(
    client, street, street_admin, quarter_ranked
):
    client.force_login(street_admin)

    html = notice_page(client, street).content.decode()
    table = html[html.index('id="notice-ranking"') :]
    top = table[table.index("甲物业") : table.index("</tr>", table.index("甲物业"))]
    last = table[table.index("戊物业") : table.index("</tr>", table.index("戊物业"))]

    # 甲物业's satisfaction is 0.00; its other terms had too few figures.
    assert '<td class="num">0.00</td>' in top
    assert '<td class="num">—</td>' in top
    assert '<td class="num strong">0.00</td>' in last


def test_a_draft_notice_says_so_until_it_is_published(
    client, street, street_admin, quarter_ranked
):
    client.force_login(street_admin)

    html = notice_page(client, street).content.decode()

    assert "（草稿，尚未发布）" in html
    assert "〔" not in html


def test_the_notice_in_english_writes_the_quarter_q1_2026(
    client, street, street_admin, quarter_ranked
):
    client.force_login(street_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = notice_page(client, street).content.decode()

    assert "Notice on the property-service assessment results of Q1 2026" in html


# A company that refuses to leave ----------------------------------------------------


@pytest.fixture
def decided_case(street, quarter_ranked):
    return ExitCase.objects.create(
        company=quarter_ranked.company,
        street=street,
        run_start=date(2025, 7, 1),
        opened_quarter=str(Q1),
        ranking=quarter_ranked,
        status=ExitCase.Status.HANDOVER,
        handover_on=date(2026, 5, 1),
    )


def test_a_refusal_to_hand_over_is_recorded_and_shown_on_the_notice(
    client, street, street_admin, decided_case
):
    client.force_login(street_admin)
    url = reverse("assessments:exit-case", args=[decided_case.pk])
    assert 'id="case-refused"' in client.get(url).content.decode()

    response = client.post(
        url, {"action": "refused", "on": "2026-05-09", "note": "企业拒不撤场"}
    )

    assert response.status_code == 302
    decided_case.refresh_from_db()
    assert decided_case.status == ExitCase.Status.REFUSED
    event = decided_case.events.get()
    assert (event.kind, event.note, event.recorded_by) == (
        ExitEvent.Kind.REFUSED,
        "企业拒不撤场",
        street_admin,
    )
    html = notice_page(client, street).content.decode()
    assert (
        "戊物业：<b>作出退出决定后拒不退出、未按期交接</b>（应于2026-05-01交接）"
        in html
    )


def test_a_refused_case_stays_open_until_the_handover_is_completed(
    client, street, street_admin, decided_case
):
    client.force_login(street_admin)
    url = reverse("assessments:exit-case", args=[decided_case.pk])
    client.post(url, {"action": "refused", "on": "2026-05-09"})
    decided_case.refresh_from_db()
    assert decided_case.is_open
    assert decided_case.next_statuses == (ExitCase.Status.CLOSED,)

    client.post(url, {"action": "close", "on": "2026-05-10"})

    decided_case.refresh_from_db()
    assert decided_case.status == ExitCase.Status.CLOSED
    assert list(decided_case.events.values_list("kind", flat=True)) == [
        ExitEvent.Kind.REFUSED,
        ExitEvent.Kind.CLOSED,
    ]


def test_only_a_decided_exit_can_be_refused(client, street, street_admin, decided_case):
    ExitCase.objects.filter(pk=decided_case.pk).update(
        status=ExitCase.Status.OPENED, handover_on=None
    )
    client.force_login(street_admin)
    url = reverse("assessments:exit-case", args=[decided_case.pk])

    page = client.get(url).content.decode()
    client.post(url, {"action": "refused", "on": "2026-05-09"})

    assert 'id="case-refused"' not in page
    decided_case.refresh_from_db()
    assert decided_case.status == ExitCase.Status.OPENED
    assert not decided_case.events.exists()

"""A published quarter keeps its result: ranking it again needs the street
office's recorded decision (who, when, why, the result before and after)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from assessments.models import (
    AssessmentScheme,
    MonthlyCompanyScore,
    QuarterlyRanking,
    QuarterReRank,
    ScoringRun,
)
from assessments.services.notices import (
    PublishedQuarterChanged,
    ReRankDecision,
    publish_notice,
)
from assessments.services.scoring import rank_quarter
from assessments.tasks import rank_quarter_task
from common.periods import Quarter
from org.models import AuditEvent
from tests.factories import PropertyCompanyFactory

from .score_data import small_scheme

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = Quarter(2026, 1)
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel("2026-05-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def scheme():
    return small_scheme(min_inspections_per_quarter=1)


@pytest.fixture
def companies(street, scheme):
    made = []
    for name, score in [("甲物业", "90"), ("乙物业", "80"), ("丙物业", "70")]:
        company = PropertyCompanyFactory(registered_with=street, name=name)
        for month in MONTHS:
            MonthlyCompanyScore.objects.create(
                company=company,
                street=street,
                month=month,
                score=D(score),
                inspections=1,
                compounds=1,
            )
        made.append(company)
    return made


@pytest.fixture
def published(street, companies, street_admin):
    rank_quarter(Q1)
    return publish_notice(street=street, quarter=Q1, actor=street_admin)


def ranks(street) -> dict[str, int]:
    return dict(
        QuarterlyRanking.objects.filter(street=street, quarter=str(Q1)).values_list(
            "company__name", "rank"
        )
    )


def bottom_company_improves(companies):
    MonthlyCompanyScore.objects.filter(company=companies[2]).update(score=D("95"))


def test_an_unpublished_quarter_is_ranked_again_freely(street, companies):
    rank_quarter(Q1)
    bottom_company_improves(companies)

    rank_quarter(Q1)

    assert ranks(street)["丙物业"] == 1
    assert not QuarterReRank.objects.exists()


def test_a_rerun_that_would_change_a_published_quarter_is_refused(
    street, companies, published
):
    bottom_company_improves(companies)

    with pytest.raises(PublishedQuarterChanged) as refused:
        rank_quarter(Q1)

    assert "2026年第一季度" in " ".join(refused.value.messages)
    assert published.number in " ".join(refused.value.messages)
    assert ranks(street) == {"甲物业": 1, "乙物业": 2, "丙物业": 3}
    run = ScoringRun.objects.filter(kind="quarter").order_by("-pk").first()
    assert run.outcome == ScoringRun.Outcome.FAILED
    assert "PublishedQuarterChanged" in run.error


def test_a_rerun_that_changes_nothing_passes(street, companies, published):
    run = rank_quarter(Q1)

    assert run.outcome == ScoringRun.Outcome.OK
    assert ranks(street) == {"甲物业": 1, "乙物业": 2, "丙物业": 3}
    assert not QuarterReRank.objects.exists()


def test_a_scheme_version_dated_into_the_published_quarter_does_not_change_it(
    street, scheme, companies, published
):
    # A version reaching into the quarter (written past the model's checks,
    # as a data fix would) that asks for more inspections than anyone had.
    AssessmentScheme.objects.bulk_create(
        [
            AssessmentScheme(
                name=scheme.name,
                version=2,
                valid_from=date(2026, 3, 1),
                min_inspections_per_quarter=5,
            )
        ]
    )

    with pytest.raises(PublishedQuarterChanged):
        rank_quarter(Q1)

    rows = QuarterlyRanking.objects.filter(street=street, quarter=str(Q1))
    assert {r.scheme_id for r in rows} == {scheme.pk}
    assert ranks(street) == {"甲物业": 1, "乙物业": 2, "丙物业": 3}


def test_a_rerank_decision_changes_the_quarter_and_is_recorded(
    street, companies, published, street_admin
):
    bottom_company_improves(companies)

    run = rank_quarter(
        Q1,
        rerank=ReRankDecision(
            street_id=street.pk,
            decided_by_id=street_admin.pk,
            reason="丙物业三月检查记录更正",
        ),
    )

    assert ranks(street) == {"丙物业": 1, "甲物业": 2, "乙物业": 3}
    decision = QuarterReRank.objects.get()
    assert decision.decided_by == street_admin
    assert decision.reason == "丙物业三月检查记录更正"
    assert decision.notice == published
    assert decision.changed
    assert decision.run == run
    assert [row["company"] for row in decision.old_result] == [
        "甲物业",
        "乙物业",
        "丙物业",
    ]
    assert decision.old_result[2]["rank"] == 3
    assert decision.new_result[0] == {
        "company_id": companies[2].pk,
        "company": "丙物业",
        "rank": 1,
        "score": "95.00",
        "prize": "一等奖",
        "ladder": "",
    }
    created = AuditEvent.objects.get(
        object_type="assessments.quarterrerank",
        object_id=str(decision.pk),
        action=AuditEvent.Action.CREATE,
    )
    assert created.changes["reason"][1] == "丙物业三月检查记录更正"


def test_a_decision_for_an_unpublished_street_is_refused(
    street, companies, street_admin
):
    rank_quarter(Q1)
    with pytest.raises(Exception, match="尚未发布"):
        rank_quarter(
            Q1,
            rerank=ReRankDecision(
                street_id=street.pk, decided_by_id=street_admin.pk, reason="更正"
            ),
        )


def test_the_task_refuses_a_silent_change_and_records_the_failed_run(
    street, companies, published
):
    bottom_company_improves(companies)

    with pytest.raises(PublishedQuarterChanged):
        rank_quarter_task(str(Q1))

    assert ranks(street)["丙物业"] == 3
    assert ScoringRun.objects.filter(kind="quarter", outcome="failed").exists()


# The ranking page ---------------------------------------------------------------


def rerank_post(client, street, **data):
    return client.post(
        reverse("assessments:ranking-rerank"),
        {"quarter": str(Q1), "street": street.pk, **data},
    )


def test_street_office_ranks_again_from_the_ranking_page(
    client,
    street,
    companies,
    published,
    street_admin,
    django_capture_on_commit_callbacks,
):
    bottom_company_improves(companies)
    client.force_login(street_admin)
    page = client.get(
        reverse("assessments:ranking"), {"quarter": str(Q1), "street": street.pk}
    ).content.decode()
    assert 'id="rerank-form"' in page
    assert published.number in page

    with django_capture_on_commit_callbacks(execute=True):
        response = rerank_post(client, street, reason="检查记录更正", confirm="on")

    run = ScoringRun.objects.get(kind="quarter", street=street, started_by=street_admin)
    assert response["Location"] == reverse("assessments:run", args=[run.pk])
    run.refresh_from_db()
    assert run.outcome == ScoringRun.Outcome.OK, run.error
    decision = QuarterReRank.objects.get()
    assert (decision.decided_by, decision.run) == (street_admin, run)
    assert ranks(street)["丙物业"] == 1
    page = client.get(
        reverse("assessments:ranking"), {"quarter": str(Q1), "street": street.pk}
    ).content.decode()
    assert "检查记录更正" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "", "confirm": "on"}, "请填写重新排名的理由"),
        ({"reason": "   ", "confirm": "on"}, "请填写重新排名的理由"),
        ({"reason": "更正"}, "请确认"),
    ],
)
def test_the_decision_needs_a_reason_and_a_confirmation(
    client, street, companies, published, street_admin, data, error
):
    client.force_login(street_admin)

    response = rerank_post(client, street, **data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ScoringRun.objects.filter(started_by=street_admin).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "1\x00<", "confirm": "on"},
        {"reason": "界" * 100_000, "confirm": "on"},
        {"quarter": "1\x00<", "reason": "更正", "confirm": "on"},
        {"quarter": "9999Q9", "reason": "更正", "confirm": "on"},
        {"street": "①", "reason": "更正", "confirm": "on"},
        {"street": "-99999999999999999999999999", "reason": "更正"},
    ],
)
def test_hostile_decisions_are_refused_without_a_server_error(
    client, street, companies, published, street_admin, data
):
    client.force_login(street_admin)

    response = client.post(
        reverse("assessments:ranking-rerank"),
        {"quarter": str(Q1), "street": street.pk, **data},
    )

    assert response.status_code in (200, 404)
    assert not QuarterReRank.objects.exists()
    assert not ScoringRun.objects.filter(started_by=street_admin).exists()


def test_only_the_street_office_takes_the_decision(
    client, street, companies, published, community_staff, property_manager
):
    for user in (community_staff, property_manager):
        client.force_login(user)
        page = client.get(
            reverse("assessments:ranking"), {"quarter": str(Q1), "street": street.pk}
        ).content.decode()
        assert 'id="rerank-form"' not in page
        response = rerank_post(client, street, reason="更正", confirm="on")
        assert response.status_code == 403
    assert not QuarterReRank.objects.exists()
    assert not ScoringRun.objects.filter(outcome="queued").exists()


def test_the_run_page_sends_a_published_quarter_to_the_decision(
    client, street, companies, published, street_admin
):
    client.force_login(street_admin)

    response = client.post(
        reverse("assessments:runs"),
        {"kind": "quarter", "period": str(Q1), "street": street.pk},
    )

    assert response.status_code == 200
    assert "重新排名决定" in response.content.decode()
    assert not ScoringRun.objects.filter(started_by=street_admin).exists()


# The admin -----------------------------------------------------------------------


def test_admin_warns_of_a_version_dated_into_a_published_quarter(
    client, street, scheme, companies, published, superuser
):
    AssessmentScheme.objects.bulk_create(
        [AssessmentScheme(name=scheme.name, version=2, valid_from=date(2026, 3, 1))]
    )
    later = AssessmentScheme.objects.get(version=2)
    client.force_login(superuser)

    html = client.get(
        reverse("admin:assessments_assessmentscheme_change", args=[later.pk])
    ).content.decode()

    assert published.number in html
    assert "2026年第一季度" in html
    quiet = client.get(
        reverse("admin:assessments_assessmentscheme_change", args=[scheme.pk])
    ).content.decode()
    assert published.number not in quiet


def test_street_office_reads_the_decisions_in_the_admin_and_changes_none(
    client, street, companies, published, street_admin, property_manager
):
    bottom_company_improves(companies)
    rank_quarter(
        Q1,
        rerank=ReRankDecision(
            street_id=street.pk, decided_by_id=street_admin.pk, reason="更正"
        ),
    )
    decision = QuarterReRank.objects.get()
    client.force_login(street_admin)

    listing = client.get(reverse("admin:assessments_quarterrerank_changelist"))
    page = client.get(
        reverse("admin:assessments_quarterrerank_change", args=[decision.pk])
    )

    assert listing.status_code == 200
    assert "更正" in page.content.decode()
    assert "丙物业" in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    assert client.get(reverse("admin:assessments_quarterrerank_add")).status_code == 403
    client.force_login(property_manager)
    assert client.get(
        reverse("admin:assessments_quarterrerank_change", args=[decision.pk])
    ).status_code in (302, 403, 404)

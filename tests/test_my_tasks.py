"""我的待办: the first page after login, what waits for each role."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import InspectionPlan, PlannedVisit, QuarterlyRanking, Reward
from assessments.services.inspections import raise_rectification
from civic import services as civic_services
from civic.services import ActionInput, DecisionInput
from consultations import services
from consultations.models import Concern
from jiyang.my_tasks import my_tasks
from tests.assessments.factories import (
    cadre,
    draft_inspection,
    submitted_inspection,
)
from tests.civic.civic_factories import MeetingFactory, VisitReportFactory
from tests.consultations.factories import ConcernFactory, category
from tests.factories import (
    CommitteeFactory,
    CompoundFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGE = "/my-tasks/"


def counts(user, now=None) -> dict[str, int]:
    return {
        item.key: item.count
        for section in my_tasks(user, now)
        for item in section.items
    }


def item(user, key):
    return next(
        item for section in my_tasks(user) for item in section.items if item.key == key
    )


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.content.decode()


def submitted(compound, **fields):
    return services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="楼道堆放杂物",
        **fields,
    )


def dispatched(compound, actor, to=""):
    concern = submitted(compound)
    services.accept(concern=concern, actor=actor)
    return services.dispatch(concern=concern, actor=actor, to=to)


# Login and the page ------------------------------------------------------------


def test_the_staff_login_lands_on_my_tasks(client, community_staff):
    response = client.post(
        "/admin/login/",
        {"username": "community_staff", "password": "pass-word-123"},
    )

    assert response.status_code == 302
    assert response.url == PAGE


def test_a_login_asked_for_another_page_goes_there(client, community_staff):
    response = client.post(
        "/admin/login/?next=/concerns/staff/",
        {
            "username": "community_staff",
            "password": "pass-word-123",
            "next": "/concerns/staff/",
        },
    )

    assert response.url == "/concerns/staff/"


def test_anonymous_callers_are_sent_to_the_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_login_without_any_post_is_refused_in_chinese(client):
    client.force_login(UserFactory(person=None))

    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 403
    assert "“查看本人待办”由以下岗位办理" in response.content.decode()


def test_the_admin_workspace_links_to_my_tasks(client, grid_secretary):
    client.force_login(grid_secretary)

    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert f'href="{PAGE}"' in response.content.decode()


def test_nothing_waiting_shows_the_chinese_empty_state(client, inspector):
    body = page(client, inspector)

    assert "眼下没有等您处理的事项。" in body
    assert "我的待办" in body


# Concerns -----------------------------------------------------------------------


def test_community_staff_count_concerns_to_accept_and_follow(
    client, community_staff, compound, serving_contract
):
    submitted(compound)
    submitted(compound)
    answered = dispatched(compound, community_staff)
    services.sign(concern=answered, actor=community_staff)
    services.respond(concern=answered, actor=community_staff, note="已清理")

    found = counts(community_staff)
    body = page(client, community_staff)

    assert found["concerns.to_accept"] == 2
    assert found["concerns.to_follow_up"] == 1
    assert "待受理的诉求" in body
    assert 'href="/concerns/staff/?status=submitted"' in body


def test_the_link_lists_exactly_what_was_counted(
    client, community_staff, compound, other_compound
):
    waiting = [submitted(compound), submitted(other_compound)]
    accepted = submitted(compound)
    services.accept(concern=accepted, actor=community_staff)
    client.force_login(community_staff)
    link = item(community_staff, "concerns.to_accept")

    listed = client.get(link.url).content.decode()

    assert link.count == 2
    assert all(concern.formatted_code in listed for concern in waiting)
    assert accepted.formatted_code not in listed


def test_concerns_dispatched_to_the_grid_wait_for_the_grid_to_sign(
    grid_secretary, community_staff, compound, serving_contract
):
    dispatched(compound, community_staff, to="grid")
    dispatched(compound, community_staff, to="company")

    assert counts(grid_secretary)["concerns.to_sign"] == 1
    assert counts(community_staff)["concerns.to_sign"] == 0
    assert "handler_unit=" in item(grid_secretary, "concerns.to_sign").url


def test_due_today_and_overdue(community_staff, compound):
    now = timezone.now()
    end_of_today = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(now), timezone.datetime.max.time())
    )
    later_today = min(now + timedelta(minutes=30), end_of_today)
    ConcernFactory(compound=compound, due_at=later_today)
    ConcernFactory(compound=compound, due_at=now - timedelta(days=2))
    ConcernFactory(compound=compound, due_at=now - timedelta(days=3))
    ConcernFactory(
        compound=compound,
        due_at=now - timedelta(days=3),
        status=Concern.Status.CLOSED,
    )
    ConcernFactory(compound=compound, due_at=now + timedelta(days=3))

    found = counts(community_staff, now)

    assert found["concerns.due_today"] == 1
    assert found["concerns.overdue"] == 2
    assert item(community_staff, "concerns.overdue").tone == "alert"


def test_the_company_counts_only_what_was_dispatched_to_it(
    client, property_manager, community_staff, compound, serving_contract, grid
):
    mine = dispatched(compound, community_staff)
    dispatched(compound, community_staff, to="grid")
    submitted(compound)
    elsewhere = CompoundFactory(grid=grid)
    ServiceContractFactory(compound=elsewhere, company=PropertyCompanyFactory())
    dispatched(elsewhere, community_staff)
    Concern.objects.filter(pk=mine.pk).update(
        due_at=timezone.now() - timedelta(hours=1)
    )

    found = counts(property_manager)
    body = page(client, property_manager)

    assert found["concerns.to_sign"] == 1
    assert found["concerns.overdue"] == 1
    assert "concerns.to_accept" not in found
    assert "派给本公司待签收的诉求" in body
    assert 'href="/concerns/manager/"' in body


# Inspections and rectification ----------------------------------------------


def test_a_resident_representative_sees_the_draft_it_sits_on(
    inspector, street, compound, serving_contract
):
    inspector_cadre = cadre(street)
    draft_inspection(
        compound,
        inspector_cadre,
        panel=[(inspector_cadre.person, "cadre"), (inspector.person, "resident_rep")],
    )
    draft_inspection(compound, cadre(street))

    assert counts(inspector)["inspections.drafts"] == 1
    assert "inspections.drawn" not in counts(inspector)


def test_a_single_draft_links_to_its_sheet(street, compound, serving_contract):
    inspector_cadre = cadre(street)
    draft = draft_inspection(compound, inspector_cadre)

    assert item(inspector_cadre, "inspections.drafts").url == reverse(
        "assessments:inspection", args=[draft.pk]
    )


def test_drawn_compounds_wait_until_inspected(
    street, compound, other_compound, serving_contract
):
    inspector_cadre = cadre(street)
    today = timezone.localdate()
    month = today.replace(day=1)
    plan = InspectionPlan.objects.create(
        street=street, month=month, seed="s", plan_hash="h", quota=2
    )
    for drawn in (compound, other_compound):
        PlannedVisit.objects.create(
            plan=plan, compound=drawn, window_start=month, window_end=month
        )
    submitted_inspection(compound, inspector_cadre, on=today)

    drawn = item(inspector_cadre, "inspections.drawn")

    assert drawn.count == 1
    assert drawn.tone == ("alert" if today > month else "")


@pytest.fixture
def notice(street, compound, serving_contract):
    inspection = submitted_inspection(compound, cadre(street), occurrences={"E1": 2})
    raised = raise_rectification(
        result=inspection.results.get(item__code="E1"),
        deadline=timezone.localdate(),
        actor=inspection.submitted_by,
    )
    raised.deadline = timezone.localdate() - timedelta(days=1)
    raised.save()
    return raised


def test_the_company_answers_its_rectification_notices(property_manager, notice):
    waiting = item(property_manager, "rectification.to_answer")

    assert waiting.count == 1
    assert waiting.tone == "alert"


def test_the_street_office_rechecks_answered_notices(street_admin, notice):
    assert counts(street_admin)["rectification.to_recheck"] == 0

    notice.status = notice.Status.ANSWERED
    notice.save()

    assert counts(street_admin)["rectification.to_recheck"] == 1


def test_the_street_office_approves_and_pays_rewards(street_admin, street):
    for n, approved in enumerate([None, None, timezone.now()]):
        ranking = QuarterlyRanking.objects.create(
            company=PropertyCompanyFactory(),
            street=street,
            quarter="2026Q3",
            quarter_start=date(2026, 7, 1),
            inspection_average=Decimal("90"),
            score=Decimal("90"),
            rank=n + 1,
        )
        Reward.objects.create(
            ranking=ranking, title="奖", amount=Decimal("1000"), approved_at=approved
        )

    found = counts(street_admin)

    assert found["rewards.to_approve"] == 2
    assert found["rewards.to_pay"] == 1


def test_only_the_street_office_sees_rewards(community_staff, street_admin):
    assert "rewards.to_approve" in counts(street_admin)
    assert "rewards.to_approve" not in counts(community_staff)


# Visit days, meetings, committees -----------------------------------------------


@time_machine.travel(date(2026, 12, 2), tick=False)
def test_before_the_visit_day_the_company_sees_what_to_visit(
    property_manager, compound, serving_contract
):
    due = item(property_manager, "visits.due")

    assert due.count == 1
    assert due.tone == ""
    assert "12月12日" in str(due.note)


@time_machine.travel(date(2026, 12, 14), tick=False)
def test_after_the_visit_day_a_missing_report_is_late(
    property_manager, compound, other_compound, serving_contract
):
    ServiceContractFactory(compound=other_compound, company=serving_contract.company)
    VisitReportFactory(compound=other_compound, date=date(2026, 12, 12))

    due = item(property_manager, "visits.due")

    assert due.count == 1
    assert due.tone == "alert"


def test_community_staff_see_open_action_items(
    community_staff, compound, serving_contract
):
    concern = submitted(compound)
    today = timezone.localdate()
    civic_services.close_meeting(
        meeting=MeetingFactory(compound=compound, date=today - timedelta(days=7)),
        minutes="纪要",
        attendee_count=8,
        decisions=[
            DecisionInput(
                text="清理楼道",
                actions=[
                    ActionInput(concern=concern, owner="物业", deadline=today),
                    ActionInput(
                        concern=concern, owner="网格", deadline=today - timedelta(1)
                    ),
                ],
            )
        ],
    )

    waiting = item(community_staff, "meetings.open_actions")

    assert waiting.count == 2
    assert waiting.tone == "alert"


def test_committee_terms_ending_within_90_days(
    community_staff, grid_secretary, compound, grid
):
    today = timezone.localdate()
    CommitteeFactory(compound=compound, term_end=today + timedelta(days=30))
    CommitteeFactory(
        compound=CompoundFactory(grid=grid), term_end=today + timedelta(days=200)
    )

    assert counts(community_staff)["committees.terms_ending"] == 1
    assert counts(grid_secretary)["committees.terms_ending"] == 1
    assert "term=ending" in item(grid_secretary, "committees.terms_ending").url


# Cost ---------------------------------------------------------------------------


def _queries(client, user) -> int:
    client.force_login(user)
    # New posts (a panel's cadre) make the login's cached scope stale: the
    # first request recomputes it, the one counted reads it.
    client.get(PAGE)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    return len(captured.captured_queries)


def _more_work(street, compound, community_staff, n):
    for _i in range(n):
        dispatched(compound, community_staff)
        submitted(compound)
    for _i in range(n):
        CommitteeFactory(
            compound=CompoundFactory(grid=compound.grid),
            term_end=timezone.localdate() + timedelta(days=10),
        )
    draft_inspection(compound, cadre(street))


@pytest.mark.parametrize(
    "role", ["street_admin", "community_staff", "grid_secretary", "property_manager"]
)
def test_the_page_costs_the_same_queries_whatever_the_rows(
    request, client, role, street, compound, community_staff, serving_contract
):
    user = request.getfixturevalue(role)
    _more_work(street, compound, community_staff, 1)
    few = _queries(client, user)

    _more_work(street, compound, community_staff, 6)
    many = _queries(client, user)

    assert many == few

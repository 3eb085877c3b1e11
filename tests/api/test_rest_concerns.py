"""Concerns through the REST API: filters, keyset pages, workflow actions
through the services, staff intake and the one error format."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Concern, ConcernEvent
from tests.clients import make_concern, token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def staff(street_admin):
    return token_client(street_admin)


@pytest.fixture
def mixed(compound, other_compound, other_community, sanitation, parking):
    from tests.factories import CompoundFactory, GridFactory

    far_compound = CompoundFactory(grid=GridFactory(parent=other_community))
    a = make_concern(compound, sanitation, source="phone")
    b = make_concern(other_compound, parking)
    c = make_concern(far_compound, parking, source="hotline_12345")
    Concern.objects.filter(pk=c.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2026, 7, 15, 10)),
        status=Concern.Status.CLOSED,
    )
    return a, b, c


def test_lists_filter_by_subtree_status_category_and_source(
    staff, mixed, grid, community, other_community
):
    a, b, c = mixed
    url = f"{API}/concerns/"

    assert set(ids(staff.get(url, {"subtree": grid.pk}))) == {a.pk}
    assert set(ids(staff.get(url, {"subtree": community.pk}))) == {a.pk, b.pk}
    assert set(ids(staff.get(url, {"subtree": other_community.pk}))) == {c.pk}
    assert set(ids(staff.get(url, {"status": "closed"}))) == {c.pk}
    assert set(ids(staff.get(url, {"status": ["closed", "submitted"]}))) == {
        a.pk,
        b.pk,
        c.pk,
    }
    assert set(ids(staff.get(url, {"category": "parking"}))) == {b.pk, c.pk}
    assert set(ids(staff.get(url, {"source": "hotline_12345"}))) == {c.pk}
    assert set(ids(staff.get(url, {"open": "true"}))) == {a.pk, b.pk}


def test_lists_filter_by_month_quarter_and_date_range(staff, mixed):
    a, b, c = mixed
    url = f"{API}/concerns/"
    today = timezone.localdate()

    assert set(ids(staff.get(url, {"month": "2026-07"}))) == {c.pk}
    assert set(ids(staff.get(url, {"quarter": "2026Q3"}))) == {c.pk}
    assert set(
        ids(
            staff.get(
                url,
                {
                    "created_after": (today - timedelta(days=1)).isoformat(),
                    "created_before": today.isoformat(),
                },
            )
        )
    ) == {a.pk, b.pk}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"month": "2026-13"}, "month"),
        ({"quarter": "2026Q5"}, "quarter"),
        # The last month and quarter of the calendar have no end to filter
        # by: a field error, not an OverflowError.
        ({"month": "9999-12"}, "month"),
        ({"quarter": "9999Q4"}, "quarter"),
        ({"status": "lost"}, "status"),
        ({"subtree": "abc"}, "subtree"),
        ({"created_after": "yesterday"}, "created"),
    ],
)
def test_bad_filters_answer_400_with_field_errors(staff, params, field):
    response = staff.get(f"{API}/concerns/", params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any(key.startswith(field) for key in body["fields"])


def test_concern_lists_are_keyset_pages_without_a_count(staff, compound):
    for n in range(3):
        make_concern(compound, description=f"第{n}件")

    first = staff.get(f"{API}/concerns/", {"page_size": 2}).json()
    second = staff.get(first["next"]).json()

    assert "count" not in first
    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    newest_first = [r["created_at"] for r in first["results"] + second["results"]]
    assert newest_first == sorted(newest_first, reverse=True)


def test_the_detail_carries_the_events(staff, compound):
    concern = make_concern(compound)

    body = staff.get(f"{API}/concerns/{concern.pk}/").json()

    assert [e["action"] for e in body["events"]] == ["submit"]


def test_the_workflow_runs_through_the_services(
    staff, serving_contract, street_admin, community_staff
):
    concern = make_concern(serving_contract.compound)
    # The follow-up call is independent of whoever answered.
    caller = token_client(community_staff)
    url = f"{API}/concerns/{concern.pk}"

    steps = [
        staff.post(f"{url}/accept/", {"note": "已受理"}),
        staff.post(f"{url}/dispatch/", {"to": "company"}),
        staff.post(f"{url}/sign/", {}),
        staff.post(f"{url}/start/", {}),
        staff.post(f"{url}/respond/", {"note": "已清理完毕"}),
        caller.post(f"{url}/follow-up/", {"rating": "satisfied"}),
    ]

    assert [s.status_code for s in steps] == [200] * 6
    assert steps[1].json()["handler_company"] == serving_contract.company.pk
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    actions = list(
        ConcernEvent.objects.filter(concern=concern).values_list("action", flat=True)
    )
    assert actions == [
        "submit",
        "accept",
        "dispatch",
        "sign",
        "start",
        "respond",
        "follow_up",
    ]
    assert ConcernEvent.objects.filter(actor=street_admin).count() == 5
    assert ConcernEvent.objects.filter(actor=community_staff).count() == 1


def test_an_illegal_transition_is_a_400_in_chinese_and_changes_nothing(staff, compound):
    concern = make_concern(compound)

    response = staff.post(
        f"{API}/concerns/{concern.pk}/close/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    [message] = body["fields"]["non_field_errors"]
    assert "不能" in message or "无法" in message or "关闭" in message
    concern.refresh_from_db()
    assert concern.status == Concern.Status.SUBMITTED


def test_field_errors_follow_the_request_language(staff, compound):
    concern = make_concern(compound)
    url = f"{API}/concerns/{concern.pk}/request-extension/"

    chinese = staff.post(url, {"days": "many"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = staff.post(url, {"days": "many"}, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["fields"]["days"] == ["请填写合法的整数值。"]
    assert english.json()["fields"]["days"] == ["A valid integer is required."]


def test_a_required_note_is_checked_before_the_service(staff, compound):
    concern = make_concern(compound)

    response = staff.post(f"{API}/concerns/{concern.pk}/reject/", {})

    assert response.status_code == 400
    assert "note" in response.json()["fields"]


def test_staff_intake_creates_a_concern_with_its_source(staff, compound, street_admin):
    response = staff.post(
        f"{API}/concerns/",
        {
            "compound": compound.pk,
            "category": "greening",
            "description": "绿地被毁种菜。",
            "source": "door_knock",
            "phone": "13900000000",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    concern = Concern.objects.get(pk=response.json()["id"])
    assert concern.source == Concern.Source.DOOR_KNOCK
    assert concern.category.code == "greening"
    assert concern.events.get().actor == street_admin


def test_staff_intake_refuses_the_open311_source_and_unknown_categories(
    staff, compound
):
    response = staff.post(
        f"{API}/concerns/",
        {
            "compound": compound.pk,
            "category": "weather",
            "description": "x",
            "source": "open311",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "source" in response.json()["fields"]
    assert not Concern.objects.exists()


def test_the_event_list_is_scoped_and_keyset_paged(
    grid_secretary, compound, other_compound
):
    mine = make_concern(compound)
    make_concern(other_compound)

    body = token_client(grid_secretary).get(f"{API}/concern-events/").json()

    assert {row["concern"] for row in body["results"]} == {mine.pk}
    assert "count" not in body


def test_unknown_api_paths_answer_json_404(staff):
    response = staff.get(f"{API}/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unexpected_failure_answers_in_the_error_format(staff, monkeypatch):
    from consultations import api

    def explode(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.ConcernViewSet, "get_queryset", explode)

    response = staff.get(f"{API}/concerns/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_a_concern_page_costs_the_same_queries_for_more_rows(staff, compound):
    def page_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert staff.get(f"{API}/concerns/").status_code == 200
        return len(queries)

    make_concern(compound)
    page_queries()  # the login's first request computes its scope (cached)
    few = page_queries()
    for n in range(6):
        make_concern(compound, description=f"第{n}件")

    assert page_queries() == few


@pytest.mark.parametrize("params", [{"month": "9999-12"}, {"quarter": "9999Q4"}])
def test_a_period_past_the_calendar_is_a_chinese_error(staff, params):
    response = staff.get(f"{API}/concerns/", params, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert "超出范围" in response.content.decode()


def test_the_event_list_refuses_the_last_month_too(staff):
    response = staff.get(f"{API}/concern-events/", {"month": "9999-12"})

    assert response.status_code == 400

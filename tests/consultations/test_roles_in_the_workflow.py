"""Who does what in the workflow beyond the rights table's cells: 督办 is
the street office's, an extension is asked by the handler and granted by
the dispatcher, the follow-up is independent, and an escalated concern
nobody was given can still be dispatched."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from consultations import services
from consultations.models import Concern, ConcernEvent
from consultations.workflow import ACTIONS

from .factories import category

pytestmark = pytest.mark.django_db
S = Concern.Status


@pytest.fixture
def concern(compound, serving_contract):
    return services.submit_concern(
        compound=compound, category=category("sanitation"), description="垃圾满溢"
    )


@pytest.fixture
def with_company(concern, community_staff):
    services.accept(concern=concern, actor=community_staff)
    return services.dispatch(concern=concern, actor=community_staff, to="company")


def act(client, user, concern, action, **data):
    client.force_login(user)
    return client.post(
        reverse("consultations:act", args=[concern.pk]), {"action": action, **data}
    )


# 督办 -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["community_staff", "grid_secretary"])
def test_only_the_street_office_escalates(client, concern, who, request):
    response = act(client, request.getfixturevalue(who), concern, "escalate")

    assert response.status_code == 403
    assert "督办诉求" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == S.SUBMITTED


def test_the_street_office_escalates(client, concern, street_admin):
    act(client, street_admin, concern, "escalate", note="请加快")

    concern.refresh_from_db()
    assert concern.status == S.ESCALATED


def test_the_service_refuses_escalation_by_others_too(concern, grid_secretary):
    with pytest.raises(Exception) as refused:
        services.escalate(concern=concern, actor=grid_secretary)

    assert refused.type.__name__ == "PermissionDenied"
    assert Concern.objects.get(pk=concern.pk).status == S.SUBMITTED


def test_an_escalated_concern_without_handler_is_dispatched(
    client, concern, community_staff
):
    services.escalate(concern=concern, actor=None, note="超时自动督办")
    concern.refresh_from_db()
    assert [a.name for a in ACTIONS.values() if a.allowed_on(concern)] == [
        "dispatch",
        "respond",
        "hide",
        "note",
    ]

    act(client, community_staff, concern, "dispatch", to="company")

    concern.refresh_from_db()
    assert concern.status == S.DISPATCHED
    assert concern.handler_company is not None


def test_an_escalated_concern_with_a_handler_is_not_dispatched_again(
    with_company, property_manager, street_admin
):
    services.sign(concern=with_company, actor=property_manager)
    concern = services.escalate(concern=with_company, actor=street_admin)

    offered = [a.name for a in ACTIONS.values() if a.allowed_on(concern)]
    assert "dispatch" not in offered
    assert "sign" not in offered  # signed already
    with pytest.raises(ValidationError):
        services.dispatch(concern=concern, actor=street_admin, to="grid")


# Extensions ------------------------------------------------------------------


def test_asking_moves_no_deadline_and_the_dispatcher_grants(
    with_company, property_manager, community_staff
):
    due = with_company.due_at

    concern = services.request_extension(
        concern=with_company, actor=property_manager, days=3, note="需采购配件"
    )
    assert concern.due_at == due
    assert concern.extension_days_requested == 3
    concern = services.extend(concern=concern, actor=community_staff)

    assert concern.extended
    assert concern.extension_days_requested is None
    assert concern.due_at > due + timedelta(days=2)
    assert list(
        ConcernEvent.objects.filter(concern=concern)
        .filter(action__in=["request_extension", "extend"])
        .values_list("action", "actor")
    ) == [
        ("request_extension", property_manager.pk),
        ("extend", community_staff.pk),
    ]


def test_the_handler_cannot_grant_its_own_extension(
    concern, community_staff, grid_secretary
):
    services.accept(concern=concern, actor=community_staff)
    services.dispatch(concern=concern, actor=community_staff, to="grid")
    services.request_extension(
        concern=concern, actor=grid_secretary, days=2, note="等待业主配合"
    )

    with override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.extend(concern=concern, actor=grid_secretary)

    assert "派单方" in refused.value.messages[0]
    assert not Concern.objects.get(pk=concern.pk).extended


def test_the_company_cannot_grant_through_the_page(
    client, with_company, property_manager
):
    services.request_extension(
        concern=with_company, actor=property_manager, days=2, note="等配件"
    )

    response = act(client, property_manager, with_company, "extend")

    assert response.status_code == 403
    with_company.refresh_from_db()
    assert not with_company.extended


def test_a_declined_extension_keeps_the_deadline_and_may_be_asked_again(
    with_company, property_manager, street_admin
):
    due = with_company.due_at
    services.request_extension(
        concern=with_company, actor=property_manager, days=5, note="工程量大"
    )
    with pytest.raises(ValidationError):
        services.decline_extension(concern=with_company, actor=street_admin)

    concern = services.decline_extension(
        concern=with_company, actor=street_admin, note="两天内可完成"
    )

    assert concern.due_at == due
    assert not concern.extension_requested
    assert ACTIONS["request_extension"].allowed_on(concern)


def test_a_reopened_concern_may_be_extended_again(
    with_company, property_manager, community_staff
):
    services.request_extension(
        concern=with_company, actor=property_manager, days=2, note="等配件"
    )
    services.extend(concern=with_company, actor=community_staff)
    services.sign(concern=with_company, actor=property_manager)
    concern = services.respond(concern=with_company, actor=property_manager, note="好")
    concern = services.reopen(concern=concern, actor=community_staff, note="复发")

    assert not concern.extended
    assert ACTIONS["request_extension"].allowed_on(
        services.dispatch(concern=concern, actor=community_staff, to="company")
    )


# Follow-up -------------------------------------------------------------------


@pytest.fixture
def answered_by_company(with_company, property_manager):
    services.sign(concern=with_company, actor=property_manager)
    return services.respond(concern=with_company, actor=property_manager, note="已清运")


def test_whoever_answered_cannot_follow_up(concern, grid_secretary):
    services.accept(concern=concern, actor=grid_secretary)
    concern = services.respond(concern=concern, actor=grid_secretary, note="已清运")

    with pytest.raises(ValidationError):
        services.follow_up(concern=concern, actor=grid_secretary, rating="satisfied")

    assert Concern.objects.get(pk=concern.pk).status == S.RESPONDED


def test_the_handling_unit_cannot_follow_up(concern, community_staff, grid_secretary):
    services.accept(concern=concern, actor=community_staff)
    services.dispatch(concern=concern, actor=community_staff, to="grid")
    services.sign(concern=concern, actor=grid_secretary)
    concern = services.respond(concern=concern, actor=community_staff, note="已清运")

    with pytest.raises(ValidationError):
        services.follow_up(concern=concern, actor=grid_secretary, rating="satisfied")


def test_the_follow_up_has_no_default_rating(
    client, answered_by_company, community_staff
):
    client.force_login(community_staff)
    page = client.get(
        reverse("consultations:staff-detail", args=[answered_by_company.pk])
    ).content.decode()
    start = page.index('name="rating"')
    select = page[start : page.index("</select>", start)]
    assert "selected" not in select
    assert select.index('value=""') < select.index('value="satisfied"')

    response = act(client, community_staff, answered_by_company, "follow_up")

    assert response.status_code == 302
    answered_by_company.refresh_from_db()
    assert answered_by_company.status == S.RESPONDED
    assert answered_by_company.rating == ""


def test_an_independent_follow_up_rates(answered_by_company, community_staff):
    concern = services.follow_up(
        concern=answered_by_company, actor=community_staff, rating="basic"
    )

    assert concern.status == S.CLOSED
    assert concern.rating == Concern.Rating.BASIC

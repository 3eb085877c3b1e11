from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from consultations import services
from consultations.models import Concern, ConcernEvent, Notification
from org.models import LiaisonDepartment

from .factories import category

pytestmark = pytest.mark.django_db
S = Concern.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def concern(compound, serving_contract):
    return services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="垃圾桶满了没人清理",
        email="resident@example.org",
    )


def carry_to_responded(concern, actor):
    services.accept(concern=concern, actor=actor)
    services.dispatch(concern=concern, actor=actor)
    services.sign(concern=concern, actor=actor)
    services.start(concern=concern, actor=actor)
    return services.respond(concern=concern, actor=actor, note="已清运")


def test_full_cycle_records_every_transition_as_an_event(
    concern, grid_secretary, community_staff, serving_contract
):
    carry_to_responded(concern, grid_secretary)
    concern = services.follow_up(
        concern=concern, actor=community_staff, rating=Concern.Rating.SATISFIED
    )

    assert concern.status == S.CLOSED
    assert concern.handler_company == serving_contract.company
    assert concern.closed_at is not None
    moves = list(
        ConcernEvent.objects.filter(concern=concern).values_list(
            "action", "from_status", "to_status"
        )
    )
    assert moves == [
        ("submit", "", "submitted"),
        ("accept", "submitted", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("sign", "dispatched", "signed"),
        ("start", "signed", "in_progress"),
        ("respond", "in_progress", "responded"),
        ("follow_up", "responded", "closed"),
    ]
    assert set(ConcernEvent.objects.values_list("actor", flat=True)) == {
        None,
        grid_secretary.pk,
        community_staff.pk,
    }


def test_illegal_transition_is_refused_in_chinese_and_changes_nothing(
    concern, grid_secretary
):
    events_before = ConcernEvent.objects.count()

    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.close(concern=concern, actor=grid_secretary)

    assert "不能" in caught.value.messages[0]
    concern.refresh_from_db()
    assert concern.status == S.SUBMITTED
    assert ConcernEvent.objects.count() == events_before


def test_reject_needs_a_reason(concern, grid_secretary):
    with pytest.raises(ValidationError):
        services.reject(concern=concern, actor=grid_secretary, note=" ")

    concern = services.reject(
        concern=concern, actor=grid_secretary, note="不属于物业范围"
    )

    assert concern.status == S.REJECTED


def test_dispatch_defaults_to_the_serving_company_and_emails_it(
    concern, grid_secretary, serving_contract
):
    company = serving_contract.company
    company.contact_email = "company@example.org"
    company.save()
    services.accept(concern=concern, actor=grid_secretary)

    concern = services.dispatch(concern=concern, actor=grid_secretary)

    assert concern.status == S.DISPATCHED
    assert concern.handler_company == company
    assert concern.sign_due_at > concern.dispatched_at
    assert Notification.objects.filter(
        concern=concern, to_email="company@example.org"
    ).exists()


@pytest.mark.parametrize("to, field", [("community", "community"), ("grid", "grid")])
def test_dispatch_to_community_or_grid(concern, grid_secretary, to, field):
    services.accept(concern=concern, actor=grid_secretary)

    concern = services.dispatch(concern=concern, actor=grid_secretary, to=to)

    assert concern.handler_unit == getattr(concern.compound, field)
    assert concern.handler_company is None


def test_dispatch_to_a_liaison_department_of_the_street(concern, grid_secretary):
    department = LiaisonDepartment.objects.create(
        street=concern.street, name="济阳派出所", kind=LiaisonDepartment.Kind.POLICE
    )
    services.accept(concern=concern, actor=grid_secretary)

    with pytest.raises(ValidationError):
        services.dispatch(concern=concern, actor=grid_secretary, to="liaison")
    concern = services.dispatch(
        concern=concern, actor=grid_secretary, to="liaison", department=department
    )

    assert concern.handler_department == department


def test_dispatch_to_company_refused_when_no_company_serves(compound, grid_secretary):
    concern = services.submit_concern(
        compound=compound, category=category(), description="无物业小区"
    )
    services.accept(concern=concern, actor=grid_secretary)

    with pytest.raises(ValidationError):
        services.dispatch(concern=concern, actor=grid_secretary, to="company")

    concern.refresh_from_db()
    assert concern.status == S.ACCEPTED


def test_extend_once_by_at_most_ten_working_days_with_a_reason(
    concern, grid_secretary, property_manager
):
    services.accept(concern=concern, actor=grid_secretary)
    services.dispatch(concern=concern, actor=grid_secretary)
    due = Concern.objects.get(pk=concern.pk).due_at

    for bad in ({"days": 11, "note": "工程量大"}, {"days": 3, "note": ""}):
        with pytest.raises(ValidationError):
            services.request_extension(concern=concern, actor=property_manager, **bad)
    services.request_extension(
        concern=concern, actor=property_manager, days=3, note="需要采购配件"
    )
    concern = services.extend(concern=concern, actor=grid_secretary)
    with pytest.raises(ValidationError):
        services.request_extension(
            concern=concern, actor=property_manager, days=1, note="再延"
        )

    concern.refresh_from_db()
    assert concern.extended
    assert concern.due_at > due + timedelta(days=2)


def test_return_within_two_working_days_of_dispatch(compound, grid_secretary):
    # Dispatched on Monday 2025-11-03.
    with time_machine.travel(datetime(2025, 11, 3, 9, tzinfo=SHANGHAI), tick=False):
        concern = services.submit_concern(
            compound=compound, category=category(), description="派错单位"
        )
        services.accept(concern=concern, actor=grid_secretary)
        services.dispatch(concern=concern, actor=grid_secretary, to="grid")
    # Thursday is past the end of Wednesday, the second working day.
    thursday = datetime(2025, 11, 6, 9, tzinfo=SHANGHAI)
    with (
        time_machine.travel(thursday, tick=False),
        pytest.raises(ValidationError),
    ):
        services.return_concern(concern=concern, actor=None, note="非本单位职责")
    with time_machine.travel(datetime(2025, 11, 5, 20, tzinfo=SHANGHAI), tick=False):
        concern = services.return_concern(
            concern=concern, actor=None, note="非本单位职责"
        )

    assert concern.status == S.ACCEPTED
    assert concern.handler_unit is None
    assert not ConcernEvent.objects.get(concern=concern, action="return").is_public


def test_dissatisfied_follow_up_reopens_then_escalates_the_second_time(
    concern, grid_secretary, community_staff
):
    carry_to_responded(concern, grid_secretary)

    concern = services.follow_up(
        concern=concern, actor=community_staff, rating=Concern.Rating.DISSATISFIED
    )
    assert concern.status == S.REOPENED
    assert concern.reopened_count == 1
    # The new round starts unrated; the call stays on the timeline.
    assert concern.rating == ""
    assert (
        ConcernEvent.objects.get(concern=concern, action="follow_up").note == "不满意"
    )

    services.dispatch(concern=concern, actor=grid_secretary)
    services.sign(concern=concern, actor=grid_secretary)
    concern = services.respond(concern=concern, actor=grid_secretary, note="再次处理")
    concern = services.rate_concern(token=concern.rating_token, rating="dissatisfied")

    assert concern.status == S.ESCALATED


def test_satisfied_rating_is_not_accepted_twice(concern, grid_secretary):
    concern = carry_to_responded(concern, grid_secretary)
    token = concern.rating_token
    services.rate_concern(token=token, rating="satisfied", comment="很快")

    with pytest.raises(ValidationError):
        services.rate_concern(token=token, rating="dissatisfied")

    concern.refresh_from_db()
    assert concern.status == S.CLOSED
    assert concern.is_resolved is True


def test_an_open_hold_blocks_closing_until_released(
    concern, grid_secretary, community_staff
):
    carry_to_responded(concern, grid_secretary)
    hold = services.place_hold(concern=concern, reason="会议行动项：物业，更换垃圾桶")

    # A satisfied call cannot close it either: it waits at follow-up.
    concern = services.follow_up(
        concern=concern, actor=community_staff, rating=Concern.Rating.SATISFIED
    )
    assert concern.status == S.FOLLOW_UP
    with pytest.raises(ValidationError) as refused:
        services.close(concern=concern, actor=grid_secretary)
    assert "更换垃圾桶" in refused.value.messages[0]
    assert Concern.objects.get(pk=concern.pk).status == S.FOLLOW_UP

    services.release_hold(hold=hold)
    concern = services.close(concern=concern, actor=grid_secretary)
    assert concern.status == S.CLOSED


def test_merge_points_the_duplicate_at_the_kept_concern(concern, grid_secretary):
    duplicate = services.submit_concern(
        compound=concern.compound, category=concern.category, description="同一件事"
    )
    assert list(services.duplicate_candidates(duplicate)) == [concern]

    duplicate = services.merge(concern=duplicate, actor=grid_secretary, into=concern)

    assert duplicate.status == S.MERGED
    assert duplicate.merged_into == concern
    with pytest.raises(ValidationError):
        services.merge(concern=concern, actor=grid_secretary, into=concern)


def test_duplicates_leave_out_old_other_category_and_closed(concern, grid_secretary):
    old = services.submit_concern(
        compound=concern.compound, category=concern.category, description="旧的"
    )
    Concern.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=15)
    )
    services.submit_concern(
        compound=concern.compound, category=category("parking"), description="停车"
    )
    fresh = services.submit_concern(
        compound=concern.compound, category=concern.category, description="新的"
    )

    assert list(services.duplicate_candidates(fresh)) == [concern]


def test_hide_keeps_the_original_and_records_an_internal_event(concern, grid_secretary):
    with pytest.raises(ValidationError):
        services.hide(concern=concern, actor=grid_secretary, note="")

    concern = services.hide(concern=concern, actor=grid_secretary, note="含他人隐私")

    concern.refresh_from_db()
    assert concern.is_hidden
    assert concern.description == "垃圾桶满了没人清理"
    assert concern.public_description == ""
    assert not ConcernEvent.objects.get(concern=concern, action="hide").is_public


def test_escalate_is_recorded(concern, street_admin):
    concern = services.escalate(concern=concern, actor=street_admin, note="请加快")

    assert concern.status == S.ESCALATED
    assert concern.escalated_at is not None


def test_reopen_needs_a_reason_and_gives_a_fresh_deadline(concern, grid_secretary):
    concern = carry_to_responded(concern, grid_secretary)
    services.rate_concern(token=concern.rating_token, rating="satisfied")

    with pytest.raises(ValidationError):
        services.reopen(concern=concern, actor=grid_secretary)
    concern = services.reopen(concern=concern, actor=grid_secretary, note="复发")

    assert concern.status == S.REOPENED
    assert concern.closed_at is None
    assert concern.due_at > timezone.now()


def test_manager_sees_only_concerns_dispatched_to_their_company(
    concern, compound, property_manager, other_compound, grid_secretary
):
    elsewhere = services.submit_concern(
        compound=other_compound, category=category(), description="别的小区"
    )
    undispatched = services.submit_concern(
        compound=compound, category=category(), description="尚未派单"
    )
    services.accept(concern=concern, actor=grid_secretary)
    services.dispatch(concern=concern, actor=grid_secretary)

    visible = set(Concern.objects.visible_to(property_manager))

    assert concern in visible
    assert undispatched not in visible
    assert elsewhere not in visible


def test_moving_a_grid_resyncs_the_concerns_ancestors(concern, other_community):
    grid = concern.compound.grid
    grid.parent = other_community
    grid.code = f"{other_community.code}009"
    grid.save()

    concern.refresh_from_db()
    assert concern.community_id == other_community.pk
    assert concern.street_id == other_community.parent_id

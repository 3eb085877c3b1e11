from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from civic import services as civic_services
from civic.models import ActionItem, Meeting, MeetingDecision
from civic.services import ActionInput, DecisionInput
from consultations import services
from consultations.models import Concern
from tests.civic.civic_factories import MeetingFactory
from tests.consultations.factories import category
from tests.factories import CommunityFactory, CompoundFactory

pytestmark = pytest.mark.django_db


def answered_concern(compound, actor=None) -> Concern:
    concern = services.submit_concern(
        compound=compound,
        category=category("facility_repair"),
        description="3号楼外墙保温层脱落",
    )
    concern = services.accept(concern=concern, actor=actor)
    concern = services.dispatch(concern=concern, actor=actor, to="community")
    concern = services.sign(concern=concern, actor=actor)
    concern = services.start(concern=concern, actor=actor)
    return services.respond(concern=concern, actor=actor, note="已修复")


def close_with_action(meeting, concern, **decision) -> ActionItem:
    civic_services.close_meeting(
        meeting=meeting,
        minutes="现场协商，同意使用维修资金修复。",
        attendee_count=12,
        attending_organisations=["社区环物委", "物业公司", ""],
        decisions=[
            DecisionInput(
                text="物业两周内修复外墙保温",
                actions=[
                    ActionInput(
                        concern=concern,
                        owner="物业公司",
                        deadline=meeting.date + timedelta(days=14),
                    )
                ],
                **decision,
            )
        ],
    )
    return ActionItem.objects.get(concern=concern)


def test_meeting_copies_its_compounds_ancestors(compound):
    meeting = civic_services.create_meeting(
        kind=Meeting.Kind.TEA_TABLE,
        title="流动茶桌进水景花苑",
        date=timezone.localdate(),
        place="中心广场",
        host="社区书记",
        compound=compound,
        agenda=[("听取居民意见", None)],
    )

    assert (meeting.street_id, meeting.community_id, meeting.grid_id) == (
        compound.street_id,
        compound.community_id,
        compound.grid_id,
    )
    assert [a.title for a in meeting.agenda_items.all()] == ["听取居民意见"]


def test_community_meeting_needs_no_compound(community):
    meeting = civic_services.create_meeting(
        kind=Meeting.Kind.JOINT_PROPERTY,
        title="物业联席会议",
        date=timezone.localdate(),
        place="党群服务中心",
        host="环物委主任",
        community=community,
    )

    assert meeting.compound is None
    assert meeting.street_id == community.parent_id


def test_meeting_without_compound_or_community_is_refused():
    with pytest.raises(ValidationError):
        civic_services.create_meeting(
            kind=Meeting.Kind.HEARING,
            title="听证会",
            date=timezone.localdate(),
            place="会议室",
            host="主任",
        )
    assert not Meeting.objects.exists()


def test_closing_records_minutes_attendance_decisions_and_actions(compound):
    meeting = MeetingFactory(compound=compound)
    concern = answered_concern(compound)

    item = close_with_action(meeting, concern, publish=True)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED
    assert meeting.attendee_count == 12
    assert meeting.organisations == ["社区环物委", "物业公司"]
    decision = meeting.decisions.get()
    assert decision.is_published and decision.published_on == timezone.localdate()
    assert (item.owner, item.decision) == ("物业公司", decision)


def test_open_meeting_action_blocks_closing_the_concern(compound):
    concern = answered_concern(compound)
    item = close_with_action(MeetingFactory(compound=compound), concern)

    assert list(civic_services.open_action_items(concern)) == [item]
    assert list(concern.holds.open()) == [item.hold]
    with pytest.raises(ValidationError):
        services.close(concern=concern, actor=None)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESPONDED


def test_concern_closes_once_its_action_items_are_done(compound):
    concern = answered_concern(compound)
    item = close_with_action(MeetingFactory(compound=compound), concern)

    civic_services.complete_action_item(item=item, note="已修复")
    concern = services.close(concern=concern, actor=None)

    assert concern.status == Concern.Status.CLOSED
    assert not civic_services.open_action_items(concern).exists()
    assert not concern.holds.open().exists()


def test_action_item_on_another_compounds_concern_is_refused(compound):
    elsewhere = answered_concern(CompoundFactory(grid=compound.grid))
    meeting = MeetingFactory(compound=compound)

    with pytest.raises(ValidationError):
        close_with_action(meeting, elsewhere)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert not MeetingDecision.objects.exists()


def test_a_closed_meeting_cannot_be_closed_again(compound):
    meeting = MeetingFactory(compound=compound)
    civic_services.close_meeting(meeting=meeting, minutes="纪要", attendee_count=5)

    with pytest.raises(ValidationError):
        civic_services.close_meeting(meeting=meeting, minutes="再次", attendee_count=5)
    meeting.refresh_from_db()
    assert meeting.minutes == "纪要"


@pytest.mark.parametrize(
    ("minutes", "attendees"), [("", 5), ("纪要", 0)], ids=["no minutes", "nobody"]
)
def test_closing_without_minutes_or_attendees_is_refused(compound, minutes, attendees):
    meeting = MeetingFactory(compound=compound)

    with pytest.raises(ValidationError):
        civic_services.close_meeting(
            meeting=meeting, minutes=minutes, attendee_count=attendees
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_publish_decision_only_for_a_closed_meeting(compound):
    meeting = MeetingFactory(compound=compound)
    draft = MeetingDecision.objects.create(meeting=meeting, text="草案")

    with pytest.raises(ValidationError):
        civic_services.publish_decision(decision=draft)

    civic_services.close_meeting(
        meeting=meeting,
        minutes="纪要",
        attendee_count=5,
        decisions=[DecisionInput(text="增设充电桩")],
    )
    decision = meeting.decisions.get(text="增设充电桩")
    civic_services.publish_decision(decision=decision)
    assert MeetingDecision.objects.published().get() == decision


def test_staff_plan_and_close_a_meeting_through_the_pages(
    client, community_staff, compound
):
    concern = answered_concern(compound)
    client.force_login(community_staff)

    response = client.post(
        reverse("civic:meeting-new"),
        {
            "kind": "tea_table",
            "title": "流动茶桌",
            "compound": compound.pk,
            "date": timezone.localdate().isoformat(),
            "place": "广场",
            "host": "书记",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    client.post(
        reverse("civic:meeting", args=[meeting.pk]),
        {"title": "", "concern": concern.pk},
    )
    assert meeting.agenda_items.get().concern == concern

    response = client.post(
        reverse("civic:meeting-close", args=[meeting.pk]),
        {
            "minutes": "议定修复",
            "attendee_count": 9,
            "attending_organisations": "社区\n物业",
            "d-TOTAL_FORMS": 3,
            "d-INITIAL_FORMS": 0,
            "d-0-text": "两周内修复",
            "d-0-publish": "on",
            "d-0-concern": concern.pk,
            "d-0-owner": "物业",
            "d-0-deadline": (timezone.localdate() + timedelta(days=14)).isoformat(),
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_closed
    assert ActionItem.objects.get().concern == concern


def test_managers_may_not_plan_meetings(client, property_manager):
    client.force_login(property_manager)

    assert client.get(reverse("civic:meeting-new")).status_code == 403


def test_meeting_list_shows_only_meetings_in_scope(
    client, grid_secretary, compound, other_compound
):
    mine = MeetingFactory(compound=compound)
    MeetingFactory(compound=other_compound)
    client.force_login(grid_secretary)

    response = client.get(reverse("civic:meetings"))

    assert list(response.context["meetings"]) == [mine]


def test_meetings_follow_their_units_when_the_tree_moves(street, compound):
    new_community = CommunityFactory(parent=street, name="新社区", code="370811012009")
    compound_meeting = MeetingFactory(compound=compound)
    grid = compound.grid

    grid.parent = new_community
    grid.code = "370811012009001"
    grid.save()

    compound_meeting.refresh_from_db()
    assert compound_meeting.community_id == new_community.pk
    assert compound_meeting.grid_id == grid.pk

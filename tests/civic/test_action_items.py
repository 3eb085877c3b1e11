"""Meeting action items: marked done from the meeting page or the concern
page, which lists what keeps the concern from closing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from civic import services as civic_services
from civic.models import ActionItem, Meeting
from consultations import services as concern_services
from consultations.models import Concern
from tests.conftest import staff_with_post
from tests.consultations.factories import category
from tests.factories import CompoundFactory, GridFactory

pytestmark = pytest.mark.django_db


def _tea_table_on(concern, actor=None) -> ActionItem:
    """A 流动茶桌 on the concern, closed with one action item on it."""
    meeting = civic_services.create_meeting(
        kind=Meeting.Kind.TEA_TABLE,
        title="流动茶桌：停车难",
        date=timezone.localdate(),
        place="小区广场",
        host="社区书记",
        compound=concern.compound,
        agenda=[("停车难", concern)],
        actor=actor,
    )
    civic_services.close_meeting(
        meeting=meeting,
        actor=actor,
        minutes="居民、物业和社区现场协商。",
        attendee_count=14,
        decisions=[
            civic_services.DecisionInput(
                text="物业两周内完成停车位划线。",
                actions=[
                    civic_services.ActionInput(
                        concern=concern,
                        owner="济宁水景物业",
                        deadline=timezone.localdate() + timedelta(days=14),
                    )
                ],
            )
        ],
    )
    return ActionItem.objects.get(concern=concern)


@pytest.fixture
def concern(compound):
    return concern_services.submit_concern(
        compound=compound,
        category=category("parking"),
        description="小区停车位不够，夜里车辆乱停",
        source=Concern.Source.TEA_TABLE,
    )


def test_community_staff_closes_a_tea_table_concern_once_its_item_is_done(
    client, community_staff, concern
):
    item = _tea_table_on(concern, actor=community_staff)
    concern_services.accept(concern=concern, actor=community_staff)
    concern_services.respond(
        concern=concern, actor=community_staff, note="已协商划线方案。"
    )
    client.force_login(community_staff)
    page = reverse("consultations:staff-detail", args=[concern.pk])

    def close():
        return client.post(
            reverse("consultations:act", args=[concern.pk]),
            {"action": "close", "note": "已办结", "next": page},
        )

    # Held: the close is refused while the item is open.
    close()
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESPONDED

    response = client.post(
        reverse("civic:action-item-done", args=[item.pk]),
        {"note": "车位线已划好", "next": page},
    )
    assert response.status_code == 302
    assert response.url == page
    item.refresh_from_db()
    assert item.done_at is not None
    assert item.done_by == community_staff
    assert item.done_note == "车位线已划好"
    assert not item.hold.is_open

    close()
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED


def test_concern_page_lists_what_blocks_its_closing_with_a_done_button(
    client, community_staff, concern
):
    item = _tea_table_on(concern)
    client.force_login(community_staff)

    page = client.get(
        reverse("consultations:staff-detail", args=[concern.pk])
    ).content.decode()

    assert "办结前须完成" in page
    assert reverse("civic:meeting", args=[item.decision.meeting_id]) in page
    assert "物业两周内完成停车位划线。" in page
    assert reverse("civic:action-item-done", args=[item.pk]) in page
    assert "标记完成" in page


def test_grid_staff_sees_the_block_without_the_button_and_is_refused(
    client, grid_secretary, concern
):
    item = _tea_table_on(concern)
    client.force_login(grid_secretary)

    page = client.get(
        reverse("consultations:staff-detail", args=[concern.pk])
    ).content.decode()
    response = client.post(reverse("civic:action-item-done", args=[item.pk]))

    assert "办结前须完成" in page
    assert reverse("civic:action-item-done", args=[item.pk]) not in page
    assert "由社区或街道物业办在会议页面标记完成" in page
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.done_at is None


def test_a_concern_without_holds_shows_no_block(client, community_staff, concern):
    client.force_login(community_staff)

    page = client.get(
        reverse("consultations:staff-detail", args=[concern.pk])
    ).content.decode()

    assert "办结前须完成" not in page


def test_meeting_page_marks_an_item_done(client, street_admin, concern):
    item = _tea_table_on(concern)
    client.force_login(street_admin)
    url = reverse("civic:meeting", args=[item.decision.meeting_id])

    assert reverse("civic:action-item-done", args=[item.pk]) in (
        client.get(url).content.decode()
    )
    response = client.post(reverse("civic:action-item-done", args=[item.pk]))

    assert response.status_code == 302
    assert response.url == url
    page = client.get(url).content.decode()
    assert "已完成" in page
    assert reverse("civic:action-item-done", args=[item.pk]) not in page


def test_another_communitys_item_is_not_found(client, street, concern):
    far_compound = CompoundFactory(grid=GridFactory(parent__parent=street))
    far_concern = concern_services.submit_concern(
        compound=far_compound,
        category=category("parking"),
        description="另一个社区的停车问题",
    )
    item = _tea_table_on(far_concern)
    local_staff = staff_with_post(concern.community, username="local_staff")
    client.force_login(local_staff)

    response = client.post(reverse("civic:action-item-done", args=[item.pk]))

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


def test_an_outside_next_address_is_not_followed(client, community_staff, concern):
    item = _tea_table_on(concern)
    client.force_login(community_staff)

    response = client.post(
        reverse("civic:action-item-done", args=[item.pk]),
        {"next": "https://evil.example/"},
    )

    assert response.url == reverse("civic:meeting", args=[item.decision.meeting_id])


def test_marking_twice_keeps_the_first_record(community_staff, street_admin, concern):
    item = _tea_table_on(concern)
    civic_services.complete_action_item(item=item, actor=community_staff, note="一")

    again = civic_services.complete_action_item(item=item, actor=street_admin)

    assert again.done_by == community_staff
    assert again.done_note == "一"


def test_the_service_refuses_a_role_without_the_task(property_manager, concern):
    item = _tea_table_on(concern)

    with pytest.raises(PermissionDenied):
        civic_services.complete_action_item(item=item, actor=property_manager)
    item.refresh_from_db()
    assert item.done_at is None


def test_api_marks_an_item_done_and_lists_open_items(client, community_staff, concern):
    item = _tea_table_on(concern)
    client.force_login(community_staff)

    listed = client.get("/api/v1/action-items/", {"is_open": "true"}).json()
    response = client.post(
        f"/api/v1/action-items/{item.pk}/done/",
        {"note": "已完成"},
        content_type="application/json",
    )

    assert [row["id"] for row in listed["results"]] == [item.pk]
    assert response.status_code == 200
    assert response.json()["done_by"] == community_staff.pk
    assert (
        client.get("/api/v1/action-items/", {"is_open": "true"}).json()["results"] == []
    )

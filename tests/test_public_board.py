from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civic import services as civic_services
from civic.models import Meeting
from civic.services import DecisionInput
from consultations import services
from tests.civic.civic_factories import (
    DisclosureFactory,
    MeetingFactory,
    VisitReportFactory,
)
from tests.consultations.factories import category
from tests.factories import ServiceContractFactory

pytestmark = pytest.mark.django_db


def board(client, compound):
    response = client.get(reverse("compound-board", args=[compound.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_board_shows_published_decisions_and_hides_the_rest(client, compound):
    meeting = MeetingFactory(compound=compound, title="水景花苑联席会议")
    civic_services.close_meeting(
        meeting=meeting,
        minutes="内部纪要不公开",
        attendee_count=10,
        decisions=[
            DecisionInput(text="东侧空地增设充电桩一组", publish=True),
            DecisionInput(text="尚未公开的决定", publish=False),
        ],
    )
    community_meeting = MeetingFactory(
        compound=None, community=compound.community, kind=Meeting.Kind.JOINT_PROPERTY
    )
    civic_services.close_meeting(
        meeting=community_meeting,
        minutes="纪要",
        attendee_count=20,
        decisions=[DecisionInput(text="全社区统一施划停车位", publish=True)],
    )

    page = board(client, compound)

    assert "东侧空地增设充电桩一组" in page
    assert "全社区统一施划停车位" in page
    assert "尚未公开的决定" not in page
    assert "内部纪要不公开" not in page


def test_board_shows_no_personal_data(client, compound, property_manager):
    concern = services.submit_concern(
        compound=compound,
        category=category("parking"),
        description="门口车辆停放杂乱",
        name="王秀兰",
        phone="13912345678",
    )
    meeting = MeetingFactory(compound=compound)
    civic_services.close_meeting(
        meeting=meeting,
        minutes="纪要",
        attendee_count=5,
        decisions=[
            DecisionInput(
                text="规范停车",
                publish=True,
                actions=[
                    civic_services.ActionInput(
                        concern=concern,
                        owner="物业",
                        deadline=timezone.localdate() + timedelta(days=7),
                    )
                ],
            )
        ],
    )
    VisitReportFactory(compound=compound, manager=property_manager)
    company = compound.current_company
    company.contact_person = "李经理"
    company.contact_phone = "13800001111"
    company.save()

    page = board(client, compound)

    assert company.name in page
    for secret in (
        "王秀兰",
        "13912345678",
        concern.tracking_code,
        "李经理",
        "13800001111",
        property_manager.person.name,
        property_manager.person.phone,
    ):
        assert secret not in page


def test_board_links_objections_only_for_open_windows(client, compound):
    today = timezone.localdate()
    open_one = DisclosureFactory(compound=compound, title="维修资金公示")
    closed_one = DisclosureFactory(
        compound=compound,
        title="上季度公共收益",
        published_on=today - timedelta(days=30),
        objection_until=today - timedelta(days=23),
    )
    draft = DisclosureFactory(compound=compound, title="草稿公示", published_on=None)

    page = board(client, compound)

    assert open_one.title in page and closed_one.title in page
    assert draft.title not in page
    assert f"/disclosures/{open_one.pk}/object/" in page
    assert f"/disclosures/{closed_one.pk}/object/" not in page


def test_board_lists_visit_days_held(client, compound):
    VisitReportFactory(
        compound=compound, date=timezone.localdate(), households_visited=37
    )

    page = board(client, compound)

    assert timezone.localdate().strftime("%Y-%m-%d") in page
    assert ">37<" in page


def test_board_shows_the_serving_company_or_says_there_is_none(
    client, compound, other_compound
):
    contract = ServiceContractFactory(compound=compound)

    assert contract.company.name in board(client, compound)
    response = client.get(reverse("compound-board", args=[other_compound.pk]))
    assert response.context["company"] is None
    assert contract.company.name not in response.content.decode()


def test_unknown_compound_board_is_404(client):
    assert client.get(reverse("compound-board", args=[999999])).status_code == 404

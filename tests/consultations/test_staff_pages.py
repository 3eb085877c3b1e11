import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations import services
from consultations.models import Concern, ConcernEvent, ConcernPhoto

from ..factories import CompoundFactory, ServiceContractFactory
from .factories import category
from .images import jpeg_bytes

pytestmark = pytest.mark.django_db
LIST = "/concerns/staff/"


@pytest.fixture
def concern(compound, serving_contract):
    return services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="电梯间垃圾堆放",
        name="赵六",
        phone="13700001111",
    )


def act(client, concern, action, **data):
    return client.post(
        reverse("consultations:act", args=[concern.pk]), {"action": action, **data}
    )


def test_staff_pages_need_a_login(client, concern):
    response = client.get(LIST)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_grid_secretary_lists_and_opens_their_concern(client, concern, grid_secretary):
    client.force_login(grid_secretary)

    listing = client.get(LIST).content.decode()
    detail = client.get(reverse("consultations:staff-detail", args=[concern.pk]))

    assert concern.formatted_code in listing
    assert detail.status_code == 200
    assert "137****1111" in detail.content.decode()


def test_outsider_sees_nothing_of_another_street(client, concern, outsider):
    client.force_login(outsider)

    assert concern.formatted_code not in client.get(LIST).content.decode()
    assert (
        client.get(reverse("consultations:staff-detail", args=[concern.pk])).status_code
        == 404
    )
    assert act(client, concern, "accept").status_code == 404
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.SUBMITTED


def test_staff_accept_and_dispatch_through_the_buttons(
    client, concern, grid_secretary, serving_contract
):
    client.force_login(grid_secretary)

    act(client, concern, "accept", note="已受理")
    response = act(client, concern, "dispatch", to="")

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.DISPATCHED
    assert concern.handler_company == serving_contract.company
    assert (
        ConcernEvent.objects.filter(concern=concern, actor=grid_secretary).count() == 2
    )


def test_an_illegal_button_shows_a_chinese_error_and_changes_nothing(
    client, concern, grid_secretary
):
    client.force_login(grid_secretary)

    response = act(client, concern, "close")
    page = client.get(response["Location"]).content.decode()

    assert "不能" in page
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.SUBMITTED


def test_unknown_action_is_a_bad_request(client, concern, grid_secretary):
    client.force_login(grid_secretary)

    assert act(client, concern, "delete_everything").status_code == 400


def dispatched(concern, actor):
    services.accept(concern=concern, actor=actor)
    return services.dispatch(concern=concern, actor=actor)


def test_manager_handles_a_concern_dispatched_to_the_company(
    client, concern, grid_secretary, property_manager
):
    dispatched(concern, grid_secretary)
    client.force_login(property_manager)

    listing = client.get("/concerns/manager/").content.decode()
    assert concern.category.name in listing
    detail = client.get(reverse("consultations:manager-detail", args=[concern.pk]))
    assert "13700001111" not in detail.content.decode()
    act(client, concern, "sign")
    act(client, concern, "start")
    photo = SimpleUploadedFile("done.jpg", jpeg_bytes(), content_type="image/jpeg")
    act(client, concern, "respond", note="已清理干净", photos=photo)

    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESPONDED
    assert concern.response == "已清理干净"
    assert (
        ConcernPhoto.objects.filter(
            concern=concern, stage=ConcernPhoto.Stage.RESPONSE
        ).count()
        == 1
    )


def test_manager_may_not_use_staff_verbs(
    client, concern, grid_secretary, property_manager
):
    dispatched(concern, grid_secretary)
    client.force_login(property_manager)

    assert act(client, concern, "close").status_code == 403
    assert act(client, concern, "hide", note="x").status_code == 403
    assert client.get(LIST).status_code == 302  # sent to the manager pages


def test_manager_does_not_see_another_companys_concerns(
    client, concern, grid_secretary, property_manager, other_compound
):
    ServiceContractFactory(compound=other_compound)
    other = services.submit_concern(
        compound=other_compound, category=category(), description="别家物业"
    )
    dispatched(other, grid_secretary)
    client.force_login(property_manager)

    assert other.formatted_code not in client.get("/concerns/manager/").content.decode()
    assert (
        client.get(reverse("consultations:manager-detail", args=[other.pk])).status_code
        == 404
    )
    assert act(client, other, "sign").status_code == 404
    assert other not in Concern.objects.visible_to(property_manager)


def test_staff_intake_records_the_source_and_the_actor(
    client, compound, grid_secretary
):
    client.force_login(grid_secretary)

    response = client.post(
        "/concerns/staff/new/",
        {
            "compound": compound.pk,
            "category": category("parking").pk,
            "kind": "help",
            "description": "敲门时听到：楼下车辆堵消防通道",
            "source": "door_knock",
            "urgency": "urgent",
            "phone": "",
        },
    )

    concern = Concern.objects.get()
    assert response.status_code == 302
    assert concern.source == Concern.Source.DOOR_KNOCK
    assert concern.urgency == Concern.Urgency.URGENT
    assert ConcernEvent.objects.get(concern=concern).actor == grid_secretary


def test_staff_intake_refuses_a_compound_outside_the_scope(
    client, grid_secretary, other_compound
):
    client.force_login(grid_secretary)

    response = client.post(
        "/concerns/staff/new/",
        {
            "compound": other_compound.pk,
            "category": category().pk,
            "kind": "help",
            "description": "越权",
            "source": "phone",
            "urgency": "normal",
        },
    )

    assert response.status_code == 400
    assert Concern.objects.count() == 0


def test_duplicates_are_offered_on_accept_and_merged(client, concern, grid_secretary):
    dup = services.submit_concern(
        compound=concern.compound, category=concern.category, description="同样的垃圾"
    )
    client.force_login(grid_secretary)

    page = client.get(
        reverse("consultations:staff-detail", args=[dup.pk])
    ).content.decode()
    assert concern.formatted_code in page
    act(client, dup, "merge", into=concern.pk)

    dup.refresh_from_db()
    assert dup.status == Concern.Status.MERGED
    assert dup.merged_into == concern


def test_fallback_calendar_deadline_warns_staff(client, concern, grid_secretary):
    Concern.objects.filter(pk=concern.pk).update(due_on_fallback_calendar=True)
    client.force_login(grid_secretary)

    page = client.get(reverse("consultations:staff-detail", args=[concern.pk]))

    assert "官方节假日日历尚未覆盖" in page.content.decode()


def test_list_filters_by_unit_and_red_flag(client, concern, street_admin, other_grid):
    elsewhere = services.submit_concern(
        compound=CompoundFactory(grid=other_grid),
        category=category(),
        description="另一网格",
    )
    Concern.objects.filter(pk=elsewhere.pk).update(due_at="2020-01-01T00:00:00+08:00")
    client.force_login(street_admin)

    by_grid = client.get(LIST, {"unit": other_grid.pk}).content.decode()
    red = client.get(LIST, {"alert": "red"}).content.decode()

    assert elsewhere.formatted_code in by_grid
    assert concern.formatted_code not in by_grid
    assert elsewhere.formatted_code in red
    assert concern.formatted_code not in red


def test_keyset_pages_do_not_repeat_or_skip_rows(client, compound, street_admin):
    codes = {
        services.submit_concern(
            compound=compound, category=category(), description=f"第{i}条"
        ).formatted_code
        for i in range(7)
    }
    client.force_login(street_admin)

    seen = []
    url = LIST + "?size=3"
    while url:
        response = client.get(url)
        seen += [c.formatted_code for c in response.context["rows"]]
        url = (
            LIST + response.context["next_url"] if response.context["next_url"] else ""
        )

    assert len(seen) == 7
    assert set(seen) == codes


def test_admin_lists_concerns_and_its_actions_call_the_services(
    client, concern, superuser
):
    client.force_login(superuser)

    listing = client.get("/admin/consultations/concern/")
    client.get(f"/admin/consultations/concern/{concern.pk}/change/")
    response = client.post(
        "/admin/consultations/concern/",
        {"action": "run_accept", "_selected_action": [concern.pk]},
    )

    assert listing.status_code == 200
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ACCEPTED
    assert ConcernEvent.objects.filter(concern=concern, actor=superuser).exists()
    assert client.get("/admin/consultations/calendaroverride/").status_code == 200
    assert client.get("/admin/consultations/notification/").status_code == 200

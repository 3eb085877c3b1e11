"""不在列表中: a concern whose compound was not in the list keeps the place
as typed and its community; staff assign the compound later."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Concern, ConcernEvent
from tests.clients import token_client
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory

from .factories import category

pytestmark = pytest.mark.django_db


def unlisted(community, **kwargs):
    return services.submit_concern(
        compound=None,
        place="老粮站家属院3号楼",
        community=community,
        category=category("sanitation"),
        description="楼下垃圾没人清",
        **kwargs,
    )


def form(compound_pk="", **changes):
    return {
        "compound": compound_pk,
        "category": category("sanitation").pk,
        "kind": "complaint",
        "description": "楼下垃圾没人清",
        **changes,
    }


def test_public_form_stores_the_place_and_community_without_a_compound(
    client, community
):
    response = client.post(
        "/concerns/new/", form(place=" 老粮站家属院 3号楼 ", community=community.pk)
    )

    assert response.status_code == 200
    concern = Concern.objects.get()
    assert concern.compound is None
    assert concern.place == "老粮站家属院 3号楼"
    assert (concern.community, concern.street_id, concern.grid) == (
        community,
        community.parent_id,
        None,
    )
    track = client.get(concern.get_absolute_url()).content.decode()
    assert "老粮站家属院 3号楼（不在列表中）" in track


def test_the_form_offers_not_in_the_list_with_every_community(client, community):
    html = client.get("/concerns/new/").content.decode()
    assert "不在列表中" in html
    assert 'name="place"' in html
    assert f'<option value="{community.pk}">{community.name}</option>' in html


def test_a_place_needs_its_community(client, community):
    response = client.post("/concerns/new/", form(place="老粮站家属院"))

    assert response.status_code == 400
    assert "请选择所在社区。" in response.content.decode()
    assert not Concern.objects.exists()


def test_neither_compound_nor_place_asks_for_the_compound(client):
    response = client.post("/concerns/new/", form())

    assert response.status_code == 400
    assert "请选择您的小区。" in response.content.decode()


def test_a_chosen_compound_wins_over_a_place(client, compound, other_community):
    client.post(
        "/concerns/new/",
        form(compound.pk, place="别处", community=other_community.pk),
    )

    concern = Concern.objects.get()
    assert (concern.compound, concern.place) == (compound, "")
    assert concern.community_id == compound.community_id


def test_submit_refuses_a_place_without_a_community_or_text(community):
    with pytest.raises(ValidationError) as missing_community:
        unlisted(None)
    assert "community" in missing_community.value.message_dict
    with pytest.raises(ValidationError):
        services.submit_concern(
            compound=None,
            place="  ",
            community=community,
            category=category("sanitation"),
            description="x",
        )


def test_community_staff_see_it_flagged_and_grid_staff_do_not(
    client, community, community_staff, grid_secretary
):
    concern = unlisted(community)

    client.force_login(community_staff)
    listing = client.get(reverse("consultations:needing-compound")).content.decode()
    assert concern.formatted_code in listing
    detail = client.get(reverse("consultations:staff-detail", args=[concern.pk]))
    html = detail.content.decode()
    assert "小区待确认" in html
    assert reverse("consultations:assign-compound", args=[concern.pk]) in html
    client.force_login(grid_secretary)
    listing = client.get(reverse("consultations:needing-compound")).content.decode()
    assert concern.formatted_code not in listing


def test_staff_assign_the_compound_and_the_concern_follows_it(
    client, community, compound, community_staff
):
    concern = unlisted(community)
    client.force_login(community_staff)
    page = client.get(reverse("consultations:assign-compound", args=[concern.pk]))
    assert f'<option value="{compound.pk}">{compound.name}</option>' in (
        page.content.decode()
    )

    response = client.post(
        reverse("consultations:assign-compound", args=[concern.pk]),
        {"compound": compound.pk},
    )

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.compound == compound
    assert concern.grid_id == compound.grid_id
    assert concern.place == "老粮站家属院3号楼"  # what the resident said is kept
    event = ConcernEvent.objects.filter(concern=concern).last()
    assert (event.actor, event.is_public) == (community_staff, False)
    assert compound.name in event.note


def test_search_finds_compounds_of_other_communities_of_the_street(
    client, community, other_community, community_staff
):
    concern = unlisted(community)
    elsewhere = CompoundFactory(grid__parent=other_community, name="粮站小区")
    client.force_login(community_staff)
    html = client.get(
        reverse("consultations:assign-compound", args=[concern.pk]), {"q": "粮站"}
    ).content.decode()
    # community staff see only their community's compounds, wherever searched
    assert elsewhere.name not in html


def test_street_office_may_file_it_in_another_community(
    client, community, other_community, street_admin
):
    concern = unlisted(community)
    elsewhere = CompoundFactory(grid__parent=other_community, name="粮站小区")
    client.force_login(street_admin)
    client.post(
        reverse("consultations:assign-compound", args=[concern.pk]),
        {"compound": elsewhere.pk},
    )

    concern.refresh_from_db()
    assert concern.compound == elsewhere
    assert concern.community_id == other_community.pk


def test_a_compound_of_another_street_or_a_second_assignment_is_refused(
    community, compound, street_admin
):
    concern = unlisted(community)
    far = CompoundFactory(grid__parent=CommunityFactory(parent=StreetFactory()))
    with pytest.raises(ValidationError):
        services.assign_compound(concern=concern, compound=far, actor=street_admin)
    services.assign_compound(concern=concern, compound=compound, actor=street_admin)
    with pytest.raises(ValidationError):
        services.assign_compound(concern=concern, compound=compound, actor=street_admin)


def test_the_service_itself_refuses_a_resident_representative(
    community, compound, inspector
):
    concern = unlisted(community)
    with pytest.raises(PermissionDenied):
        services.assign_compound(concern=concern, compound=compound, actor=inspector)
    concern.refresh_from_db()
    assert concern.compound is None


def test_dispatch_waits_for_the_compound_except_to_the_community(
    community, street_admin
):
    concern = unlisted(community)
    services.accept(concern=concern, actor=street_admin)
    with pytest.raises(ValidationError, match="请先确定所属小区"):
        services.dispatch(concern=concern, actor=street_admin, to="company")
    with pytest.raises(ValidationError):
        services.dispatch(concern=concern, actor=street_admin, to="grid")

    services.dispatch(concern=concern, actor=street_admin, to="community")

    concern.refresh_from_db()
    assert concern.handler_unit == community


def test_overdue_sweep_handles_a_concern_without_compound(community):
    concern = unlisted(community)
    Concern.objects.filter(pk=concern.pk).update(
        due_at=timezone.now() - timezone.timedelta(hours=1)
    )

    assert services.sweep_deadlines().reminded == 1


def test_rest_intake_takes_a_place_and_community(street_admin, community):
    api = token_client(street_admin)
    response = api.post(
        "/api/v1/concerns/",
        {
            "place": "老粮站家属院",
            "community": community.pk,
            "category": "sanitation",
            "description": "垃圾没人清",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["place"] == "老粮站家属院"
    assert response.json()["compound"] is None
    missing = api.post(
        "/api/v1/concerns/",
        {"category": "sanitation", "description": "垃圾没人清"},
        format="json",
    )
    assert missing.status_code == 400


def test_open311_shows_the_place_as_its_address(client, community):
    concern = unlisted(community)
    rows = client.get("/open311/v2/requests.json").json()

    [row] = [r for r in rows if r["service_request_id"] == concern.tracking_code]
    assert row["address"] == "老粮站家属院3号楼"
    assert row["address_id"] is None


def test_it_follows_its_community_when_the_community_moves(community):
    concern = unlisted(community)
    new_street = StreetFactory(code="370811013")
    community.parent = new_street
    community.code = "370811013001"
    community.save()

    concern.refresh_from_db()
    assert (concern.street, concern.community, concern.grid) == (
        new_street,
        community,
        None,
    )

"""A description hidden from the public stays readable to the staff who
handle the concern, who can also show it again; the public sees nothing."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import ConcernEvent

from .factories import category

pytestmark = pytest.mark.django_db
ORIGINAL = "3号楼张某某天天在楼道骂人"


@pytest.fixture
def hidden(compound, serving_contract, community_staff):
    concern = services.submit_concern(
        compound=compound, category=category("sanitation"), description=ORIGINAL
    )
    services.accept(concern=concern, actor=community_staff)
    services.dispatch(concern=concern, actor=community_staff, to="company")
    return services.hide(concern=concern, actor=community_staff, note="含他人姓名")


def page_of(client, user, concern):
    client.force_login(user)
    return client.get(
        reverse("consultations:staff-detail", args=[concern.pk]), follow=True
    ).content.decode()


@pytest.mark.parametrize("who", ["community_staff", "grid_secretary", "street_admin"])
def test_the_handling_staff_read_the_hidden_original(client, hidden, who, request):
    page = page_of(client, request.getfixturevalue(who), hidden)

    assert ORIGINAL in page
    assert "含他人姓名" in page


def test_the_company_and_the_public_do_not(client, hidden, property_manager):
    assert ORIGINAL not in page_of(client, property_manager, hidden)
    client.logout()
    public = client.get(hidden.get_absolute_url()).content.decode()
    assert ORIGINAL not in public


def test_community_staff_show_it_again_and_an_event_says_so(
    client, hidden, community_staff
):
    client.force_login(community_staff)
    page = client.get(reverse("consultations:staff-detail", args=[hidden.pk]))
    assert "恢复公开描述" in page.content.decode()

    response = client.post(
        reverse("consultations:act", args=[hidden.pk]),
        {"action": "unhide", "note": "已核实，不含隐私"},
    )

    assert response.status_code == 302
    hidden.refresh_from_db()
    assert not hidden.is_hidden
    event = ConcernEvent.objects.get(concern=hidden, action="unhide")
    assert event.actor == community_staff
    assert event.note == "已核实，不含隐私"
    assert not event.is_public
    client.logout()
    assert ORIGINAL in client.get(hidden.get_absolute_url()).content.decode()


def test_the_company_cannot_show_it_again(client, hidden, property_manager):
    client.force_login(property_manager)

    response = client.post(
        reverse("consultations:act", args=[hidden.pk]), {"action": "unhide"}
    )

    assert response.status_code == 403
    hidden.refresh_from_db()
    assert hidden.is_hidden

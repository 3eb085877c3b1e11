"""The handler of a dispatched concern calls the resident back: the number
shows with a tel: link on the handling page once revealed, each reveal one
audit entry; outside the handler's reach it stays hidden."""

import pytest
from django.urls import reverse

from consultations import services
from org.models import AuditEvent
from tests.factories import (
    CompanyStaffFactory,
    PersonFactory,
    PropertyCompanyFactory,
    UserFactory,
)

from .factories import category

pytestmark = pytest.mark.django_db

PHONE = "13700001111"
TEL = 'href="tel:+8613700001111"'


@pytest.fixture
def submitted(compound, serving_contract):
    return services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="楼顶漏水",
        phone=PHONE,
    )


def _reveals():
    return AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL_PHONE)


def test_the_grid_handling_the_concern_calls_back(
    client, submitted, community_staff, grid_secretary
):
    services.accept(concern=submitted, actor=community_staff)
    services.dispatch(concern=submitted, actor=community_staff, to="grid")
    client.force_login(grid_secretary)

    page = client.get(reverse("consultations:staff-detail", args=[submitted.pk]))
    revealed = client.post(
        reverse("consultations:reveal-phone", args=[submitted.pk]), follow=True
    )

    assert TEL not in page.content.decode()
    assert TEL in revealed.content.decode()
    event = _reveals().get()
    assert event.actor == grid_secretary
    assert submitted.formatted_code in event.detail


def test_a_reveal_is_recorded_once_while_the_number_is_shown(
    client, submitted, community_staff, property_manager
):
    services.accept(concern=submitted, actor=community_staff)
    services.dispatch(concern=submitted, actor=community_staff, to="company")
    client.force_login(property_manager)
    url = reverse("consultations:reveal-phone", args=[submitted.pk])

    assert TEL in client.post(url, follow=True).content.decode()
    # A second tap (or a reload) while the number is shown logs nothing more.
    assert TEL in client.post(url, follow=True).content.decode()

    assert _reveals().filter(actor=property_manager).count() == 1


def test_another_company_cannot_call_back(client, submitted, community_staff):
    services.accept(concern=submitted, actor=community_staff)
    services.dispatch(concern=submitted, actor=community_staff, to="company")
    other = CompanyStaffFactory(
        company=PropertyCompanyFactory(registered_with=submitted.street),
        person=PersonFactory(unit=submitted.compound.grid),
    )
    stranger = UserFactory(person=other.person, username="other_manager")
    client.force_login(stranger)

    detail = client.get(reverse("consultations:manager-detail", args=[submitted.pk]))
    reveal = client.post(reverse("consultations:reveal-phone", args=[submitted.pk]))

    assert detail.status_code == 404
    assert reveal.status_code == 404
    assert not _reveals().exists()


def test_a_resident_representative_cannot_call_back(
    client, submitted, community_staff, inspector
):
    services.accept(concern=submitted, actor=community_staff)
    services.dispatch(concern=submitted, actor=community_staff, to="company")
    client.force_login(inspector)

    reveal = client.post(reverse("consultations:reveal-phone", args=[submitted.pk]))

    assert reveal.status_code in (403, 404)
    assert PHONE not in reveal.content.decode()
    assert not _reveals().exists()

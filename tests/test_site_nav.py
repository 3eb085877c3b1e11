"""The top navigation: residents' links for residents, staff's for staff."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav(response) -> str:
    html = response.content.decode()
    return html[html.index('class="site-nav"') : html.index("</nav>")]


def test_a_signed_in_clerk_on_a_score_page_is_led_back_to_their_pages(
    client, street_admin
):
    client.force_login(street_admin)

    links = nav(client.get(reverse("assessments:ranking")))

    assert reverse("my-tasks") in links and reverse("admin:index") in links
    assert "/concerns/new/" not in links


def test_a_resident_sees_the_form_and_tracking(client):
    links = nav(client.get(reverse("home")))

    assert "/concerns/new/" in links and "#track" in links
    assert reverse("my-tasks") not in links

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_index_links_every_staff_page(client, street_admin):
    client.force_login(street_admin)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    for name in [
        "consultations:staff-list",
        "consultations:staff-rates",
        "consultations:needing-compound",
        "compounds:posters",
        "civic:visit-day",
        "civic:meetings",
        "assessments:inspections",
        "assessments:ranking",
        "assessments:exits",
    ]:
        assert f'href="{reverse(name)}"' in html, name
    assert "工作台" in html

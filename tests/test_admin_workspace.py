import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def index(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.content.decode()


def test_admin_index_links_every_staff_page(client, street_admin):
    html = index(client, street_admin)

    for name in [
        "my-tasks",
        "consultations:staff-list",
        "consultations:staff-rates",
        "consultations:needing-compound",
        "compounds:posters",
        "civic:visit-day",
        "civic:meetings",
        "assessments:inspections",
        "assessments:ranking",
        "assessments:rewards",
        "assessments:exits",
        "admin:compounds_reports",
        "ledger-jobs",
    ]:
        assert f'href="{reverse(name)}"' in html, name
    assert "工作台" in html
    assert "我的待办" in html
    assert "统计报表" in html


def test_the_company_workspace_leaves_out_the_office_pages(client, property_manager):
    html = index(client, property_manager)

    assert f'href="{reverse("consultations:manager-list")}"' in html
    for name in [
        "consultations:staff-list",
        "consultations:staff-create",
        "civic:visit-missing",
        "assessments:inspections",
        "assessments:plans",
        "assessments:rewards",
    ]:
        assert f'href="{reverse(name)}"' not in html, name

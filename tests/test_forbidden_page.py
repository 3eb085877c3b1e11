"""A signed-in user without a right gets a clear Chinese page, not "403 Forbidden"."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_admin_page_without_the_right_answers_the_chinese_page(
    client, community_staff
):
    client.force_login(community_staff)

    response = client.get("/admin/auth/group/add/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "您无权进行此操作" in page
    assert "Forbidden" not in page


def test_a_refusal_with_a_reason_shows_the_reason(client, property_manager):
    client.force_login(property_manager)

    response = client.get("/meetings/new/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "“安排会议及议程”由以下岗位办理" in page

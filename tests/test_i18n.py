"""The portal speaks Simplified Chinese by default and English on request."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_home_is_in_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "济阳街道红色物业" in page
    assert "提交诉求" in page


def test_language_switch_turns_the_home_page_english(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, follow=True
    )

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert "Jiyang Red Property Portal" in page
    assert "Submit a concern" in page
    assert "提交诉求" not in page


def test_language_switch_back_to_chinese(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert "济阳街道红色物业" in client.get("/").content.decode()


def test_header_offers_both_languages(client):
    page = client.get("/").content.decode()

    assert f'action="{reverse("set_language")}"' in page
    assert 'value="zh-hans"' in page
    assert 'value="en"' in page
    # Each language is offered under its own name.
    assert ">简体中文</button>" in page
    assert ">English</button>" in page


def test_project_catalogue_is_compiled():
    with translation.override("zh-hans"):
        assert translation.gettext("Jiyang Red Property Portal") == "济阳街道红色物业"
        assert (
            translation.gettext("Jiyang Red Property Management Platform")
            == "济阳街道红色物业管理平台"
        )


def test_admin_login_carries_the_street_branding(client):
    page = client.get("/admin/login/").content.decode()

    assert "济阳街道红色物业管理平台" in page
    assert 'value="en"' in page

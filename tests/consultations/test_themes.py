"""Themes: seeded with the article's, set by staff on a concern's page,
refused to roles without the task and outside the scope."""

import pytest
from django.urls import reverse

from consultations.models import Theme

from .factories import ConcernFactory

pytestmark = pytest.mark.django_db

ARTICLE_THEMES = ["外墙保温", "小区封闭", "车辆停放", "卫生提升"]


@pytest.fixture
def concern(compound):
    return ConcernFactory(compound=compound)


def themes_url(concern):
    return reverse("consultations:themes", args=[concern.pk])


def test_the_article_themes_are_seeded_in_order():
    names = list(Theme.objects.active().values_list("name", flat=True))

    assert names[:4] == ARTICLE_THEMES


def test_grid_secretary_tags_a_concern_and_sees_it_on_the_page(
    client, concern, grid_secretary
):
    parking, hygiene = Theme.objects.filter(name__in=["车辆停放", "卫生提升"])
    client.force_login(grid_secretary)

    response = client.post(themes_url(concern), {"themes": [parking.pk, hygiene.pk]})
    page = client.get(reverse("consultations:staff-detail", args=[concern.pk]))

    assert response.status_code == 302
    assert set(concern.themes.all()) == {parking, hygiene}
    assert "保存主题" in page.content.decode()


def test_posting_no_theme_clears_them(client, concern, community_staff):
    concern.themes.set(Theme.objects.all()[:2])
    client.force_login(community_staff)

    client.post(themes_url(concern), {})

    assert not concern.themes.exists()


def test_an_unknown_theme_is_refused_in_chinese_without_change(
    client, concern, grid_secretary
):
    client.force_login(grid_secretary)

    response = client.post(themes_url(concern), {"themes": ["99999"]}, follow=True)

    assert response.status_code == 200
    assert not concern.themes.exists()
    assert "99999 不在可用的选项中" in response.content.decode()


def test_company_staff_may_not_tag(client, concern, property_manager):
    client.force_login(property_manager)

    response = client.post(themes_url(concern), {"themes": [Theme.objects.first().pk]})

    assert response.status_code == 403
    assert not concern.themes.exists()


def test_outsider_cannot_tag_a_concern_of_another_street(client, concern, outsider):
    client.force_login(outsider)

    response = client.post(themes_url(concern), {"themes": [Theme.objects.first().pk]})

    assert response.status_code == 404
    assert not concern.themes.exists()

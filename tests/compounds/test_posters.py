"""扫码说事 posters: each compound's A4 poster with a QR code to the form."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import CompoundFactory
from tests.qr import qr_says, svgs_in

pytestmark = pytest.mark.django_db

BASE = "https://wy.example.gov.cn"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE


def test_compound_poster_code_opens_the_form_with_the_compound_chosen(
    client, community_staff, compound
):
    client.force_login(community_staff)
    response = client.get(reverse("compounds:poster", args=[compound.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert compound.name in html
    [svg] = svgs_in(html)
    form_url = f"{BASE}/concerns/new/?compound={compound.pk}"
    assert qr_says(svg, form_url)
    # Follow the code, as a resident's phone would (no login).
    client.logout()
    form = client.get(form_url.removeprefix(BASE)).content.decode()
    assert re.search(
        rf'<option value="{compound.pk}" selected>{compound.name}</option>', form
    )


def test_poster_says_how_to_use_it_in_chinese(client, community_staff, compound):
    client.force_login(community_staff)
    html = client.get(reverse("compounds:poster", args=[compound.pk])).content
    html = html.decode()
    assert "扫码说事" in html
    assert "不用注册" in html or "无需注册" in html


def test_poster_without_base_url_uses_the_host_asked(
    client, settings, community_staff, compound
):
    settings.PORTAL_BASE_URL = ""
    client.force_login(community_staff)
    html = client.get(reverse("compounds:poster", args=[compound.pk])).content
    [svg] = svgs_in(html.decode())
    assert qr_says(svg, f"http://testserver/concerns/new/?compound={compound.pk}")


def test_community_print_page_has_one_a4_poster_per_compound(
    client, community_staff, community, compound, other_compound, other_community
):
    elsewhere = CompoundFactory(grid__parent=other_community)
    client.force_login(community_staff)
    response = client.get(reverse("compounds:community-posters", args=[community.pk]))

    html = response.content.decode()
    assert html.count('<article class="poster"') == 2
    urls = {f"{BASE}/concerns/new/?compound={c.pk}" for c in (compound, other_compound)}
    said = {url for svg in svgs_in(html) for url in urls if qr_says(svg, url)}
    assert said == urls
    assert elsewhere.name not in html
    assert "compounds/posters.css" in html


def test_poster_css_prints_each_poster_on_its_own_a4_page():
    css = Path(finders.find("compounds/posters.css")).read_text(encoding="utf-8")
    assert "size: A4" in css
    assert "break-after: page" in css


def test_grid_secretary_prints_only_the_compounds_of_the_grid(
    client, grid_secretary, community, compound, other_compound
):
    client.force_login(grid_secretary)
    html = client.get(
        reverse("compounds:community-posters", args=[community.pk])
    ).content.decode()
    assert compound.name in html
    assert other_compound.name not in html
    assert (
        client.get(reverse("compounds:poster", args=[other_compound.pk])).status_code
        == 404
    )


def test_poster_of_another_community_is_not_found(
    client, community_staff, other_community
):
    elsewhere = CompoundFactory(grid__parent=other_community)
    client.force_login(community_staff)
    assert (
        client.get(reverse("compounds:poster", args=[elsewhere.pk])).status_code == 404
    )
    assert (
        client.get(
            reverse("compounds:community-posters", args=[other_community.pk])
        ).status_code
        == 404
    )


def test_index_lists_the_user_compounds_by_community(
    client, community_staff, community, compound
):
    client.force_login(community_staff)
    html = client.get(reverse("compounds:posters")).content.decode()
    assert community.name in html
    assert reverse("compounds:poster", args=[compound.pk]) in html
    assert reverse("compounds:community-posters", args=[community.pk]) in html


def test_resident_representative_is_refused_in_chinese(client, inspector, compound):
    client.force_login(inspector)
    response = client.get(reverse("compounds:poster", args=[compound.pk]))
    assert response.status_code == 403
    assert "打印" in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client, compound):
    response = client.get(reverse("compounds:poster", args=[compound.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]

"""The public form's compound select holds only the chosen compound (and a
search's matches), yet any real compound validates; `?q=` is the search
without JavaScript."""

import re

import pytest

from compounds.models import Compound
from consultations.models import Concern
from tests.factories import CompoundFactory

from .factories import category

pytestmark = pytest.mark.django_db

NEW = "/concerns/new/"


def compound_options(html):
    select = re.search(r'<select name="compound".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select)


def test_the_form_stays_small_with_two_thousand_compounds(client, grid):
    Compound.objects.bulk_create(
        CompoundFactory.build(
            grid=grid,
            community=grid.parent,
            street=grid.parent.parent,
            name=f"测试家园{i:04d}",
        )
        for i in range(2000)
    )

    response = client.get(NEW)

    assert response.status_code == 200
    assert len(response.content) < 50_000
    assert compound_options(response.content.decode()) == [("", "请选择您的小区")]


def test_the_initial_compound_is_the_only_option(client, compound, other_compound):
    html = client.get(f"{NEW}?compound={compound.pk}").content.decode()

    assert compound_options(html) == [
        ("", "请选择您的小区"),
        (str(compound.pk), "水景花苑"),
    ]
    assert re.search(rf'<option value="{compound.pk}" selected>', html)


def test_any_compound_validates_though_it_was_not_listed(
    client, compound, other_compound
):
    response = client.post(
        NEW,
        {
            "compound": other_compound.pk,
            "category": category().pk,
            "kind": "complaint",
            "description": "路灯不亮",
        },
    )

    assert response.status_code == 200
    assert Concern.objects.get().compound == other_compound


def test_a_refused_post_keeps_the_posted_compound_as_the_option(
    client, compound, other_compound
):
    response = client.post(
        NEW, {"compound": other_compound.pk, "category": category().pk}
    )

    assert response.status_code == 400
    options = compound_options(response.content.decode())
    assert options == [("", "请选择您的小区"), (str(other_compound.pk), "运河小区")]


def test_a_search_without_javascript_lists_the_matches(client, grid, compound):
    CompoundFactory(grid=grid, name="水景华庭")
    CompoundFactory(grid=grid, name="阳光丽景")

    html = client.get(NEW, {"q": "水景"}).content.decode()

    names = [name for _, name in compound_options(html)]
    assert names == ["请选择您的小区", "水景华庭", "水景花苑"]
    assert 'name="q"' in html and 'value="水景"' in html


def test_a_search_with_one_match_chooses_it(client, compound):
    html = client.get(NEW, {"q": "景花"}).content.decode()

    assert re.search(rf'<option value="{compound.pk}" selected>', html)


def test_a_search_without_a_match_says_so(client, compound):
    response = client.get(NEW, {"q": "不存在的小区"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "没有找到该小区" in html
    assert compound_options(html) == [("", "请选择您的小区")]


def test_a_search_with_a_nul_is_ignored(client, compound):
    response = client.get(NEW, {"q": "水景\x00"})

    assert response.status_code == 200

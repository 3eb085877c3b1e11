from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments.default_scheme import DEFAULT_SCHEME_NAME, ensure_default_scheme
from assessments.models import AssessmentScheme, SchemeItem

from .factories import cadre, submitted_inspection

pytestmark = pytest.mark.django_db

D = Decimal


def test_default_scheme_has_seven_categories_worth_one_hundred_points():
    scheme = ensure_default_scheme()
    categories = {c.code: c.max_points for c in scheme.categories.all()}
    assert categories == {
        "A": D("10"),
        "B": D("15"),
        "C": D("25"),
        "D": D("15"),
        "E": D("15"),
        "F": D("5"),
        "G": D("15"),
    }
    for category in scheme.categories.all():
        assert sum(i.max_points for i in category.items.all()) == category.max_points
    c4 = scheme.items().get(code="C4")
    assert (c4.max_points, c4.deduction) == (D("4"), D("0.5"))
    assert scheme.items().get(code="G1").is_satisfaction_poll
    assert list(scheme.vetoes.values_list("name_en", flat=True)) == [
        "Major safety incident"
    ]
    assert [(p.rank, p.title, p.amount) for p in scheme.prizes.all()] == [
        (1, "一等奖", D("5000")),
        (2, "二等奖", D("3000")),
        (3, "三等奖", D("2000")),
    ]
    assert scheme.quarterly_bonus_cap == D("5")
    terms = scheme.quarter_term_rules()
    assert (scheme.bottom_n, scheme.consecutive_k) == (3, 3)
    assert [scheme.weight_inspection, *(w for w, _n, _r in terms.values())] == [
        D("0.60"),
        D("0.20"),
        D("0.10"),
        D("0.05"),
        D("0.05"),
    ]
    # the poll counts once, as item G1; ratings make the satisfaction term
    assert scheme.poll_role == "item"
    assert {rule for _w, _n, rule in terms.values()} == {"neutral"}


def test_ensure_default_scheme_is_idempotent():
    first = ensure_default_scheme()
    again = ensure_default_scheme()
    assert first.pk == again.pk
    assert AssessmentScheme.objects.filter(name=DEFAULT_SCHEME_NAME).count() == 1


def test_in_force_picks_the_latest_version_started_by_the_date():
    v1 = ensure_default_scheme()
    v2 = v1.new_version(date(2026, 7, 1))
    assert AssessmentScheme.objects.in_force(date(2026, 6, 30)) == v1
    assert AssessmentScheme.objects.in_force(date(2026, 7, 1)) == v2
    assert AssessmentScheme.objects.in_force(date(2021, 1, 1)) is None


def test_new_version_clones_categories_items_vetoes_and_prizes():
    v1 = ensure_default_scheme()
    v2 = v1.new_version(date(2026, 7, 1))
    assert v2.version == 2
    assert v2.name == v1.name
    assert v2.items().count() == v1.items().count() == 25
    assert v2.vetoes.count() == 1
    assert v2.prizes.count() == 3
    assert (
        not SchemeItem.objects.filter(category__scheme=v2)
        .filter(pk__in=v1.items().values("pk"))
        .exists()
    )


def test_new_version_must_start_after_the_latest(street):
    v1 = ensure_default_scheme()
    with pytest.raises(ValidationError):
        v1.new_version(v1.valid_from)


def test_scheme_in_use_refuses_edits(compound, street):
    scheme = ensure_default_scheme()
    submitted_inspection(compound, cadre(street))
    scheme.refresh_from_db()
    assert scheme.is_in_use
    scheme.bottom_n = 5
    with pytest.raises(ValidationError):
        scheme.save()
    item = scheme.items().get(code="A1")
    item.max_points = D("4")
    with pytest.raises(ValidationError):
        item.save()
    with pytest.raises(ValidationError):
        scheme.vetoes.first().delete()
    scheme.refresh_from_db()
    assert scheme.bottom_n == 3
    assert scheme.items().get(code="A1").max_points == D("3")


def test_old_inspections_keep_their_version(compound, street):
    v1 = ensure_default_scheme()
    inspector = cadre(street)
    old = submitted_inspection(compound, inspector, on=date(2026, 5, 10))
    v2 = v1.new_version(date(2026, 6, 1))
    new = submitted_inspection(compound, inspector, on=date(2026, 6, 10))
    old.refresh_from_db()
    assert old.scheme == v1
    assert new.scheme == v2
    assert set(old.results.values_list("item__category__scheme", flat=True)) == {v1.pk}


def test_admin_shows_a_scheme_in_use_read_only(client, superuser, compound, street):
    scheme = ensure_default_scheme()
    submitted_inspection(compound, cadre(street))
    client.force_login(superuser)
    url = f"/admin/assessments/assessmentscheme/{scheme.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    client.post(url, {"name": "改名", "version": 1, "valid_from": "2022-01-01"})
    scheme.refresh_from_db()
    assert scheme.name == DEFAULT_SCHEME_NAME


def test_admin_action_creates_a_new_version_from_a_date(client, superuser):
    scheme = ensure_default_scheme()
    client.force_login(superuser)
    response = client.post(
        "/admin/assessments/assessmentscheme/",
        {
            "action": "new_version_from_date",
            "_selected_action": [scheme.pk],
            "valid_from": "2027-01-01",
        },
    )
    assert response.status_code == 302
    clone = AssessmentScheme.objects.get(name=scheme.name, version=2)
    assert clone.valid_from == date(2027, 1, 1)

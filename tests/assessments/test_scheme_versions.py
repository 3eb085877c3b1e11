"""The street office keeps new scheme versions; published periods stay put."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.default_scheme import ensure_default_scheme
from assessments.models import MonthlyCompoundScore, QuarterlyRanking
from common.periods import Month, Quarter
from tests.factories import PropertyCompanyFactory

pytestmark = pytest.mark.django_db

D = Decimal


def ranked_last_quarter(street):
    quarter = Quarter.current().previous()
    return QuarterlyRanking.objects.create(
        company=PropertyCompanyFactory(registered_with=street),
        street=street,
        quarter=str(quarter),
        quarter_start=quarter.start,
        scheme=ensure_default_scheme(),
        inspection_average=D("90"),
        score=D("90"),
        rank=1,
    )


def test_back_dating_a_version_into_a_ranked_quarter_is_refused(street):
    ranking = ranked_last_quarter(street)
    scheme = ranking.scheme
    inside = Quarter.current().previous().start + timedelta(days=10)

    with pytest.raises(ValidationError) as refused:
        scheme.new_version(inside)

    assert "已按当时施行的版本公布" in " ".join(refused.value.messages)
    assert scheme.__class__.objects.filter(name=scheme.name).count() == 1


def test_back_dating_into_a_scored_month_is_refused(compound):
    scheme = ensure_default_scheme()
    month = Month.current().previous()
    MonthlyCompoundScore.objects.create(
        compound=compound,
        month=month.start,
        street=compound.street,
        community=compound.community,
        grid=compound.grid,
        score=D("90"),
    )
    with pytest.raises(ValidationError):
        scheme.new_version(month.start + timedelta(days=3))
    assert scheme.new_version(month.last_day + timedelta(days=1)).version == 2


def test_a_version_that_ranked_a_quarter_is_frozen(street):
    scheme = ranked_last_quarter(street).scheme
    assert scheme.is_in_use
    scheme.weight_inspection = D("0.5")
    with pytest.raises(ValidationError):
        scheme.save()
    with pytest.raises(ValidationError):
        scheme.prizes.first().delete()


def test_weights_must_add_up_to_one():
    draft = ensure_default_scheme().new_version(timezone.localdate() + timedelta(1))
    draft.weight_satisfaction = D("0.40")
    with pytest.raises(ValidationError) as refused:
        draft.full_clean()
    assert "必须等于 1.00" in " ".join(refused.value.messages)


def test_moving_a_draft_start_into_a_ranked_quarter_is_refused(street):
    ranked_last_quarter(street)
    draft = ensure_default_scheme().new_version(timezone.localdate() + timedelta(1))
    draft.valid_from = Quarter.current().previous().start
    with pytest.raises(ValidationError):
        draft.full_clean()


def test_street_office_edits_a_draft_versions_items_vetoes_and_prizes(
    client, street_admin
):
    draft = ensure_default_scheme().new_version(timezone.localdate() + timedelta(1))
    category = draft.categories.get(code="C")
    client.force_login(street_admin)

    scheme_page = client.get(
        reverse("admin:assessments_assessmentscheme_change", args=[draft.pk])
    ).content.decode()
    category_page = client.get(
        reverse("admin:assessments_schemecategory_change", args=[category.pk])
    ).content.decode()

    assert 'name="vetoes-0-name"' in scheme_page
    assert 'name="prizes-0-amount"' in scheme_page
    assert 'name="weight_inspection"' in scheme_page
    assert 'name="items-0-deduction"' in category_page


def test_street_office_reads_but_cannot_change_the_version_in_force(
    client, street_admin, street
):
    scheme = ranked_last_quarter(street).scheme
    client.force_login(street_admin)
    url = reverse("admin:assessments_assessmentscheme_change", args=[scheme.pk])

    page = client.get(url)

    assert page.status_code == 200
    assert 'name="weight_inspection"' not in page.content.decode()
    assert client.post(url, {"name": "改名"}).status_code == 403

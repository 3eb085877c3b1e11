"""Schemes, inspection filing, scores and rankings through the REST API."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import (
    Inspection,
    MonthlyCompoundScore,
    QuarterlyRanking,
)
from tests.assessments.factories import (
    Role,
    cadre,
    default_scheme,
    resident_rep,
    submitted_inspection,
)
from tests.clients import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def filing(compound, inspector, **extra):
    return {
        "compound": compound.pk,
        "date": timezone.localdate().isoformat(),
        "panel": [
            {"person": inspector.person.pk, "role": Role.CADRE},
            {"person": resident_rep(compound.street).pk, "role": Role.RESIDENT_REP},
        ],
        "satisfied": 10,
        "basically_satisfied": 0,
        "dissatisfied": 0,
        "items": [{"item": "A1", "occurrences": 2, "note": "无党员公示"}],
        **extra,
    }


def test_the_scheme_is_public_with_its_items(anon):
    default_scheme()

    response = anon.get(f"{API}/schemes/")

    assert response.status_code == 200
    scheme = response.json()["results"][0]
    assert [c["code"] for c in scheme["categories"]][:2] == ["A", "B"]
    assert scheme["categories"][0]["items"][0]["code"] == "A1"
    assert scheme["vetoes"][0]["code"] == "V1"


def test_an_inspector_files_and_submits_an_inspection(compound, street):
    inspector = cadre(street)
    default_scheme()

    response = token_client(inspector).post(
        f"{API}/inspections/", filing(compound, inspector), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    inspection = Inspection.objects.get(pk=body["id"])
    assert inspection.status == Inspection.Status.SUBMITTED
    assert inspection.score == Decimal("97.00")
    assert body["score"] == "97.00"
    a1 = next(r for r in body["results"] if r["item"] == "A1")
    assert a1["occurrences"] == 2


def test_a_draft_can_be_filed_and_submitted_later(compound, street):
    inspector = cadre(street)
    default_scheme()
    client = token_client(inspector)

    draft = client.post(
        f"{API}/inspections/", filing(compound, inspector, submit=False), format="json"
    )
    submitted = client.post(f"{API}/inspections/{draft.json()['id']}/submit/")

    assert draft.json()["status"] == "draft"
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"


def test_a_refused_filing_changes_nothing(compound, street):
    inspector = cadre(street)
    default_scheme()

    response = token_client(inspector).post(
        f"{API}/inspections/",
        filing(
            compound,
            inspector,
            items=[{"item": "A1", "occurrences": 1}],
            panel=[{"person": inspector.person.pk, "role": Role.CADRE}],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert not Inspection.objects.exists()


def test_company_staff_cannot_file_an_inspection(compound, property_manager, street):
    default_scheme()

    response = token_client(property_manager).post(
        f"{API}/inspections/", filing(compound, cadre(street)), format="json"
    )

    assert response.status_code in (400, 403)
    assert not Inspection.objects.exists()


def test_an_amendment_opens_version_two(compound, street):
    inspector = cadre(street)
    original = submitted_inspection(compound, inspector)

    response = token_client(inspector).post(
        f"{API}/inspections/{original.pk}/amend/", {"reason": "漏记一项"}
    )

    assert response.status_code == 201
    assert response.json()["version"] == 2
    assert response.json()["supersedes"] == original.pk


def test_inspections_filter_by_month_and_subtree(
    compound, other_compound, street, grid
):
    inspector = cadre(street)
    mine = submitted_inspection(compound, inspector)
    submitted_inspection(other_compound, inspector)
    month = timezone.localdate().strftime("%Y-%m")

    client = token_client(inspector)

    assert ids(client.get(f"{API}/inspections/", {"subtree": grid.pk})) == {mine.pk}
    assert len(ids(client.get(f"{API}/inspections/", {"month": month}))) == 2
    assert ids(client.get(f"{API}/inspections/", {"month": "2001-01"})) == set()


def test_a_grid_token_reads_its_grids_scores_only(
    grid_secretary, compound, other_compound
):
    month = date(2026, 9, 1)
    for c in (compound, other_compound):
        MonthlyCompoundScore.objects.create(
            compound=c,
            month=month,
            street=c.street,
            community=c.community,
            grid=c.grid,
            score=Decimal("90.5"),
        )

    body = (
        token_client(grid_secretary)
        .get(f"{API}/compound-scores/", {"quarter": "2026Q3"})
        .json()
    )

    assert [row["compound"] for row in body["results"]] == [compound.pk]
    assert "count" not in body


def test_rankings_are_public_without_the_working_figures(
    anon, street, serving_contract
):
    scheme = default_scheme()
    ranked = QuarterlyRanking.objects.create(
        company=serving_contract.company,
        street=street,
        quarter="2026Q3",
        quarter_start=date(2026, 7, 1),
        scheme=scheme,
        inspection_average=Decimal("91.00"),
        satisfaction=Decimal("95.00"),
        score=Decimal("92.10"),
        rank=1,
        ranked_count=1,
    )

    response = anon.get(f"{API}/rankings/", {"quarter": "2026Q3"})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == ranked.pk
    assert row["rank"] == 1
    assert row["company_name"] == serving_contract.company.name
    assert "is_bottom" not in row


def test_rewards_and_exit_cases_need_a_token(anon):
    assert anon.get(f"{API}/rewards/").status_code == 401
    assert anon.get(f"{API}/exit-cases/").status_code == 401

"""Visit reports, meetings and disclosures through the REST API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civic.models import VisitNeed, VisitReport
from tests.civic.civic_factories import (
    DisclosureFactory,
    MeetingFactory,
    VisitReportFactory,
)
from tests.clients import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_manager_files_a_visit_report_through_the_service(property_manager, compound):
    response = token_client(property_manager).post(
        f"{API}/visit-reports/",
        {
            "compound": compound.pk,
            "date": timezone.localdate().isoformat(),
            "households_visited": 12,
            "notes": "走访3号楼",
            "needs": ["楼道灯不亮", "希望增设车棚"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    report = VisitReport.objects.get(pk=response.json()["id"])
    assert report.manager == property_manager
    assert report.company_id is not None
    assert VisitNeed.objects.filter(report=report).count() == 2
    assert len(response.json()["needs"]) == 2


def test_a_refused_visit_report_is_a_400_and_stores_nothing(property_manager, compound):
    response = token_client(property_manager).post(
        f"{API}/visit-reports/",
        {
            "compound": compound.pk,
            "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "households_visited": 12,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 400
    assert "date" in response.json()["fields"]
    assert not VisitReport.objects.exists()


def test_a_manager_cannot_report_on_a_compound_it_does_not_serve(
    property_manager, other_compound
):
    response = token_client(property_manager).post(
        f"{API}/visit-reports/",
        {
            "compound": other_compound.pk,
            "date": timezone.localdate().isoformat(),
            "households_visited": 1,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "compound" in response.json()["fields"]


def test_visit_reports_filter_by_month(community_staff, compound, other_compound):
    this_month = VisitReportFactory(compound=compound)
    VisitReportFactory(
        compound=other_compound, date=timezone.localdate() - timedelta(days=70)
    )
    month = timezone.localdate().strftime("%Y-%m")

    found = ids(
        token_client(community_staff).get(f"{API}/visit-reports/", {"month": month})
    )

    assert found == {this_month.pk}


def test_meetings_are_scoped_and_carry_their_agenda(
    grid_secretary, compound, other_compound
):
    mine = MeetingFactory(compound=compound)
    mine.agenda_items.create(title="车棚改造", order=1)
    MeetingFactory(compound=other_compound)

    body = token_client(grid_secretary).get(f"{API}/meetings/").json()

    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["agenda"][0]["title"] == "车棚改造"


def test_anonymous_callers_read_published_disclosures_only(anon, compound):
    published = DisclosureFactory(compound=compound)
    DisclosureFactory(compound=compound, published_on=None)

    response = anon.get(f"{API}/disclosures/", {"compound": compound.pk})

    assert ids(response) == {published.pk}
    assert "created_at" not in response.json()["results"][0]


def test_staff_see_unpublished_disclosures_in_scope(grid_secretary, compound):
    draft = DisclosureFactory(compound=compound, published_on=None)

    assert draft.pk in ids(token_client(grid_secretary).get(f"{API}/disclosures/"))

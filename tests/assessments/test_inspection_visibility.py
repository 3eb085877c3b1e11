"""Who sees which inspection: a representative the ones it sat on; the
company the deductions behind its notices, without the panel's names."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Inspection, RectificationNotice
from assessments.services.inspections import raise_rectification
from tests.factories import ServiceContractFactory

from .factories import Role, cadre, draft_inspection, resident_rep, submitted_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(street):
    return cadre(street, username="leader")


def with_rep(compound, leader, rep_person):
    return submitted_inspection(
        compound,
        leader,
        panel=[(leader.person, Role.CADRE), (rep_person, Role.RESIDENT_REP)],
    )


def test_a_representative_sees_only_the_inspections_it_sat_on(
    client, compound, street, leader, inspector
):
    mine = with_rep(compound, leader, inspector.person)
    other = with_rep(compound, leader, resident_rep(street))
    assert set(Inspection.objects.visible_to(inspector)) == {mine}
    client.force_login(inspector)
    assert client.get(f"/assessments/inspections/{mine.pk}/").status_code == 200
    assert client.get(f"/assessments/inspections/{other.pk}/").status_code == 404
    listed = client.get("/api/v1/inspections/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]


def test_a_representative_sees_the_drafts_it_sits_on_not_the_streets(
    compound, street, leader, inspector
):
    theirs = draft_inspection(
        compound,
        leader,
        panel=[(leader.person, Role.CADRE), (inspector.person, Role.RESIDENT_REP)],
    )
    others = draft_inspection(compound, leader)
    visible = set(Inspection.objects.visible_to(inspector))
    assert theirs in visible and others not in visible
    assert others in Inspection.objects.visible_to(leader)


def test_a_representative_sees_notices_of_its_inspections_only(
    compound, street, serving_contract, leader, inspector
):
    def notice_of(inspection):
        return raise_rectification(
            result=inspection.results.get(item__code="E1"),
            deadline=timezone.localdate() + timedelta(days=3),
            actor=leader,
        )

    occurrences = {"E1": 1}
    mine = submitted_inspection(
        compound,
        leader,
        occurrences=occurrences,
        panel=[(leader.person, Role.CADRE), (inspector.person, Role.RESIDENT_REP)],
    )
    other = submitted_inspection(compound, leader, occurrences=occurrences)
    seen = notice_of(mine)
    notice_of(other)
    assert list(RectificationNotice.objects.visible_to(inspector)) == [seen]


def test_the_manager_reaches_the_inspection_from_its_notice_without_names(
    client, compound, street, serving_contract, leader, property_manager
):
    inspection = submitted_inspection(compound, leader, occurrences={"E1": 2})
    notice = raise_rectification(
        result=inspection.results.get(item__code="E1"),
        deadline=timezone.localdate() + timedelta(days=3),
        actor=leader,
    )
    names = list(inspection.panel.values_list("person__name", flat=True))
    client.force_login(property_manager)
    page = client.get(f"/assessments/rectifications/{notice.pk}/").content.decode()
    link = f"/assessments/inspections/{inspection.pk}/"
    assert link in page
    detail = client.get(link).content.decode()
    assert "E1" in detail and str(inspection.score) in detail
    assert not any(name in detail for name in names)
    assert "居民代表" in detail
    api = client.get(f"/api/v1/inspections/{inspection.pk}/").json()
    assert api["panel"] == [{"role": "cadre"}, {"role": "resident_rep"}]


def test_the_manager_still_reaches_it_after_the_contract_ended(
    client, compound, street, serving_contract, leader, property_manager
):
    inspection = submitted_inspection(compound, leader, occurrences={"E1": 2})
    notice = raise_rectification(
        result=inspection.results.get(item__code="E1"),
        deadline=timezone.localdate() + timedelta(days=3),
        actor=leader,
    )
    today = timezone.localdate()
    serving_contract.end = today - timedelta(days=1)
    serving_contract.start = today - timedelta(days=400)
    serving_contract.save()
    ServiceContractFactory(compound=compound, start=today)
    client.force_login(property_manager)
    assert client.get(f"/assessments/rectifications/{notice.pk}/").status_code == 200
    assert client.get(f"/assessments/inspections/{inspection.pk}/").status_code == 200


def test_staff_see_the_panel_names(client, compound, leader, community_staff):
    inspection = submitted_inspection(compound, leader)
    client.force_login(community_staff)
    page = client.get(f"/assessments/inspections/{inspection.pk}/").content.decode()
    assert leader.person.name in page


def test_the_admin_shows_the_manager_no_panel_and_no_filer(
    client, compound, serving_contract, leader, property_manager
):
    inspection = submitted_inspection(compound, leader)
    client.force_login(property_manager)
    url = f"/admin/assessments/inspection/{inspection.pk}/change/"
    page = client.get(url).content.decode()
    assert "E1" in page
    assert leader.username not in page
    assert not any(
        name in page for name in inspection.panel.values_list("person__name", flat=True)
    )
    client.force_login(leader)
    assert leader.person.name in client.get(url).content.decode()


def test_the_representatives_admin_lists_the_inspections_it_sat_on(
    client, compound, street, leader, inspector
):
    mine = with_rep(compound, leader, inspector.person)
    other = with_rep(compound, leader, resident_rep(street))
    client.force_login(inspector)
    page = client.get("/admin/assessments/inspection/")
    assert page.status_code == 200
    listed = page.content.decode()
    assert f"/admin/assessments/inspection/{mine.pk}/change/" in listed
    assert f"/admin/assessments/inspection/{other.pk}/change/" not in listed
    assert client.get("/admin/assessments/inspectionplan/").status_code == 403


def test_the_list_names_the_inspections_the_representative_sat_on(
    client, compound, street, leader, inspector
):
    last_month = timezone.localdate().replace(day=1) - timedelta(days=3)
    mine = submitted_inspection(
        compound,
        leader,
        on=last_month,
        panel=[(leader.person, Role.CADRE), (inspector.person, Role.RESIDENT_REP)],
    )
    client.force_login(inspector)
    page = client.get("/assessments/inspections/").content.decode()
    assert "我参加的检查" in page
    assert f"/assessments/inspections/{mine.pk}/" in page

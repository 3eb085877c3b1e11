"""The panel rules hold when the panel is chosen, and a bad draft has a way out."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.models import Inspection
from assessments.services.inspections import (
    amend_inspection,
    delete_draft,
    set_panel,
    submit_inspection,
)
from tests.factories import CompanyStaffFactory

from .factories import (
    Role,
    cadre,
    default_scheme,
    draft_inspection,
    resident_rep,
    submitted_inspection,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(street):
    return cadre(street, username="leader")


def start_page(client, compound, cadres, reps):
    default_scheme()
    return client.post(
        "/assessments/inspections/new/",
        {
            "compound": compound.pk,
            "date": timezone.localdate().isoformat(),
            "cadres": [p.pk for p in cadres],
            "resident_reps": [p.pk for p in reps],
        },
    )


def test_company_staff_representative_is_refused_on_the_start_form(
    client, compound, street, serving_contract, leader
):
    rep = resident_rep(street)
    CompanyStaffFactory(company=serving_contract.company, person=rep)
    client.force_login(leader)
    response = start_page(client, compound, [leader.person], [rep])
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{rep.name} 受雇于{serving_contract.company.name}" in page
    assert "不能参加该小区的检查" in page
    assert not Inspection.objects.exists()


def panel_with_cadre(street, leader, other):
    return [
        (leader.person, Role.CADRE),
        (other.person, Role.CADRE),
        (resident_rep(street), Role.RESIDENT_REP),
    ]


def test_company_staff_cadre_is_refused_too(compound, street, serving_contract, leader):
    other = cadre(street)
    CompanyStaffFactory(company=serving_contract.company, person=other.person)
    with pytest.raises(ValidationError) as refused:
        draft_inspection(
            compound, leader, panel=panel_with_cadre(street, leader, other)
        )
    assert other.person.name in " ".join(refused.value.messages)
    assert not Inspection.objects.exists()


def test_staff_of_another_company_may_sit(compound, street, serving_contract, leader):
    other = cadre(street)
    CompanyStaffFactory(person=other.person)
    panel = panel_with_cadre(street, leader, other)
    assert draft_inspection(compound, leader, panel=panel).panel.count() == 3


def test_a_past_company_seat_does_not_count(compound, street, serving_contract, leader):
    rep = resident_rep(street)
    CompanyStaffFactory(
        company=serving_contract.company,
        person=rep,
        end=timezone.localdate() - timedelta(days=30),
    )
    panel = [(leader.person, Role.CADRE), (rep, Role.RESIDENT_REP)]
    assert draft_inspection(compound, leader, panel=panel).panel.count() == 2


def test_representative_of_the_compounds_grid_is_refused_on_the_start_form(
    client, compound, leader
):
    rep = resident_rep(compound.grid)
    client.force_login(leader)
    response = start_page(client, compound, [leader.person], [rep])
    page = response.content.decode()
    assert f"{rep.name} 是{compound.name}的居民代表" in page
    assert not Inspection.objects.exists()


def test_a_draft_gone_bad_is_refused_at_submit_then_corrected_by_its_starter(
    client, compound, street, serving_contract, leader
):
    draft = draft_inspection(compound, leader)
    rep = draft.panel.get(role=Role.RESIDENT_REP).person
    # The representative joins the company after the panel was chosen.
    CompanyStaffFactory(company=serving_contract.company, person=rep)
    with pytest.raises(ValidationError):
        submit_inspection(inspection=draft, actor=leader)

    client.force_login(leader)
    sheet = client.get(f"/assessments/inspections/{draft.pk}/").content.decode()
    assert f"/assessments/inspections/{draft.pk}/panel/" in sheet
    other = resident_rep(street)
    response = client.post(
        f"/assessments/inspections/{draft.pk}/panel/",
        {"cadres": [leader.person.pk], "resident_reps": [other.pk]},
    )
    assert response.status_code == 302
    assert set(draft.panel.values_list("person", flat=True)) == {
        leader.person.pk,
        other.pk,
    }
    assert submit_inspection(inspection=draft, actor=leader).is_locked


def test_panel_page_refuses_a_bad_panel_and_keeps_the_old_one(
    client, compound, serving_contract, leader
):
    draft = draft_inspection(compound, leader)
    before = set(draft.panel.values_list("person", "role"))
    client.force_login(leader)
    bad = resident_rep(compound.grid)
    response = client.post(
        f"/assessments/inspections/{draft.pk}/panel/",
        {"cadres": [leader.person.pk], "resident_reps": [bad.pk]},
    )
    assert response.status_code == 200
    assert bad.name in response.content.decode()
    assert set(draft.panel.values_list("person", "role")) == before


def test_the_starter_deletes_a_draft(client, compound, leader):
    draft = draft_inspection(compound, leader)
    client.force_login(leader)
    response = client.post(f"/assessments/inspections/{draft.pk}/delete/")
    assert response.status_code == 302
    assert not Inspection.objects.filter(pk=draft.pk).exists()


def test_another_cadre_may_neither_change_nor_delete_the_draft(
    client, compound, street, leader
):
    draft = draft_inspection(compound, leader)
    colleague = cadre(street, username="colleague")
    with pytest.raises(PermissionDenied):
        delete_draft(inspection=draft, actor=colleague)
    with pytest.raises(PermissionDenied):
        set_panel(
            inspection=draft,
            panel=[(colleague.person, Role.CADRE), (resident_rep(street), "x")],
            actor=colleague,
        )
    client.force_login(colleague)
    assert client.post(f"/assessments/inspections/{draft.pk}/delete/").status_code == (
        403
    )
    assert client.get(f"/assessments/inspections/{draft.pk}/panel/").status_code == 403
    assert Inspection.objects.filter(pk=draft.pk).exists()


def test_a_submitted_inspection_cannot_be_deleted(compound, leader):
    done = submitted_inspection(compound, leader)
    with pytest.raises(ValidationError):
        delete_draft(inspection=done, actor=leader)
    assert Inspection.objects.filter(pk=done.pk).exists()


def test_resident_representative_cannot_amend(client, compound, street, inspector):
    done = submitted_inspection(compound, cadre(street))
    with pytest.raises(PermissionDenied):
        amend_inspection(inspection=done, reason="改分", actor=inspector)
    client.force_login(inspector)
    response = client.post(
        f"/assessments/inspections/{done.pk}/amend/", {"reason": "改分"}
    )
    assert response.status_code == 403
    assert "更正已提交的检查" in response.content.decode()
    assert not Inspection.objects.filter(supersedes=done).exists()


def test_the_date_field_holds_an_iso_date(client, compound, leader):
    default_scheme()
    client.force_login(leader)
    page = client.get(f"/assessments/inspections/new/?compound={compound.pk}")
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()


def test_the_start_form_marks_who_would_be_refused(
    client, compound, street, serving_contract, leader
):
    own = resident_rep(compound.grid)
    employee = resident_rep(street)
    CompanyStaffFactory(company=serving_contract.company, person=employee)
    free = resident_rep(street)
    default_scheme()
    client.force_login(leader)
    page = client.get(f"/assessments/inspections/new/?compound={compound.pk}")
    text = page.content.decode()
    assert f"{own.name}（本人所在小区）" in text
    assert f"{employee.name}（受雇于服务企业）" in text
    assert f"{free.name}（" not in text

"""A company adds and removes its own staff, never another company's."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from compounds import services
from compounds.models import CompanyStaff
from org.models import Person

from ..factories import CompanyStaffFactory, PersonFactory, PropertyCompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(serving_contract):
    return serving_contract.company


def test_the_manager_registers_a_new_person_as_staff(client, property_manager, company):
    client.force_login(property_manager)

    response = client.post(
        reverse("admin:compounds_companystaff_add"),
        {
            "company": company.pk,
            "new_person_name": "王保安",
            "new_person_phone": "13900000000",
            "role": CompanyStaff.Role.STAFF,
        },
    )

    assert response.status_code == 302
    seat = CompanyStaff.objects.get(person__name="王保安")
    assert seat.company == company
    assert seat.person.unit == company.registered_with
    assert seat.person.work_unit == company.name


def test_the_add_page_proposes_the_managers_own_company(
    client, property_manager, company
):
    client.force_login(property_manager)

    response = client.get(reverse("admin:compounds_companystaff_add"))

    assert response.context["adminform"].form.initial["company"] == company.pk
    assert "或新人员姓名" in response.content.decode()


def test_the_person_picker_offers_the_companys_own_people_only(
    client, property_manager, company, grid
):
    colleague = CompanyStaffFactory(company=company, person=PersonFactory(unit=grid))
    rival = CompanyStaffFactory(person=PersonFactory(unit=grid))
    resident_worker = PersonFactory(unit=grid)
    client.force_login(property_manager)

    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "compounds",
            "model_name": "companystaff",
            "field_name": "person",
            "term": "",
        },
    )

    assert response.status_code == 200
    offered = {int(row["id"]) for row in response.json()["results"]}
    assert colleague.person_id in offered
    assert property_manager.person_id in offered
    assert rival.person_id not in offered
    assert resident_worker.pk not in offered


def test_staff_for_another_company_are_refused(client, property_manager, street):
    rival = PropertyCompanyFactory(registered_with=street)
    client.force_login(property_manager)

    response = client.post(
        reverse("admin:compounds_companystaff_add"),
        {"company": rival.pk, "new_person_name": "卧底", "role": "staff"},
    )

    assert response.status_code == 200
    assert "company" in response.context["adminform"].form.errors
    assert not Person.objects.filter(name="卧底").exists()
    with pytest.raises(PermissionDenied):
        services.add_company_staff(
            by=property_manager, company=rival, role="staff", new_person_name="卧底"
        )


def test_the_manager_ends_a_seat_and_keeps_it_as_history(
    client, property_manager, company, grid
):
    seat = CompanyStaffFactory(company=company, person=PersonFactory(unit=grid))
    client.force_login(property_manager)

    response = client.post(
        reverse("admin:compounds_companystaff_changelist"),
        {"action": "end_staff_seats", "_selected_action": [seat.pk]},
    )

    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.end == timezone.localdate()


def test_the_manager_cannot_end_their_own_seat(property_manager, company):
    own = CompanyStaff.objects.get(person=property_manager.person)

    with pytest.raises(PermissionDenied):
        services.end_company_staff(by=property_manager, seats=[own])
    own.refresh_from_db()
    assert own.end is None


def test_community_staff_read_the_staff_of_their_area(
    client, community_staff, company, property_manager
):
    client.force_login(community_staff)

    response = client.get(reverse("admin:compounds_companystaff_changelist"))

    assert response.status_code == 200
    assert property_manager.person.name in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.add_company_staff(
            by=community_staff, company=company, role="staff", new_person_name="某人"
        )


def test_the_street_office_picks_a_person_of_its_street(street_admin, company, grid):
    person = PersonFactory(unit=grid)

    seat = services.add_company_staff(
        by=street_admin, company=company, role="manager", person=person
    )

    assert seat.person == person and seat.company == company

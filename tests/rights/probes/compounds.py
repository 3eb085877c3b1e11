from django.urls import reverse
from django.utils import timezone

from compounds.models import CompanyStaff

from ...factories import CompanyStaffFactory, PersonFactory
from . import Probe, form_data, superuser_client


def _new_staff(world):
    return {
        "url": reverse("admin:compounds_companystaff_add"),
        "data": {
            "company": world["company"].pk,
            "new_person_name": "新来的秩序维护员",
            "new_person_phone": "13800000001",
            "role": CompanyStaff.Role.STAFF,
        },
        "company": world["company"],
    }


def _ended_seat(world):
    seat = CompanyStaffFactory(
        company=world["company"],
        person=PersonFactory(unit=world["street"], name="要离职的保洁员"),
        role=CompanyStaff.Role.STAFF,
    )
    url = reverse("admin:compounds_companystaff_change", args=[seat.pk])
    today = timezone.localdate()
    data = form_data(superuser_client(world), url, end=today.isoformat())
    return {"url": url, "data": data, "pk": seat.pk, "today": today}


PROBES = [
    Probe(
        "compounds.edit_company_staff",
        "page",
        name="add",
        arrange=_new_staff,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: CompanyStaff.objects.filter(
            company=target["company"], person__name="新来的秩序维护员"
        ).exists(),
    ),
    Probe(
        "compounds.edit_company_staff",
        "page",
        name="remove",
        arrange=_ended_seat,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            CompanyStaff.objects.get(pk=target["pk"]).end == target["today"]
        ),
    ),
]

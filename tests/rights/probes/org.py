from datetime import date

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.models import CalendarOverride
from org.models import OrgUnit, Person, User

from ...factories import PersonFactory, UserFactory
from ...second_factor import confirmed_device
from . import Probe, form_data, superuser_client


def _renamed_grid(world):
    grid = world["grid"]
    url = reverse("admin:org_orgunit_change", args=[grid.pk])
    data = form_data(superuser_client(world), url, name="改名后的网格党支部")
    return {"url": url, "data": data, "pk": grid.pk}


def _renamed_person(world):
    person = PersonFactory(unit=world["grid"], name="网格员老张")
    url = reverse("admin:org_person_change", args=[person.pk])
    data = form_data(superuser_client(world), url, name="网格员老李")
    return {"url": url, "data": data, "pk": person.pk}


def _person_without_login(world):
    person = PersonFactory(unit=world["grid"], name="新来的街道干事")
    return {
        "url": reverse("admin:org_user_add"),
        "data": {
            "username": "new_clerk",
            "person": person.pk,
            "usable_password": "true",
            "password1": "Jiyang-clerk-2027",
            "password2": "Jiyang-clerk-2027",
        },
    }


def _login_of_the_street(world):
    login = UserFactory(person=PersonFactory(unit=world["grid"]), username="clerk")
    return {"login": login, "hash": login.password}


def _enrolled_login_of_the_street(world):
    target = _login_of_the_street(world)
    confirmed_device(target["login"])
    return target


def _act_on_login(action):
    def act(client, target):
        return client.post(
            reverse("admin:org_user_changelist"),
            {"action": action, "_selected_action": [target["login"].pk]},
        )

    return act


NEW_YEAR = date(2027, 1, 1)

PROBES = [
    Probe(
        "org.edit_tree",
        "page",
        arrange=_renamed_grid,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            OrgUnit.objects.get(pk=target["pk"]).name == "改名后的网格党支部"
        ),
    ),
    Probe(
        "org.edit_people",
        "page",
        arrange=_renamed_person,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            Person.objects.get(pk=target["pk"]).name == "网格员老李"
        ),
    ),
    Probe(
        "org.edit_logins",
        "page",
        name="create",
        arrange=_person_without_login,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: User.objects.filter(
            username="new_clerk", is_active=True, is_staff=True
        ).exists(),
    ),
    Probe(
        "org.edit_logins",
        "page",
        name="deactivate",
        arrange=_login_of_the_street,
        act=_act_on_login("deactivate_logins"),
        happened=lambda target: not User.objects.get(pk=target["login"].pk).is_active,
    ),
    Probe(
        "org.edit_logins",
        "page",
        name="reset",
        arrange=_login_of_the_street,
        act=_act_on_login("issue_temporary_passwords"),
        happened=lambda target: (
            User.objects.get(pk=target["login"].pk).password != target["hash"]
        ),
    ),
    Probe(
        "org.reset_second_factor",
        "page",
        arrange=_enrolled_login_of_the_street,
        act=_act_on_login("reset_second_factors"),
        happened=lambda target: (
            not TOTPDevice.objects.filter(user=target["login"]).exists()
        ),
    ),
    Probe(
        "calendar.edit_holidays",
        "page",
        name="file",
        arrange=lambda world: reverse("admin:consultations_calendaroverride_import"),
        act=lambda client, url: client.post(
            url, {"text": "date,kind,name\n2027-01-01,holiday,元旦\n"}
        ),
        happened=lambda url: CalendarOverride.objects.filter(
            date=NEW_YEAR, is_workday=False
        ).exists(),
    ),
    Probe(
        "calendar.edit_holidays",
        "page",
        name="typed",
        arrange=lambda world: reverse("admin:consultations_calendaroverride_add"),
        act=lambda client, url: client.post(
            url, {"date": "2027-02-14", "note": "春节调休上班", "is_workday": "on"}
        ),
        happened=lambda url: CalendarOverride.objects.filter(
            date=date(2027, 2, 14), is_workday=True
        ).exists(),
    ),
]

"""No resident's name or phone for roles with no task on the concern.

The resident representative and the inspector cadre never read residents'
personal data; the company reads it only for the concerns dispatched to it.
Every page and API list or detail that shows concerns or their events
(我的待办 included) is opened as each of them, and none of them carries the
name or the phone number of a concern they have no task for, in any of the
ways a number is written.
"""

import json

import pytest

from civic import services as civic_services
from civic.models import VisitNeed
from consultations import services
from consultations.models import Concern
from org.rights import Role
from tests.civic.civic_factories import MeetingFactory, VisitReportFactory
from tests.clients import token_client
from tests.consultations.factories import category

pytestmark = pytest.mark.django_db

# Not dispatched anywhere; dispatched to the grid; dispatched to the company.
UNDISPATCHED = ("李女士", "13900002222")
TO_THE_GRID = ("王大爷", "15500193692")
TO_THE_COMPANY = ("赵六", "13700001111")


def written(phone: str) -> list[str]:
    """The ways a page may print a mobile number."""
    return [phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"+86{phone}"]


@pytest.fixture
def concerns(compound, serving_contract, community_staff):
    def submit(name, phone, description):
        return services.submit_concern(
            compound=compound,
            category=category("sanitation"),
            description=description,
            name=name,
            phone=phone,
        )

    undispatched = submit(*UNDISPATCHED, "想了解业委会换届选举")
    to_grid = submit(*TO_THE_GRID, "楼道灯不亮")
    services.accept(concern=to_grid, actor=community_staff)
    services.dispatch(concern=to_grid, actor=community_staff, to="grid")
    to_company = submit(*TO_THE_COMPANY, "电梯间垃圾堆放")
    services.accept(concern=to_company, actor=community_staff)
    services.dispatch(concern=to_company, actor=community_staff)
    services.add_note(concern=undispatched, actor=community_staff, note="已联系")
    return {"undispatched": undispatched, "grid": to_grid, "company": to_company}


@pytest.fixture
def places(concerns, compound, property_manager):
    """A meeting and a visit report that show the concerns."""
    meeting = MeetingFactory(compound=compound)
    for concern in concerns.values():
        civic_services.add_agenda_item(meeting=meeting, title="", concern=concern)
    report = VisitReportFactory(compound=compound, manager=property_manager)
    VisitNeed.objects.create(
        report=report, text="楼道灯", concern=concerns["undispatched"]
    )
    return {"meeting": meeting.pk, "report": report.pk}


PAGES = [
    "/my-tasks/",
    "/concerns/staff/",
    "/concerns/staff/?status=open",
    "/concerns/staff/{pk}/",
    "/concerns/staff/rates/",
    "/concerns/manager/",
    "/concerns/manager/{pk}/",
    "/concerns/track/{code}/",
    "/meetings/{meeting}/",
    "/visit-day/",
    "/visit-day/reports/{report}/",
    "/admin/",
    "/admin/consultations/concern/",
    "/admin/consultations/concern/{pk}/change/",
    "/admin/consultations/concernevent/",
    "/open311/v2/requests.json",
    "/open311/v2/requests/{pk}.json",
]
API = [
    "/api/v1/concerns/",
    "/api/v1/concerns/{pk}/",
    "/api/v1/concern-events/",
    "/api/v1/concern-events/?concern={pk}",
    "/api/v1/meetings/",
    "/api/v1/meetings/{meeting}/",
    "/api/v1/visit-reports/",
    "/api/v1/visit-reports/{report}/",
]

# Role → the concerns whose resident it has no task for.
HIDDEN_FROM = {
    Role.RESIDENT_REP: ("undispatched", "grid", "company"),
    Role.INSPECTOR: ("undispatched", "grid", "company"),
    Role.COMPANY_STAFF: ("undispatched", "grid"),
}
PEOPLE = {"undispatched": UNDISPATCHED, "grid": TO_THE_GRID, "company": TO_THE_COMPANY}


def leaks(body: str, keys) -> list[str]:
    found = []
    for key in keys:
        name, phone = PEOPLE[key]
        found += [text for text in [name, *written(phone)] if text in body]
    return found


def urls(templates, concerns, places) -> list[str]:
    out = []
    for template in templates:
        for key in ("undispatched", "grid", "company"):
            concern = concerns[key]
            out.append(
                template.format(pk=concern.pk, code=concern.tracking_code, **places)
            )
    return sorted(set(out))


def test_the_data_is_there_to_leak(client, community_staff, concerns, places):
    client.force_login(community_staff)

    page = client.get(f"/concerns/staff/{concerns['undispatched'].pk}/")

    assert leaks(page.content.decode(), ["undispatched"])


@pytest.mark.parametrize("role", list(HIDDEN_FROM), ids=str)
def test_pages_never_show_the_resident(client, login_of, concerns, places, role):
    client.force_login(login_of[role])

    found = {}
    for url in urls(PAGES, concerns, places):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code < 500, url
        body = response.content.decode()
        if leaks(body, HIDDEN_FROM[role]):
            found[url] = leaks(body, HIDDEN_FROM[role])

    assert found == {}


@pytest.mark.parametrize("role", list(HIDDEN_FROM), ids=str)
def test_the_api_never_gives_the_resident(login_of, concerns, places, role):
    client = token_client(login_of[role])

    found = {}
    for url in urls(API, concerns, places):
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode()
        if response.get("Content-Type", "").startswith("application/json"):
            body = json.dumps(response.json(), ensure_ascii=False)
        if leaks(body, HIDDEN_FROM[role]):
            found[url] = leaks(body, HIDDEN_FROM[role])

    assert found == {}


def test_the_company_still_reads_the_resident_it_serves(property_manager, concerns):
    api = token_client(property_manager).get(
        f"/api/v1/concerns/{concerns['company'].pk}/"
    )

    revealed = token_client(property_manager).post(
        f"/api/v1/concerns/{concerns['company'].pk}/reveal-phone/"
    )

    # Masked in the read, in full through the audited reveal.
    assert api.json()["phone"] == "137****1111"
    assert revealed.json()["phone"].endswith(TO_THE_COMPANY[1])
    assert Concern.objects.visible_to(property_manager).count() == 1

"""The workspace and 我的待办 link only to pages the role can use.

Every link the admin home's workspace and 我的待办 show to a role is
opened as that role: none may answer 403 or 404.
"""

import re

import pytest
from django.urls import reverse

from consultations import services
from org.rights import Role
from tests.consultations.factories import category

pytestmark = pytest.mark.django_db

WORKSPACE = re.compile(
    r'<div class="module workspace" id="workspace">(.*?)</div>', re.S
)
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def busy_street(compound, serving_contract, community_staff):
    """Something for every list: concerns waiting, one dispatched."""
    for _i in range(2):
        services.submit_concern(
            compound=compound, category=category("sanitation"), description="堆物"
        )
    concern = services.submit_concern(
        compound=compound, category=category("parking"), description="乱停车"
    )
    services.accept(concern=concern, actor=community_staff)
    services.dispatch(concern=concern, actor=community_staff)


def workspace_links(client) -> list[str]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    block = WORKSPACE.search(response.content.decode())
    assert block, "the admin home has a workspace"
    return HREF.findall(block.group(1))


def my_tasks_links(client) -> list[str]:
    response = client.get(reverse("my-tasks"))
    assert response.status_code == 200
    main = response.content.decode().split('<main id="main"', 1)[1]
    main = main.split("</main>", 1)[0]
    return [href.replace("&amp;", "&") for href in HREF.findall(main)]


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_workspace_link_opens(client, login_of, busy_street, role):
    client.force_login(login_of[role])

    links = workspace_links(client)

    assert links
    refused = {url: client.get(url).status_code for url in links}
    assert {url: code for url, code in refused.items() if code >= 400} == {}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_my_tasks_link_opens(client, login_of, busy_street, role):
    client.force_login(login_of[role])

    links = my_tasks_links(client)

    refused = {url: client.get(url).status_code for url in links}
    assert {url: code for url, code in refused.items() if code >= 400} == {}


def test_the_resident_representative_is_not_shown_the_concern_list(client, login_of):
    client.force_login(login_of[Role.RESIDENT_REP])

    links = workspace_links(client)

    assert reverse("consultations:staff-list") not in links
    assert reverse("consultations:manager-list") not in links
    assert reverse("assessments:inspections") in links


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            Role.STREET_OFFICE,
            ["consultations:staff-list", "assessments:rewards", "assessments:plans"],
            ["consultations:manager-list"],
        ),
        (
            Role.COMMUNITY_STAFF,
            ["consultations:staff-list", "civic:visit-missing"],
            ["assessments:inspections", "assessments:plans", "assessments:rewards"],
        ),
        (
            Role.GRID_STAFF,
            ["consultations:staff-list"],
            ["assessments:inspections", "assessments:plans"],
        ),
        (
            Role.COMPANY_STAFF,
            ["consultations:manager-list", "civic:visit-day"],
            [
                "consultations:staff-list",
                "consultations:staff-create",
                "civic:visit-missing",
                "assessments:inspections",
            ],
        ),
        (
            Role.INSPECTOR,
            ["assessments:inspections", "assessments:plans"],
            ["consultations:staff-list", "civic:meetings"],
        ),
    ],
    ids=lambda value: str(value) if isinstance(value, Role) else None,
)
def test_each_role_sees_its_own_pages(client, login_of, role, shown, hidden):
    client.force_login(login_of[role])

    links = workspace_links(client)

    assert [name for name in shown if reverse(name) not in links] == []
    assert [name for name in hidden if reverse(name) in links] == []

"""Who reads residents' personal data, by role, on the pages and the API.

The resident representative (`inspector`) gets a refusal (403, a Chinese
page or message) for every concern page and endpoint, runs no verb, and
neither publishes disclosures nor plans meetings. Company staff read only
the concerns dispatched to their company: an undispatched one at a compound
they serve answers 404 and its phone never appears. Community staff keep
every concern of their community.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from civic.models import Disclosure, Meeting
from consultations import services
from consultations.models import Concern
from org.models import Post
from org.scope import NON_STAFF_POST_ROLES

from ..clients import token_client
from .factories import category

pytestmark = pytest.mark.django_db

API = "/api/v1"
REFUSAL = "“查阅居民诉求”由以下岗位办理"
DISPATCHED_PHONE = "13700001111"
UNDISPATCHED_PHONE = "13900002222"


@pytest.fixture
def dispatched(compound, serving_contract, community_staff):
    concern = services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="电梯间垃圾堆放",
        name="赵六",
        phone=DISPATCHED_PHONE,
    )
    services.accept(concern=concern, actor=community_staff)
    return services.dispatch(concern=concern, actor=community_staff)


@pytest.fixture
def undispatched(compound, serving_contract):
    return services.submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="想了解业委会换届选举",
        name="李女士",
        phone=UNDISPATCHED_PHONE,
    )


def test_non_staff_post_roles_are_post_roles():
    assert {
        Post.Role.INSPECTOR,
        Post.Role.RESIDENT_REPRESENTATIVE,
    } == NON_STAFF_POST_ROLES


def test_an_inspector_post_is_not_staff(inspector):
    scope = inspector.scope

    assert scope.units
    assert not scope.is_org_staff
    assert not scope.serves_residents
    assert not Concern.objects.visible_to(inspector).exists()


# The resident representative: pages ------------------------------------------


@pytest.mark.parametrize(
    "name", ["staff-list", "staff-create", "staff-rates", "manager-list"]
)
def test_inspector_gets_a_chinese_refusal_on_concern_pages(
    client, inspector, dispatched, name
):
    client.force_login(inspector)

    response = client.get(reverse(f"consultations:{name}"))

    assert response.status_code == 403
    assert DISPATCHED_PHONE not in response.content.decode()


def test_inspector_cannot_open_a_concern_page(client, inspector, dispatched):
    client.force_login(inspector)

    response = client.get(reverse("consultations:staff-detail", args=[dispatched.pk]))

    body = response.content.decode()
    assert response.status_code == 403
    assert REFUSAL in body
    assert DISPATCHED_PHONE not in body
    assert "赵六" not in body


@pytest.mark.parametrize(
    ("action", "data"),
    [("accept", {}), ("reject", {"note": "x"}), ("note", {"note": "x"})],
)
def test_inspector_cannot_run_a_verb_on_the_pages(
    client, inspector, undispatched, action, data
):
    client.force_login(inspector)

    response = client.post(
        reverse("consultations:act", args=[undispatched.pk]),
        {"action": action, **data},
    )

    undispatched.refresh_from_db()
    assert response.status_code == 403
    assert undispatched.status == Concern.Status.SUBMITTED
    assert undispatched.events.count() == 1


def test_inspector_cannot_take_in_a_concern_on_the_pages(client, inspector, compound):
    client.force_login(inspector)

    response = client.post(
        reverse("consultations:staff-create"),
        {"compound": compound.pk, "description": "代录", "phone": "13800000000"},
    )

    assert response.status_code == 403
    assert not Concern.objects.exists()


def test_inspector_cannot_publish_a_disclosure(client, inspector, compound):
    client.force_login(inspector)

    response = client.post(
        reverse("civic:disclosure-new"),
        {
            "compound": compound.pk,
            "kind": "fees",
            "title": "收费",
            "content": "内容",
            "objection_days": 0,
        },
    )

    assert response.status_code == 403
    assert "公示由街道、社区和网格工作人员以及物业企业发布" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_inspector_cannot_plan_a_meeting(client, inspector, compound):
    client.force_login(inspector)

    assert client.get(reverse("civic:meeting-new")).status_code == 403
    response = client.post(
        reverse("civic:meeting-new"),
        {
            "kind": "tea_table",
            "title": "流动茶桌",
            "compound": compound.pk,
            "date": timezone.localdate().isoformat(),
            "place": "广场",
            "host": "书记",
        },
    )

    assert response.status_code == 403
    assert "“安排会议及议程”由以下岗位办理" in response.content.decode()
    assert not Meeting.objects.exists()


def test_inspector_keeps_the_inspection_pages_without_phones(
    client, inspector, dispatched
):
    client.force_login(inspector)

    response = client.get(reverse("assessments:inspections"))

    assert response.status_code == 200
    assert DISPATCHED_PHONE not in response.content.decode()


# The resident representative: API --------------------------------------------


@pytest.mark.parametrize("path", ["/concerns/", "/concerns/{pk}/", "/concern-events/"])
def test_inspector_is_refused_by_the_concern_api(inspector, dispatched, path):
    response = token_client(inspector).get(API + path.format(pk=dispatched.pk))

    assert response.status_code == 403
    assert REFUSAL in response.json()["detail"]
    assert DISPATCHED_PHONE not in response.content.decode()


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        ("accept", {}),
        ("reject", {"note": "x"}),
        ("hide", {"note": "x"}),
        ("note", {"note": "x"}),
    ],
)
def test_inspector_cannot_run_a_verb_through_the_api(
    inspector, undispatched, verb, data
):
    response = token_client(inspector).post(
        f"{API}/concerns/{undispatched.pk}/{verb}/", data, format="json"
    )

    undispatched.refresh_from_db()
    assert response.status_code == 403
    assert undispatched.status == Concern.Status.SUBMITTED
    assert not undispatched.is_hidden
    assert undispatched.events.count() == 1


def test_inspector_cannot_take_in_a_concern_through_the_api(inspector, compound):
    response = token_client(inspector).post(
        f"{API}/concerns/",
        {"compound": compound.pk, "category": "sanitation", "description": "代录"},
        format="json",
    )

    assert response.status_code == 403
    assert not Concern.objects.exists()


# The property company ------------------------------------------------------


def test_manager_page_lists_only_dispatched_concerns(
    client, property_manager, dispatched, undispatched
):
    client.force_login(property_manager)

    response = client.get(reverse("consultations:manager-list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert dispatched.formatted_code in body
    assert undispatched.formatted_code not in body
    assert UNDISPATCHED_PHONE not in body


def test_manager_cannot_open_an_undispatched_concern_page(
    client, property_manager, undispatched
):
    client.force_login(property_manager)

    for name in ("manager-detail", "staff-detail"):
        response = client.get(reverse(f"consultations:{name}", args=[undispatched.pk]))

        assert response.status_code == 404
        assert UNDISPATCHED_PHONE not in response.content.decode()


def test_manager_api_lists_only_dispatched_concerns(
    property_manager, dispatched, undispatched
):
    response = token_client(property_manager).get(f"{API}/concerns/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [dispatched.pk]
    assert UNDISPATCHED_PHONE not in response.content.decode()


def test_manager_api_cannot_read_an_undispatched_concern(
    property_manager, undispatched
):
    client = token_client(property_manager)

    response = client.get(f"{API}/concerns/{undispatched.pk}/")
    events = client.get(f"{API}/concern-events/", {"concern": undispatched.pk})

    assert response.status_code == 404
    assert UNDISPATCHED_PHONE not in response.content.decode()
    assert events.status_code == 200
    assert events.json()["results"] == []


def test_manager_api_reads_a_dispatched_concern(property_manager, dispatched):
    response = token_client(property_manager).get(f"{API}/concerns/{dispatched.pk}/")

    assert response.status_code == 200
    # Masked, as on the pages (tests/api/test_phone_reveal.py).
    assert response.json()["phone"] == "137****1111"


def test_manager_api_cannot_run_a_verb_on_an_undispatched_concern(
    property_manager, undispatched
):
    response = token_client(property_manager).post(
        f"{API}/concerns/{undispatched.pk}/sign/", {}, format="json"
    )

    undispatched.refresh_from_db()
    assert response.status_code == 404
    assert undispatched.status == Concern.Status.SUBMITTED


# Community staff: a regression guard ---------------------------------------


def test_community_staff_still_see_every_concern_of_their_community(
    client, community_staff, dispatched, undispatched
):
    client.force_login(community_staff)

    page = client.get(reverse("consultations:staff-list")).content.decode()
    detail = client.get(reverse("consultations:staff-detail", args=[undispatched.pk]))
    api = token_client(community_staff).get(f"{API}/concerns/")

    assert dispatched.formatted_code in page
    assert undispatched.formatted_code in page
    assert detail.status_code == 200
    # Masked until revealed (tests/consultations/test_phone_masking.py).
    assert "139****2222" in detail.content.decode()
    assert {row["id"] for row in api.json()["results"]} == {
        dispatched.pk,
        undispatched.pk,
    }


def test_community_staff_still_run_verbs_and_publish(
    client, community_staff, undispatched, compound
):
    client.force_login(community_staff)

    accepted = client.post(
        reverse("consultations:act", args=[undispatched.pk]), {"action": "accept"}
    )
    published = client.post(
        reverse("civic:disclosure-new"),
        {
            "compound": compound.pk,
            "kind": "fees",
            "title": "收费",
            "content": "内容",
            "objection_days": 0,
        },
    )

    undispatched.refresh_from_db()
    assert accepted.status_code == 302
    assert undispatched.status == Concern.Status.ACCEPTED
    assert published.status_code == 302
    assert Disclosure.objects.exists()

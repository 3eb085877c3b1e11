import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Concern, ConcernPhoto

from .factories import category
from .images import jpeg_bytes

pytestmark = pytest.mark.django_db
NEW = "/concerns/new/"


def form_data(place, **changes):
    data = {
        "compound": place.pk,
        "category": category("sanitation").pk,
        "kind": "complaint",
        "description": "3号楼东侧垃圾两天没清运",
        "name": "",
        "phone": "",
        "email": "",
        "token": "",
    }
    data.update(changes)
    return data


def test_form_page_has_the_stable_field_names_and_a_token(client, compound):
    response = client.get(NEW)

    html = response.content.decode()
    assert response.status_code == 200
    for name in (
        "compound",
        "category",
        "description",
        "photos",
        "name",
        "phone",
        "kind",
    ):
        assert f'name="{name}"' in html
    assert re.search(r'name="token" value="[0-9a-f]{32}"', html)
    assert "csrfmiddlewaretoken" in html
    assert "提交诉求" in html


def test_submitting_with_a_photo_shows_the_tracking_code_and_link(client, compound):
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")

    response = client.post(
        NEW, form_data(compound, photos=[photo], name="李四", phone="13912345678")
    )

    assert response.status_code == 200
    concern = Concern.objects.get()
    html = response.content.decode()
    assert concern.formatted_code in html
    assert reverse("consultations:track", args=[concern.tracking_code]) in html
    assert ConcernPhoto.objects.filter(concern=concern).count() == 1
    assert concern.phone == "+8613912345678"
    assert concern.source == Concern.Source.WEB


def test_csrf_is_enforced(compound):
    client = Client(enforce_csrf_checks=True)

    response = client.post(NEW, form_data(compound))

    assert response.status_code == 403
    assert Concern.objects.count() == 0


def test_honeypot_filled_in_stores_nothing(client, compound):
    response = client.post(NEW, form_data(compound, website="http://spam.example"))

    assert response.status_code == 400
    assert Concern.objects.count() == 0


def bad_upload(kind):
    if kind == "text":
        return [SimpleUploadedFile("a.txt", b"just text", content_type="text/plain")]
    if kind == "claims_image":
        return [
            SimpleUploadedFile(
                "a.jpg", b"\xff\xd8\xff" + b"x" * 500, content_type="image/jpeg"
            )
        ]
    if kind == "too_large":
        return [
            SimpleUploadedFile(
                "a.jpg", b"\xff" * (5 * 1024 * 1024 + 10), content_type="image/jpeg"
            )
        ]
    if kind == "too_many":
        return [
            SimpleUploadedFile(f"{i}.jpg", jpeg_bytes(), content_type="image/jpeg")
            for i in range(4)
        ]
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"description": ""}, "请描述"),
        ({"description": "   "}, "请描述"),
        ({"description": "a" * (10 * 1024 * 1024)}, "4000"),
        ({"phone": "12345678901"}, "手机号码"),
        ({"phone": "1381234567"}, "手机号码"),
        ({"compound": 999999}, "请从列表中选择小区"),
        ({"compound": "1 OR 1=1"}, "请从列表中选择小区"),
        ({"category": 999999}, "请从列表中选择类别"),
        ({"kind": "bribe"}, "kind"),
    ],
    ids=[
        "empty",
        "blank",
        "10MB",
        "bad-phone",
        "short-phone",
        "forged-compound",
        "sql-compound",
        "forged-category",
        "bad-kind",
    ],
)
def test_bad_input_is_refused_in_chinese_and_stores_nothing(
    client, compound, changes, message
):
    response = client.post(NEW, form_data(compound, **changes))

    assert response.status_code == 400
    html = response.content.decode()
    if message != "kind":
        assert message in html
    assert Concern.objects.count() == 0


@pytest.mark.parametrize("kind", ["text", "claims_image", "too_large", "too_many"])
def test_bad_uploads_are_refused_and_store_nothing(client, compound, kind):
    response = client.post(NEW, form_data(compound, photos=bad_upload(kind)))

    assert response.status_code == 400
    assert Concern.objects.count() == 0
    assert ConcernPhoto.objects.count() == 0


def test_an_oversized_body_is_refused_cleanly(client, compound, settings):
    settings.CONCERN_MAX_REQUEST_BYTES = 1024 * 1024

    response = client.post(NEW, form_data(compound, description="长" * 600_000))

    assert response.status_code == 413
    assert "过大" in response.content.decode()
    assert Concern.objects.count() == 0


def test_script_in_the_text_is_stored_but_escaped_on_output(client, compound):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(NEW, form_data(compound, description=script))
    concern = Concern.objects.get()

    html = client.get(concern.get_absolute_url()).content.decode()

    assert concern.description == script
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<img src=x" not in html


def test_a_replayed_form_creates_one_concern(client, compound):
    data = form_data(compound, token="0123456789abcdef0123456789abcdef")

    first = client.post(NEW, data)
    second = client.post(NEW, data)

    assert first.status_code == second.status_code == 200
    concern = Concern.objects.get()
    assert concern.formatted_code in second.content.decode()


def test_tracking_page_shows_progress_but_no_personal_data_or_internal_notes(
    client, compound, grid_secretary
):
    concern = services.submit_concern(
        compound=compound,
        category=category(),
        description="路灯不亮",
        name="王小明",
        phone="13688889999",
        email="wang@example.org",
    )
    services.accept(concern=concern, actor=grid_secretary)
    services.add_note(concern=concern, actor=grid_secretary, note="内部：此人常投诉")
    services.dispatch(concern=concern, actor=grid_secretary, to="grid")

    html = client.get(concern.get_absolute_url()).content.decode()

    assert "路灯不亮" in html
    assert "已派单" in html
    assert concern.grid.name in html
    assert concern.formatted_code in html
    for secret in (
        "王小明",
        "13688889999",
        "1368888",
        "wang@example.org",
        "常投诉",
        grid_secretary.username,
    ):
        assert secret not in html


def test_tracking_code_typed_loosely_redirects_to_the_page(client, compound):
    concern = services.submit_concern(
        compound=compound, category=category(), description="查询"
    )

    response = client.get(f"/concerns/track/{concern.formatted_code.lower()}/")

    assert response.status_code == 302
    assert response["Location"] == concern.get_absolute_url()
    lookup = client.get("/concerns/track/", {"code": concern.formatted_code})
    assert lookup["Location"] == concern.get_absolute_url()


def test_unknown_tracking_code_gets_a_chinese_404(client, settings):
    settings.DEBUG = False

    response = client.get("/concerns/track/ABCDEFGHJKMN/")

    assert response.status_code == 404
    assert "此地址没有内容" in response.content.decode()
    assert client.get("/concerns/track/", {"code": "NOPE"}).status_code == 404


def test_hidden_description_is_not_public(client, compound, grid_secretary):
    concern = services.submit_concern(
        compound=compound, category=category(), description="某某家是坏人"
    )
    services.hide(concern=concern, actor=grid_secretary, note="涉及他人")

    html = client.get(concern.get_absolute_url()).content.decode()

    assert "某某家是坏人" not in html
    assert "涉及他人" not in html


def test_merged_concern_page_points_to_the_one_kept(client, compound, grid_secretary):
    kept = services.submit_concern(
        compound=compound, category=category(), description="一"
    )
    dup = services.submit_concern(
        compound=compound, category=category(), description="二"
    )
    services.merge(concern=dup, actor=grid_secretary, into=kept)

    html = client.get(dup.get_absolute_url()).content.decode()

    assert kept.get_absolute_url() in html


def test_compound_names_endpoint_finds_by_part_of_the_name(
    client, compound, other_compound
):
    response = client.get("/concerns/compounds.json", {"q": "水景"})

    assert response.json()["results"] == [
        {"id": compound.pk, "name": "水景花苑", "community": compound.community.name}
    ]


def test_the_tracking_page_flags_an_overdue_concern_with_one_calendar_read(
    client, compound
):
    concern = services.submit_concern(
        compound=compound, category=category(), description="路灯坏了"
    )
    Concern.objects.filter(pk=concern.pk).update(
        due_at=timezone.now() - timedelta(hours=1)
    )

    with CaptureQueriesContext(connection) as captured:
        html = client.get(f"/concerns/track/{concern.tracking_code}/").content.decode()

    assert '<span class="flag flag-red">已超期</span>' in html
    calendar = [q for q in captured if "calendaroverride" in q["sql"]]
    assert len(calendar) <= 1

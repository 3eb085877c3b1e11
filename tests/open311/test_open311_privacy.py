"""Open311 publishes only what is public: the tracking code as the id, the
public text, submitted photos of concerns not hidden, the compound's own
place, and staff-entered concerns only when staff mark them."""

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultations.models import Concern, ConcernPhoto
from consultations.services import hide, merge
from tests.clients import PARTNER_KEY, make_concern
from tests.consultations.images import jpeg_bytes
from tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
FORMATS = ["xml", "json"]
NAME, PHONE, EMAIL = "王秀英", "13800138000", "wang.xiuying@example.com"


def items(response, fmt):
    assert response.status_code == 200, response.content.decode()
    if fmt == "json":
        return json.loads(response.content)
    root = ET.fromstring(response.content)
    return [{child.tag: child.text for child in item} for item in root]


def read_one(client, concern, fmt="json"):
    [item] = items(client.get(f"{BASE}/requests/{concern.tracking_code}.{fmt}"), fmt)
    return item


def listed(client, fmt="json", **query):
    found = items(client.get(f"{BASE}/requests.{fmt}", query), fmt)
    return {item["service_request_id"] for item in found}


def photo():
    return SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")


@pytest.fixture
def placed_compound(grid):
    return CompoundFactory(
        grid=grid,
        name="水景花苑",
        address="济宁市任城区运河路12号",
        latitude=Decimal("35.405321"),
        longitude=Decimal("116.587689"),
    )


def post_request(client, compound, **extra):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "parking",
            "attribute[compound]": str(compound.pk),
            "description": "消防通道被私家车占用。",
            **extra,
        },
    )
    assert response.status_code == 200, response.content.decode()
    return json.loads(response.content)[0]


# The id -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sequential_id_is_refused_with_an_open311_404(client, fmt, compound):
    concern = make_concern(compound)

    response = client.get(f"{BASE}/requests/{concern.pk}.{fmt}")

    assert response.status_code == 404
    if fmt == "json":
        assert json.loads(response.content)[0]["code"] == 404
    else:
        assert ET.fromstring(response.content).findtext("error/code") == "404"


def test_sequential_ids_in_the_list_filter_find_nothing(client, compound):
    concerns = [make_concern(compound) for _ in range(3)]

    ids = ",".join(str(c.pk) for c in concerns)

    assert listed(client, service_request_id=ids) == set()


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_tracking_code_reads_the_concern_in_any_spelling(client, fmt, compound):
    concern = make_concern(compound)

    item = read_one(client, concern, fmt)
    typed = client.get(
        f"{BASE}/requests/{concern.formatted_code.lower()}.{fmt}"
    ).status_code

    assert item["service_request_id"] == concern.tracking_code
    assert typed == 200
    assert listed(client, fmt, service_request_id=concern.tracking_code) == {
        concern.tracking_code
    }


def test_the_post_answer_gives_the_tracking_code(client, partner, placed_compound):
    answer = post_request(client, placed_compound)

    concern = Concern.objects.get()
    assert answer["service_request_id"] == concern.tracking_code
    assert str(concern.pk) != answer["service_request_id"]


# Public text and photos ---------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_submitted_photo_of_a_visible_concern_is_published(client, fmt, compound):
    concern = make_concern(compound, photos=[photo()])
    stored = ConcernPhoto.objects.get(concern=concern)

    item = read_one(client, concern, fmt)

    assert item["description"] == concern.description
    assert item["media_url"].endswith(stored.image.url)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hidden_concern_shows_no_text_and_no_photo(client, fmt, compound, superuser):
    concern = make_concern(compound, photos=[photo()])
    hide(concern=concern, actor=superuser, note="含有住户门牌号")

    item = read_one(client, concern, fmt)

    assert item["description"] is None
    assert item["media_url"] is None
    assert concern.description not in json.dumps(item, ensure_ascii=False)


def test_a_hidden_partner_request_drops_its_media_url(
    client, partner, placed_compound, superuser
):
    post_request(client, placed_compound, media_url="https://example.com/p.jpg")
    concern = Concern.objects.get()
    before = read_one(client, concern)
    hide(concern=concern, actor=superuser, note="照片拍到了车牌")

    after = read_one(client, concern)

    assert before["media_url"] == "https://example.com/p.jpg"
    assert after["media_url"] is None
    assert after["description"] is None


def test_answer_photos_are_never_published(client, compound):
    concern = make_concern(compound)
    ConcernPhoto.objects.create(
        concern=concern,
        image=SimpleUploadedFile("a.jpg", jpeg_bytes()),
        stage=ConcernPhoto.Stage.RESPONSE,
    )

    assert read_one(client, concern)["media_url"] is None


# Place ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_position_and_address_are_the_compounds_never_the_residents(
    client, fmt, partner, placed_compound
):
    post_request(
        client,
        placed_compound,
        **{
            "attribute[compound]": "",
            "lat": "35.404961",
            "long": "116.593692",
            "address_string": "水景花苑3号楼2单元501室",
        },
    )
    concern = Concern.objects.get()
    assert concern.open311.lat == Decimal("35.404961")

    item = read_one(client, concern, fmt)

    assert float(item["lat"]) == 35.405
    assert float(item["long"]) == 116.588
    assert item["address"] == "济宁市任城区运河路12号"
    assert "501" not in (item["address"] or "")
    body = client.get(f"{BASE}/requests.{fmt}").content.decode()
    assert "35.404961" not in body and "116.593692" not in body
    assert "3号楼" not in body


def test_a_compound_without_a_position_publishes_none(client, compound):
    compound.latitude = compound.longitude = None
    compound.save()
    concern = make_concern(compound)

    item = read_one(client, concern)

    assert item["lat"] is None and item["long"] is None


# Which concerns ----------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        Concern.Source.WALK_IN,
        Concern.Source.DOOR_KNOCK,
        Concern.Source.VISIT_DAY,
        Concern.Source.PHONE,
        Concern.Source.HOTLINE_12345,
        Concern.Source.TEA_TABLE,
        Concern.Source.STAFF,
    ],
)
def test_a_staff_entered_concern_is_published_only_when_marked(
    client, compound, source
):
    concern = make_concern(compound, source=source)
    assert concern.is_public_on_open311 is False

    unmarked = client.get(f"{BASE}/requests/{concern.tracking_code}.json")
    hidden_from_list = listed(client)
    Concern.objects.filter(pk=concern.pk).update(is_public_on_open311=True)

    assert unmarked.status_code == 404
    assert concern.tracking_code not in hidden_from_list
    assert concern.tracking_code in listed(client)


def test_the_residents_own_channels_are_published(client, partner, compound):
    web = make_concern(compound)
    post_request(client, compound)
    posted = Concern.objects.get(source=Concern.Source.OPEN311)

    assert web.is_public_on_open311 and posted.is_public_on_open311
    assert listed(client) == {web.tracking_code, posted.tracking_code}


def test_a_merged_concern_stays_out(client, compound, superuser):
    kept = make_concern(compound)
    duplicate = make_concern(compound)
    merge(concern=duplicate, actor=superuser, into=kept)

    assert listed(client) == {kept.tracking_code}
    response = client.get(f"{BASE}/requests/{duplicate.tracking_code}.json")
    assert response.status_code == 404


def test_staff_mark_a_concern_public_in_the_admin(client, compound, superuser):
    concern = make_concern(compound, source=Concern.Source.WALK_IN)
    client.force_login(superuser)
    url = f"/admin/consultations/concern/{concern.pk}/change/"
    page = client.get(url)
    data = {"is_public_on_open311": "on"}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for form in [formset.management_form, *formset.forms]:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                value = getattr(value, "pk", value)
                data[form.add_prefix(name)] = "" if value is None else value

    saved = client.post(url, data)

    assert saved.status_code == 302
    concern.refresh_from_db()
    assert concern.is_public_on_open311 is True
    assert concern.status == Concern.Status.SUBMITTED


# Contact details ----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_name_phone_or_email_in_any_read(client, fmt, partner, compound):
    make_concern(compound, name=NAME, phone=PHONE, email=EMAIL, photos=[photo()])
    post_request(
        client,
        compound,
        first_name="秀英",
        last_name="王",
        phone=PHONE,
        email=EMAIL,
        device_id="device-42",
        account_id="account-42",
    )
    bodies = [client.get(f"{BASE}/requests.{fmt}").content.decode()]
    for concern in Concern.objects.all():
        bodies.append(
            client.get(
                f"{BASE}/requests/{concern.tracking_code}.{fmt}"
            ).content.decode()
        )
        bodies.append(
            client.get(
                f"{BASE}/requests.{fmt}",
                {"service_request_id": concern.tracking_code},
            ).content.decode()
        )

    for body in bodies:
        for secret in (NAME, "13800138000", "8613800138000", EMAIL, "device-42"):
            assert secret not in body
    assert len(items(client.get(f"{BASE}/requests.{fmt}"), fmt)) == 2


# The public form ----------------------------------------------------------


def test_the_form_says_what_becomes_public(client):
    response = client.get("/concerns/new/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    text = response.content.decode()
    assert "问题描述和随诉求提交的照片会在公开页面和合作平台上显示" in text
    assert "姓名、电话和邮箱不会公开" in text

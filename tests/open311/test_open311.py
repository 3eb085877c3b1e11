"""Open311 GeoReport v2: every endpoint in both formats, every filter and
every error code, as a strict client would check them."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from consultations.models import Concern
from consultations.services import accept, close, dispatch, respond
from open311 import views as open311
from open311.models import Open311Submission
from tests.clients import PARTNER_KEY, make_concern
from tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
FORMATS = ["xml", "json"]
W3C_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


def parse(response, fmt):
    """The body as Python data, checking the format's rules on the way."""
    content_type = response["Content-Type"]
    if fmt == "json":
        assert content_type == "application/json; charset=utf-8"
        return json.loads(response.content)
    assert content_type == "text/xml; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "xmlns" not in text
    root = ET.fromstring(response.content)
    assert "{" not in root.tag
    return root


def errors_of(response, fmt):
    """[(code, description)] from an error list, in either format."""
    data = parse(response, fmt)
    if fmt == "json":
        assert isinstance(data, list) and data
        return [(e["code"], e["description"]) for e in data]
    assert data.tag == "errors"
    return [
        (int(e.findtext("code")), e.findtext("description"))
        for e in data.findall("error")
    ]


def requests_of(response, fmt):
    """The requests of a service_requests answer as a list of dicts."""
    data = parse(response, fmt)
    if fmt == "json":
        assert isinstance(data, list)
        return data
    assert data.tag == "service_requests"
    return [{child.tag: child.text for child in item} for item in data]


def post(client, fmt, data, query=""):
    return client.post(f"{BASE}/requests.{fmt}{query}", data)


@pytest.fixture
def placed_compound(grid):
    return CompoundFactory(
        grid=grid,
        name="水景花苑",
        address="济宁市任城区运河路12号",
        latitude=Decimal("35.405000"),
        longitude=Decimal("116.587000"),
    )


# Discovery --------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_the_endpoint_with_both_formats(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")

    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        assert {"changeset", "contact", "key_service", "endpoints"} <= set(data)
        endpoint = data["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["url"].endswith("/open311/v2")
        assert endpoint["type"] == "production"
    else:
        assert data.tag == "discovery"
        endpoint = data.find("endpoints/endpoint")
        assert endpoint.findtext("specification") == (
            "http://wiki.open311.org/GeoReport_v2"
        )
        assert [f.text for f in endpoint.findall("formats/format")] == [
            "text/xml",
            "application/json",
        ]
        assert data.findtext("changeset")


# Services ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_concern_categories(client, fmt, sanitation):
    sanitation.is_active = False
    sanitation.save()

    response = client.get(f"{BASE}/services.{fmt}")

    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        codes = [s["service_code"] for s in data]
        parking = next(s for s in data if s["service_code"] == "parking")
        assert parking["metadata"] is True
        assert parking["type"] == "realtime"
        assert parking["service_name"] == "停车秩序与消防通道"
        assert {"description", "keywords", "group"} <= set(parking)
    else:
        assert data.tag == "services"
        codes = [s.findtext("service_code") for s in data.findall("service")]
        parking = next(
            s
            for s in data.findall("service")
            if s.findtext("service_code") == "parking"
        )
        assert parking.findtext("metadata") == "true"
        assert parking.findtext("type") == "realtime"
    assert "parking" in codes
    assert "sanitation" not in codes


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_offers_the_compound_as_a_single_value_list(
    client, fmt, placed_compound
):
    response = client.get(f"{BASE}/services/parking.{fmt}")

    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        assert data["service_code"] == "parking"
        attribute = next(a for a in data["attributes"] if a["code"] == "compound")
        assert attribute["datatype"] == "singlevaluelist"
        assert attribute["variable"] is True
        assert attribute["required"] is False
        assert attribute["order"] == 1
        keys = [v["key"] for v in attribute["values"]]
        orders = [a["order"] for a in data["attributes"]]
    else:
        assert data.tag == "service_definition"
        assert data.findtext("service_code") == "parking"
        attribute = next(
            a
            for a in data.findall("attributes/attribute")
            if a.findtext("code") == "compound"
        )
        assert attribute.findtext("datatype") == "singlevaluelist"
        assert attribute.findtext("required") == "false"
        keys = [v.findtext("key") for v in attribute.findall("values/value")]
        orders = [
            int(a.findtext("order")) for a in data.findall("attributes/attribute")
        ]
    assert str(placed_compound.pk) in keys
    assert len(set(orders)) == len(orders) and min(orders) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_definition_is_a_404_error_list(client, fmt):
    response = client.get(f"{BASE}/services/no_such_thing.{fmt}")

    assert response.status_code == 404
    [(code, description)] = errors_of(response, fmt)
    assert code == 404
    assert "no_such_thing" in description


# POST requests ----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_a_request_creates_an_open311_concern(
    client, fmt, partner, placed_compound
):
    response = post(
        client,
        fmt,
        {
            "api_key": PARTNER_KEY,
            "service_code": "parking",
            "attribute[compound]": str(placed_compound.pk),
            "attribute[urgency]": "urgent",
            "description": "消防通道被私家车占用。",
            "first_name": "小明",
            "last_name": "王",
            "phone": "13800000001",
            "email": "resident@example.com",
            "media_url": "https://example.com/photo.jpg",
            "account_id": "acct-7",
            "jurisdiction_id": "",
        },
    )

    assert response.status_code == 200, response.content.decode()
    [item] = requests_of(response, fmt)
    concern = Concern.objects.get(tracking_code=item["service_request_id"])
    assert "token" not in item
    assert concern.formatted_code in item["service_notice"]
    assert item["account_id"] == "acct-7"
    assert concern.source == Concern.Source.OPEN311
    assert concern.partner == "12345热线"
    assert concern.compound == placed_compound
    assert concern.urgency == Concern.Urgency.URGENT
    assert concern.name == "王小明"
    assert concern.phone == "+8613800000001"
    submission = Open311Submission.objects.get(concern=concern)
    assert submission.partner == partner
    assert submission.media_url == "https://example.com/photo.jpg"
    partner.refresh_from_db()
    assert partner.last_used_at is not None


def test_api_key_is_accepted_in_the_query_string(client, partner, placed_compound):
    response = post(
        client,
        "json",
        {
            "api_key": "",
            "service_code": "parking",
            "address_id": str(placed_compound.pk),
            "description": "车辆乱停。",
        },
        query=f"?api_key={PARTNER_KEY}",
    )

    assert response.status_code == 200
    assert Concern.objects.filter(source="open311").count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "key, reason", [(None, "required"), ("wrong-key", "not valid"), ("", "required")]
)
def test_post_without_a_valid_key_is_a_403_error_list(
    client, fmt, partner, placed_compound, key, reason
):
    data = {
        "service_code": "parking",
        "attribute[compound]": str(placed_compound.pk),
        "description": "车辆乱停。",
    }
    if key is not None:
        data["api_key"] = key

    response = post(client, fmt, data)

    assert response.status_code == 403
    [(code, description)] = errors_of(response, fmt)
    assert code == 403
    assert "api_key" in description
    assert not Concern.objects.exists()


def test_a_deactivated_partner_cannot_post(client, partner, placed_compound):
    partner.is_active = False
    partner.save()

    response = post(
        client,
        "json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "parking",
            "attribute[compound]": str(placed_compound.pk),
            "description": "车辆乱停。",
        },
    )

    assert response.status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "change, status, fragment",
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "no_such_service"}, 404, "no_such_service"),
        ({"attribute[compound]": ""}, 400, "address_string"),
        ({"attribute[compound]": "999999"}, 400, "999999"),
        ({"description": ""}, 400, "description"),
        ({"description": "长" * 4001}, 400, "4000"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"lat": "abc", "long": "116.5"}, 400, "lat"),
        ({"lat": "95", "long": "116.5"}, 400, "lat"),
        ({"attribute[kind]": "shouting"}, 400, "kind"),
        ({"jurisdiction_id": "elsewhere.example"}, 404, "elsewhere.example"),
    ],
)
def test_bad_posts_are_refused_with_the_spec_error_codes(
    client, fmt, partner, placed_compound, change, status, fragment
):
    data = {
        "api_key": PARTNER_KEY,
        "service_code": "parking",
        "attribute[compound]": str(placed_compound.pk),
        "description": "车辆乱停。",
        **change,
    }

    response = post(client, fmt, data)

    assert response.status_code == status
    [(code, description)] = errors_of(response, fmt)
    assert code == status
    assert fragment in description
    assert not Concern.objects.exists()


def test_a_location_by_lat_long_finds_the_nearest_compound(
    client, partner, placed_compound, grid
):
    CompoundFactory(
        grid=grid, latitude=Decimal("35.500000"), longitude=Decimal("116.700000")
    )

    response = post(
        client,
        "xml",
        {
            "api_key": PARTNER_KEY,
            "service_code": "sanitation",
            "lat": "35.4051",
            "long": "116.5872",
            "description": "垃圾没有清运。",
        },
    )

    assert response.status_code == 200
    concern = Concern.objects.get()
    assert concern.compound == placed_compound
    assert concern.open311.lat == Decimal("35.405100")


def test_a_lat_long_far_from_every_compound_is_refused(
    client, partner, placed_compound
):
    response = post(
        client,
        "json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "sanitation",
            "lat": "39.9",
            "long": "116.4",
            "description": "垃圾没有清运。",
        },
    )

    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_a_location_by_address_string_finds_the_compound_named_in_it(
    client, partner, placed_compound
):
    response = post(
        client,
        "json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "sanitation",
            "address_string": "水景花苑3号楼2单元",
            "description": "垃圾没有清运。",
        },
    )

    assert response.status_code == 200
    assert Concern.objects.get().compound == placed_compound


def test_posts_share_the_public_forms_rate_limit(
    client, settings, partner, placed_compound
):
    settings.CONCERN_RATE_LIMITS = {"address": "2/3600", "phone": ""}
    data = {
        "api_key": PARTNER_KEY,
        "service_code": "parking",
        "attribute[compound]": str(placed_compound.pk),
        "description": "车辆乱停。",
        "device_id": "phone-1",
    }

    statuses = [post(client, "json", data).status_code for _ in range(3)]
    other_device = post(client, "json", {**data, "device_id": "phone-2"})

    assert statuses == [200, 200, 429]
    assert errors_of(post(client, "xml", data), "xml")[0][0] == 429
    assert other_device.status_code == 200
    assert Concern.objects.count() == 3


# Reading requests -------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_request_reads_back_by_id_as_a_list_of_one(
    client, fmt, partner, placed_compound
):
    posted = post(
        client,
        "json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "parking",
            "attribute[compound]": str(placed_compound.pk),
            "description": "车辆乱停。",
            "media_url": "https://example.com/p.jpg",
        },
    )
    request_id = json.loads(posted.content)[0]["service_request_id"]

    response = client.get(f"{BASE}/requests/{request_id}.{fmt}")

    assert response.status_code == 200
    [item] = requests_of(response, fmt)
    concern = Concern.objects.get()
    assert item["service_request_id"] == concern.tracking_code
    assert item["status"] == "open"
    with translation.override("zh-hans"):
        assert item["status_notes"] == str(Concern.Status.SUBMITTED.label)
    assert item["service_code"] == "parking"
    assert item["service_name"] == "停车秩序与消防通道"
    assert item["description"] == "车辆乱停。"
    assert item["address"] == "济宁市任城区运河路12号"
    assert item["media_url"] == "https://example.com/p.jpg"
    assert W3C_LOCAL.match(item["requested_datetime"])
    assert W3C_LOCAL.match(item["updated_datetime"])
    assert W3C_LOCAL.match(item["expected_datetime"])
    assert "phone" not in item and "email" not in item
    if fmt == "json":
        assert item["lat"] == pytest.approx(35.405)
        assert item["zipcode"] is None
        assert item["service_notice"] is None
    else:
        assert float(item["lat"]) == pytest.approx(35.405)
        assert item["zipcode"] is None


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("request_id", ["999999", "abc"])
def test_an_unknown_request_is_a_404_error_list(client, fmt, request_id):
    response = client.get(f"{BASE}/requests/{request_id}.{fmt}")

    assert response.status_code == 404
    assert errors_of(response, fmt)[0][0] == 404


def test_a_closed_concern_reads_closed_with_its_state_in_the_notes(
    client, superuser, serving_contract
):
    concern = make_concern(serving_contract.compound)
    accept(concern=concern, actor=superuser)
    dispatch(concern=concern, actor=superuser, to="company")
    concern.refresh_from_db()
    expected = concern.due_at

    open_item = requests_of(
        client.get(f"{BASE}/requests/{concern.tracking_code}.json"), "json"
    )
    concern.refresh_from_db()
    respond_and_close(concern, superuser)
    closed_item = requests_of(
        client.get(f"{BASE}/requests/{concern.tracking_code}.json"), "json"
    )

    assert open_item[0]["status"] == "open"
    with translation.override("zh-hans"):
        assert open_item[0]["status_notes"] == str(Concern.Status.DISPATCHED.label)
    assert open_item[0]["agency_responsible"] == serving_contract.company.name
    assert open_item[0]["expected_datetime"] == (
        timezone.localtime(expected).isoformat(timespec="seconds")
    )
    concern.refresh_from_db()
    assert closed_item[0]["status"] == "closed"
    with translation.override("zh-hans"):
        assert closed_item[0]["status_notes"] == concern.get_status_display()
    assert closed_item[0]["updated_datetime"] == (
        timezone.localtime(concern.closed_at).isoformat(timespec="seconds")
    )


def respond_and_close(concern, actor):
    from consultations.services import sign, start

    sign(concern=concern, actor=actor)
    start(concern=concern, actor=actor)
    respond(concern=concern, actor=actor, note="已清理。")
    close(concern=concern, actor=actor)


@pytest.fixture
def three_concerns(compound, other_compound, sanitation, parking):
    old = make_concern(compound, sanitation)
    Concern.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=100)
    )
    recent_parking = make_concern(compound, parking)
    recent_sanitation = make_concern(other_compound, sanitation)
    Concern.objects.filter(pk=recent_sanitation.pk).update(status="closed")
    return old, recent_parking, recent_sanitation


def ids(response, fmt="json"):
    assert response.status_code == 200, response.content
    return {item["service_request_id"] for item in requests_of(response, fmt)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_request_list_defaults_to_the_last_90_days(client, fmt, three_concerns):
    old, recent_parking, recent_sanitation = three_concerns

    assert ids(client.get(f"{BASE}/requests.{fmt}"), fmt) == {
        recent_parking.tracking_code,
        recent_sanitation.tracking_code,
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_request_list_filters_by_service_code_and_status(
    client, fmt, three_concerns
):
    old, recent_parking, recent_sanitation = three_concerns
    url = f"{BASE}/requests.{fmt}"

    assert ids(client.get(url, {"service_code": "parking"}), fmt) == {
        recent_parking.tracking_code
    }
    assert ids(client.get(url, {"service_code": "parking,sanitation"}), fmt) == {
        recent_parking.tracking_code,
        recent_sanitation.tracking_code,
    }
    assert ids(client.get(url, {"status": "open"}), fmt) == {
        recent_parking.tracking_code
    }
    assert ids(client.get(url, {"status": "closed"}), fmt) == {
        recent_sanitation.tracking_code
    }
    assert ids(client.get(url, {"status": "open,closed"}), fmt) == {
        recent_parking.tracking_code,
        recent_sanitation.tracking_code,
    }
    assert ids(client.get(url, {"status": "", "service_code": ""}), fmt) == {
        recent_parking.tracking_code,
        recent_sanitation.tracking_code,
    }


def test_the_request_list_filters_by_date_window(client, three_concerns):
    old, recent_parking, recent_sanitation = three_concerns
    now = timezone.localtime()
    start = (now - timedelta(days=120)).isoformat(timespec="seconds")
    end = (now - timedelta(days=50)).isoformat(timespec="seconds")

    found = ids(
        client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end})
    )
    only_start = ids(client.get(f"{BASE}/requests.json", {"start_date": start}))
    utc = timezone.now() - timedelta(days=1)
    since_yesterday = ids(
        client.get(
            f"{BASE}/requests.json",
            {"start_date": utc.strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
    )

    assert found == {old.tracking_code}
    assert only_start == {old.tracking_code}
    assert since_yesterday == {
        recent_parking.tracking_code,
        recent_sanitation.tracking_code,
    }


def test_service_request_ids_override_every_other_filter(client, three_concerns):
    old, recent_parking, recent_sanitation = three_concerns

    found = ids(
        client.get(
            f"{BASE}/requests.json",
            {
                "service_request_id": (
                    f"{old.tracking_code},{recent_parking.tracking_code},nonsense"
                ),
                "service_code": "greening",
                "status": "closed",
            },
        )
    )

    assert found == {old.tracking_code, recent_parking.tracking_code}


def test_the_request_list_stops_at_the_row_limit(client, monkeypatch, three_concerns):
    monkeypatch.setattr(open311, "MAX_ROWS", 1)

    assert len(ids(client.get(f"{BASE}/requests.json"))) == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"status": "pending"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
        (
            {
                "start_date": "2026-01-01T00:00:00+08:00",
                "end_date": "2026-06-01T00:00:00+08:00",
            },
            "90",
        ),
        (
            {
                "start_date": "2026-06-01T00:00:00+08:00",
                "end_date": "2026-01-01T00:00:00+08:00",
            },
            "end_date",
        ),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_list_filters_are_a_400_error_list(client, fmt, params, fragment):
    response = client.get(f"{BASE}/requests.{fmt}", params)

    assert response.status_code == 400
    [(code, description)] = errors_of(response, fmt)
    assert code == 400
    assert fragment in description


def test_an_unknown_jurisdiction_is_a_404_and_an_empty_one_is_ignored(client, settings):
    settings.OPEN311_JURISDICTION_ID = "jiyang.example"

    unknown = client.get(f"{BASE}/services.json", {"jurisdiction_id": "other.example"})
    empty = client.get(f"{BASE}/services.json", {"jurisdiction_id": ""})
    right = client.get(f"{BASE}/services.xml", {"jurisdiction_id": "jiyang.example"})

    assert unknown.status_code == 404
    assert errors_of(unknown, "json")[0][0] == 404
    assert empty.status_code == 200
    assert right.status_code == 200


# Never an HTML page -----------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "method, path",
    [
        ("put", "requests"),
        ("delete", "requests"),
        ("post", "services"),
        ("patch", "discovery"),
        ("post", "requests/1"),
    ],
)
def test_a_wrong_method_is_a_405_error_list(client, fmt, method, path):
    response = getattr(client, method)(f"{BASE}/{path}.{fmt}")

    assert response.status_code == 405
    assert errors_of(response, fmt)[0][0] == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "path, fmt",
    [
        ("services.json/", "json"),
        ("services.csv", "xml"),
        ("tokens/abc.json", "json"),
        ("nothing/here", "xml"),
        ("", "xml"),
    ],
)
def test_unknown_paths_are_a_404_error_list(client, path, fmt):
    response = client.get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert errors_of(response, fmt)[0][0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_server_failure_is_a_500_error_list(client, fmt, monkeypatch):
    def explode():
        raise RuntimeError("database went away")

    monkeypatch.setattr(open311, "active_categories", explode)

    response = client.get(f"{BASE}/services.{fmt}")

    assert response.status_code == 500
    [(code, description)] = errors_of(response, fmt)
    assert code == 500
    assert "database" not in description


def test_anonymous_reads_are_throttled(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "open311": "2/minute",
        },
    }

    statuses = [client.get(f"{BASE}/services.xml").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_errors_speak_english_when_asked(client):
    response = client.get(f"{BASE}/services/nothing.json", HTTP_ACCEPT_LANGUAGE="en")

    assert errors_of(response, "json")[0][1].startswith("Unknown service_code")


def test_xml_drops_characters_xml_cannot_carry(client, compound):
    make_concern(compound, description="坏了\x0b\x01的路灯")

    response = client.get(f"{BASE}/requests.xml")

    [item] = requests_of(response, "xml")
    assert item["description"] == "坏了的路灯"


def test_the_request_list_costs_the_same_queries_for_more_rows(client, compound):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{BASE}/requests.xml").status_code == 200
        return len(queries)

    make_concern(compound)
    few = list_queries()
    for _ in range(5):
        make_concern(compound)

    assert list_queries() == few

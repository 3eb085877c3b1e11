"""Bad input gets a clear error, never a 500: odd digits, NUL bytes, dates
at the edge of the calendar, unknown charsets, a double tap, spreadsheet
formulas, the error pages and the error log."""

import io
import json
import logging
import re
import threading
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.template import loader
from django.test import Client
from django.urls import path, reverse
from django.views.defaults import server_error
from openpyxl import load_workbook

from assessments.models import MonthlyCompoundScore
from civic import services as civic_services
from common.logging import JsonFormatter
from common.parsing import check_text, parse_id
from common.spreadsheets import csv_text
from compounds.models import Compound
from consultations.models import Concern
from org.admin_scope import csv_cell
from tests.clients import PARTNER_KEY, make_concern
from tests.conftest import need
from tests.factories import PropertyCompanyFactory

pytestmark = pytest.mark.django_db

OPEN311 = "/open311/v2"
ODD_DIGITS = ["²", "①", "٣", "１"]
HAS_CHINESE = re.compile("[\u4e00-\u9fff]")


def open311_errors(response) -> list[dict]:
    data = json.loads(response.content)
    assert isinstance(data, list) and data, data
    return data


def assert_chinese_open311_error(response, status=400):
    assert response.status_code == status, response.content.decode()
    [error] = open311_errors(response)
    assert error["code"] == status
    assert HAS_CHINESE.search(error["description"]), error


# Unicode digits -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (42, 42),
        ("0", 0),
        ("²", None),
        ("①", None),
        ("٣", None),
        ("１", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
        (None, None),
        (True, None),
        ("9" * 19, None),
        ("9" * 18, 10**18 - 1),
    ],
)
def test_parse_id_accepts_only_ascii_digits_of_sane_length(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_public_form_ignores_a_compound_in_odd_digits(client, compound, digit):
    response = client.get("/concerns/new/", {"compound": digit})

    assert response.status_code == 200


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_objection_to_a_disclosure_in_odd_digits_is_refused(digit):
    with pytest.raises(ValidationError):
        civic_services.disclosure_for_objection(digit)


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_open311_ids_in_odd_digits_are_a_client_error(client, partner, compound, digit):
    listed = client.get(f"{OPEN311}/requests.json", {"service_request_id": digit})
    assert listed.status_code == 200
    assert json.loads(listed.content) == []

    page = client.get(f"{OPEN311}/requests.json", {"page": digit})
    assert_chinese_open311_error(page)

    detail = client.get(f"{OPEN311}/requests/{digit}.json")
    assert_chinese_open311_error(detail, status=404)

    for name in ("attribute[compound]", "address_id"):
        posted = client.post(
            f"{OPEN311}/requests.json",
            {
                "api_key": PARTNER_KEY,
                "service_code": "parking",
                name: digit,
                "description": "消防通道被占用。",
            },
        )
        assert_chinese_open311_error(posted)


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_staff_lists_ignore_filters_in_odd_digits(client, street_admin, digit):
    client.force_login(street_admin)

    for name in ("unit", "category"):
        response = client.get("/concerns/staff/", {name: digit})
        assert response.status_code == 200


@pytest.mark.parametrize("digit", ODD_DIGITS)
@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("inspector", "/assessments/inspections/new/"),
        ("property_manager", "/visit-day/reports/new/"),
    ],
)
def test_staff_forms_ignore_a_compound_in_odd_digits(
    client, request, compound, who, url, digit
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(url, {"compound": digit})

    assert response.status_code == 200
    assert f'value="{digit}" selected' not in response.content.decode()


# NUL bytes (PostgreSQL refuses them in any string) ---------------------------


@pytest.mark.parametrize("q", ["\x00", "a\x00b"])
def test_compound_search_refuses_a_nul_with_a_chinese_error(client, compound, q):
    response = client.get("/concerns/compounds.json", {"q": q})

    assert response.status_code == 400
    assert HAS_CHINESE.search(response.json()["error"])


def test_home_page_search_refuses_a_nul_with_a_chinese_error(client, compound):
    response = client.get("/", {"q": "水景\x00"})

    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_check_text_refuses_a_nul():
    assert check_text("水景花苑") == "水景花苑"
    with pytest.raises(ValidationError):
        check_text("a\x00b")


@pytest.mark.parametrize(
    "field",
    [
        "service_code",
        "description",
        "first_name",
        "last_name",
        "device_id",
        "account_id",
        "address_string",
        "phone",
        "email",
        "api_key",
        "attribute[kind]",
    ],
)
def test_open311_post_refuses_a_nul_in_any_parameter(client, partner, compound, field):
    data = {
        "api_key": PARTNER_KEY,
        "service_code": "parking",
        "attribute[compound]": str(compound.pk),
        "description": "消防通道被占用。",
    }
    data[field] = data.get(field, "x") + "\x00"

    response = client.post(f"{OPEN311}/requests.json", data)

    assert_chinese_open311_error(response)


@pytest.mark.parametrize(
    "query",
    [
        {"service_code": "parking\x00"},
        {"status": "open\x00"},
        {"jurisdiction_id": "\x00"},
        {"start_date": "2026-10-01\x00"},
    ],
)
def test_open311_reads_refuse_a_nul(client, query):
    response = client.get(f"{OPEN311}/requests.json", query)

    assert_chinese_open311_error(response)


def test_open311_service_definition_refuses_a_nul(client):
    response = client.get(f"{OPEN311}/services/%00.json")

    assert_chinese_open311_error(response)


# Open311 dates at the edge of the calendar ----------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "9999-12-31T23:59:59Z"},
        {"end_date": "0001-01-01T00:00:00Z"},
        {"start_date": "9999-12-31"},
        {"end_date": "9999-12-31"},
        {"start_date": "0001-01-01", "end_date": "0001-01-02"},
        {"start_date": "9999-12-30T00:00:00+08:00", "end_date": "9999-12-31"},
    ],
)
def test_open311_dates_at_the_edge_are_a_chinese_client_error(client, query):
    response = client.get(f"{OPEN311}/requests.json", query)

    assert_chinese_open311_error(response)


# Form posts in an unexpected charset ----------------------------------------


@pytest.mark.parametrize("charset", ["latin-1", "ISO-8859-1", "gbk"])
def test_a_form_post_in_another_charset_is_a_chinese_400(compound, charset):
    # As in production: the CSRF check reads the body first.
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/concerns/new/")  # the CSRF cookie

    response = client.generic(
        "POST",
        "/concerns/new/",
        "compound=1&description=abc",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    assert "无法读取请求" in response.content.decode()


def test_a_form_post_in_an_unknown_charset_is_not_a_server_error(compound):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/concerns/new/")

    response = client.generic(
        "POST",
        "/concerns/new/",
        "compound=1&description=abc",
        content_type="application/x-www-form-urlencoded; charset=x-no-such",
    )

    assert response.status_code < 500


# The error pages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "heading"), [("500.html", "系统出现故障"), ("400.html", "无法读取请求")]
)
def test_error_pages_render_in_chinese_without_any_context(name, heading):
    html = loader.get_template(name).render()

    assert heading in html
    assert '<html lang="zh-hans">' in html


def test_server_error_view_answers_the_chinese_page(rf):
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "系统出现故障" in response.content.decode()


# A double tap on the public form -------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_answers_the_first_concerns_receipt(compound):
    """Two submissions with one token at once: one row, both get its code."""
    engine = connection.settings_dict["ENGINE"]
    need("postgresql" in engine, "the race needs PostgreSQL's row locks")
    token = "0123456789abcdef0123456789abcdef"
    first_saved, commit_first = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def submit(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                results[name] = make_concern(compound, submission_token=token)
                if hold:
                    # The first request has inserted but not committed yet.
                    first_saved.set()
                    commit_first.wait(10)
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=submit, args=("first", True))
    first.start()
    assert first_saved.wait(10)
    second = threading.Thread(target=submit, args=("second", False))
    second.start()
    # The second insert now waits on the first's uncommitted row.
    second.join(0.5)
    commit_first.set()
    first.join(10)
    second.join(10)

    assert isinstance(results["first"], Concern), results
    assert isinstance(results["second"], Concern), results
    assert results["second"].pk == results["first"].pk
    assert Concern.objects.filter(submission_token=token).count() == 1


# Spreadsheet formulas in the exports ----------------------------------------


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("=1+2", "'=1+2"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("42", "42"),
        ("水景花苑", "水景花苑"),
        ("", ""),
    ],
)
def test_csv_text_quotes_formulas_and_keeps_numbers(text, quoted):
    assert csv_text(text) == quoted


@pytest.mark.parametrize("name", ["=1+2", "+1+cmd|' /C calc'!A0", "\t=1+1"])
def test_admin_csv_cells_never_start_a_formula(compound, name):
    compound.name = name
    model_admin = admin.site._registry[Compound]

    cell = csv_cell("name", compound, model_admin)

    assert cell.startswith("'")


def test_xlsx_export_writes_formula_like_names_as_text(client, street_admin, compound):
    company = PropertyCompanyFactory(registered_with=compound.street, name="=1+2")
    compound.name = "+1+cmd|' /C calc'!A0"
    compound.save()
    MonthlyCompoundScore.objects.create(
        compound=compound,
        month=date(2026, 2, 1),
        street=compound.street,
        community=compound.community,
        grid=compound.grid,
        company=company,
        score=Decimal("-1.5"),
        inspections=1,
        households=200,
    )
    client.force_login(street_admin)

    response = client.get(reverse("assessments:months-export"), {"month": "2026-02"})

    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content)).active
    _month, name, _community, company_cell, households, score = list(sheet[4])[:6]
    assert (name.value, name.data_type) == ("+1+cmd|' /C calc'!A0", "s")
    assert (company_cell.value, company_cell.data_type) == ("=1+2", "s")
    assert (households.value, households.data_type) == (200, "n")
    assert (score.value, score.data_type) == (-1.5, "n")


# Errors logged as JSON lines ------------------------------------------------


def _boom(request):
    raise RuntimeError("boom in a view")


class BoomUrls:
    """A URLconf of one view that fails."""

    urlpatterns = [path("boom/", _boom)]


@pytest.fixture
def json_log():
    """What the configured JSON handler writes, while the test runs."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, JsonFormatter)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_server_error_is_logged_as_one_json_line(settings, street_admin, json_log):
    settings.ROOT_URLCONF = BoomUrls
    client = Client(raise_request_exception=False)
    client.force_login(street_admin)

    response = client.get("/boom/", headers={"X-Request-ID": "proxy-0123456789"})

    assert response.status_code == 500
    assert response["X-Request-ID"] == "proxy-0123456789"
    lines = json_log.getvalue().splitlines()
    [entry] = [json.loads(line) for line in lines]
    assert entry["logger"] == "django.request"
    assert entry["level"] == "ERROR"
    assert "Internal Server Error: /boom/" in entry["message"]
    assert entry["request_id"] == "proxy-0123456789"
    assert entry["user_id"] == street_admin.pk
    assert entry["path"] == "/boom/"
    assert "RuntimeError: boom in a view" in entry["exception"]


@pytest.mark.parametrize("header", [None, "short", "bad id with spaces", "x" * 65])
def test_a_request_without_a_sane_id_gets_a_new_one(client, header):
    headers = {"X-Request-ID": header} if header else {}

    response = client.get("/", headers=headers)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_an_app_warning_outside_a_request_is_a_json_line_too(json_log):
    logging.getLogger("consultations.notifications").warning("broker %s", "down")

    entry = json.loads(json_log.getvalue())
    assert entry["message"] == "broker down"
    assert entry["logger"] == "consultations.notifications"
    assert entry["request_id"] is None

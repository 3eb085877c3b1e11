"""The API pieces every app shares: one error format, period filters."""

import os
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions

from common.api import MonthField, QuarterField, exception_handler, period_filter
from common.periods import Month, Quarter
from org.models import OrgUnit, User


def test_a_services_field_error_is_a_400_on_that_field():
    response = exception_handler(ValidationError({"phone": "bad number"}), {})

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["fields"] == {"phone": ["bad number"]}


def test_a_services_plain_error_is_a_non_field_error():
    response = exception_handler(ValidationError("not now"), {})

    assert response.status_code == 400
    assert response.data["fields"] == {"non_field_errors": ["not now"]}


@pytest.mark.parametrize(
    "error, status, code",
    [
        (Http404(), 404, "not_found"),
        (PermissionDenied(), 403, "permission_denied"),
        (exceptions.Throttled(wait=7.5), 429, "throttled"),
    ],
)
def test_other_errors_keep_their_status_and_a_code(error, status, code):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["fields"] == {}


def test_a_throttled_call_is_told_when_to_retry():
    response = exception_handler(exceptions.Throttled(wait=7.5), {})

    assert response["Retry-After"] == "8"


def test_an_unexpected_error_is_a_500_in_the_same_format():
    response = exception_handler(RuntimeError("boom"), {})

    assert response.status_code == 500
    assert response.data["code"] == "server_error"


def test_month_and_quarter_fields_give_periods_and_refuse_nonsense():
    assert MonthField().clean("2026-12") == Month(2026, 12)
    assert QuarterField().clean("2026Q4") == Quarter(2026, 4)
    with pytest.raises(ValidationError):
        MonthField().clean("2026-13")
    with pytest.raises(ValidationError):
        QuarterField().clean("2026Q5")


def test_period_filter_stops_before_the_next_period_in_local_time():
    december = Month(2026, 12)

    by_date = period_filter(
        OrgUnit.objects.all(), "established", december.start, december.stop
    )
    by_moment = period_filter(
        User.objects.all(), "date_joined", december.start, december.stop, True
    )

    assert [c.rhs for c in by_date.query.where.children] == [
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    shanghai = ZoneInfo("Asia/Shanghai")
    assert [c.rhs for c in by_moment.query.where.children] == [
        datetime(2026, 12, 1, tzinfo=shanghai),
        datetime(2027, 1, 1, tzinfo=shanghai),
    ]


def test_common_api_never_imports_drfs_views():
    # DRF imports the classes named in REST_FRAMEWORK while its views module
    # is being imported; common.api importing those views would be a cycle.
    code = (
        "import sys, django; django.setup(); import common.api; "
        "sys.exit('rest_framework.views' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "jiyang.settings"},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


def test_a_refusal_keeps_its_own_reason():
    response = exception_handler(
        PermissionDenied("“审批奖励”由以下岗位办理：街道物业办。"), {}
    )

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert "审批奖励" in response.data["detail"]


def test_an_empty_rate_in_the_environment_reaches_the_throttle():
    code = (
        "import django; django.setup()\n"
        "from common.api import AnonThrottle, UserThrottle\n"
        "print(AnonThrottle().rate, UserThrottle().rate)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiyang.settings",
        "API_ANON_RATE": "",
        "API_USER_RATE": "5/minute",
    }

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "5/minute"]

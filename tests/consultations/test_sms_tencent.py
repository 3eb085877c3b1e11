"""The Tencent Cloud backend, through the provider's SDK, against a local
fake of its HTTP API (tests/consultations/fake_tencent_sms.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from consultations.models import Notification
from consultations.notifications import queue_sms, send_notification, sweep_outbox

from . import fake_tencent_sms as fake

pytestmark = pytest.mark.django_db

MOBILE = "+8613800138000"


@pytest.fixture
def provider(settings, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings.SMS_BACKEND = "consultations.sms.TencentBackend"
    settings.SMS_TENCENT_ENDPOINT = f"http://127.0.0.1:{fake.PORT}"
    settings.SMS_TENCENT_SECRET_ID = fake.SECRET_ID
    settings.SMS_TENCENT_SECRET_KEY = fake.SECRET_KEY
    settings.SMS_TENCENT_APP_ID = "1400000001"
    settings.SMS_SIGN_NAME = "济阳红色物业"
    settings.SMS_TEMPLATE_CODES = {"rejected": "2000001", "closed": "2000002"}
    state = fake.FakeProvider()
    server = fake.serve(state)
    yield state
    server.shutdown()
    server.server_close()


def _rejected_sms() -> Notification:
    [row] = queue_sms(
        concern=None,
        to=[MOBILE],
        template="rejected",
        params={"code": "AB12-CD34", "reason": "不属于物业服务范围"},
    )
    return row


def test_success_sends_sign_template_params_and_phone_signed(provider):
    row = _rejected_sms()

    assert send_notification(row.pk)

    [request] = provider.received
    assert request.body == {
        "PhoneNumberSet": [MOBILE],
        "SmsSdkAppId": "1400000001",
        "TemplateId": "2000001",
        "SignName": "济阳红色物业",
        "TemplateParamSet": ["AB12-CD34", "不属于物业服务范围"],
    }
    assert request.headers["X-TC-Action"] == "SendSms"
    assert request.headers["X-TC-Version"] == "2021-01-11"
    assert request.signature_valid
    row.refresh_from_db()
    assert row.sent_at is not None and row.last_error == ""


def test_template_not_approved_fails_for_good_with_a_chinese_reason(provider):
    provider.answer = "template_not_approved"
    row = _rejected_sms()

    assert not send_notification(row.pk)

    row.refresh_from_db()
    assert row.failed_at is not None and row.sent_at is None
    assert row.last_error.startswith("短信服务商未审核通过该短信模板")
    assert "FailedOperation.TemplateIncorrectOrUnapproved" in row.last_error
    provider.answer = "ok"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert sweep_outbox() == 0
    assert len(provider.received) == 1


@pytest.mark.parametrize("answer", ["rate_exceeded", "broken"])
def test_rate_exceeded_or_an_error_page_is_retried_then_sent(provider, answer):
    provider.answer = answer
    row = _rejected_sms()

    assert not send_notification(row.pk)
    row.refresh_from_db()
    assert row.failed_at is None and row.retry_at is not None
    if answer == "rate_exceeded":
        assert "LimitExceeded.PhoneNumberThirtySecondLimit" in row.last_error

    provider.answer = "ok"
    with time_machine.travel(row.retry_at + timedelta(seconds=1)):
        assert sweep_outbox() == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert len(provider.received) == 2
    assert all(r.signature_valid for r in provider.received)


def test_network_error_is_retried(provider, settings):
    settings.SMS_TENCENT_ENDPOINT = f"http://127.0.0.1:{fake.PORT + 1}"  # nobody
    row = _rejected_sms()

    assert not send_notification(row.pk)
    row.refresh_from_db()
    assert row.failed_at is None and row.retry_at is not None and row.last_error


def test_a_template_without_a_configured_code_fails_for_good(provider, settings):
    settings.SMS_TEMPLATE_CODES = {}
    row = _rejected_sms()

    assert not send_notification(row.pk)
    row.refresh_from_db()
    assert row.failed_at is not None
    assert row.last_error == "未配置短信“rejected”的模板编号。"
    assert provider.received == []

"""SMS through the outbox: rows, backends, templates and their lengths."""

import json
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError

from consultations import sms
from consultations.models import Notification
from consultations.notifications import (
    queue_sms,
    send_notification,
    send_notification_task,
    sweep_outbox,
)

pytestmark = pytest.mark.django_db

MOBILE = "+8613800138000"


def test_sms_row_keeps_template_params_and_text_and_is_sent_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [row] = queue_sms(
            concern=None,
            to=["138 0013 8000"],
            template="closed",
            params={"code": "AB12-CD34"},
        )
        assert sms.outbox == []

    assert row.channel == Notification.Channel.SMS
    assert row.to_phone == MOBILE
    assert row.sms_params == ["AB12-CD34"]
    assert row.body == "您的诉求AB12-CD34已办结，感谢您的反映。"
    for callback in callbacks:
        callback()
    [message] = sms.outbox
    assert (message.phone, message.template, message.params) == (
        MOBILE,
        "closed",
        ["AB12-CD34"],
    )
    row.refresh_from_db()
    assert row.sent_at is not None


def test_landlines_get_no_sms():
    rows = queue_sms(
        concern=None,
        to=["0537-2345678", "", "13800138000", "+86 138 0013 8000"],
        template="closed",
        params={"code": "X"},
    )
    assert [r.to_phone for r in rows] == [MOBILE]


def test_long_free_text_is_cut_with_an_ellipsis_links_never():
    long_reason = "不属于物业服务范围，" * 5
    url = "https://wy.example.gov.cn/" + "r" * 40
    [reason] = sms.fit_params("rejected", {"code": "C", "reason": long_reason})[1:]
    assert len(reason) == sms.MAX_TEXT_PARAM_LENGTH
    assert reason.endswith("…")
    assert sms.fit_params("answered", {"code": "C", "url": url})[1] == url


@pytest.mark.parametrize("template", sorted(sms.TEMPLATES))
def test_every_template_fits_the_provider_rules(template, settings):
    spec = sms.TEMPLATES[template]
    # Every variable longer than allowed (cut), links at the provider's
    # variable limit (never cut).
    values = {
        name: "测" * (spec.limit(name) + 5)
        if spec.limit(name)
        else "h" * sms.MAX_PARAM_LENGTH
        for name in spec.params
    }
    params = sms.fit_params(template, values)
    text = sms.signed(sms.render(template, params))

    assert all(len(p) <= sms.MAX_PARAM_LENGTH for p in params)
    assert sms.segments(text) <= sms.MAX_SEGMENTS, text
    filed = sms.filed_text(template)
    assert all(f"{{{n}}}" in filed for n in range(1, len(spec.params) + 1))
    # The filed text is Chinese: no untranslated English left.
    assert not any("a" <= ch.lower() <= "z" for ch in filed), filed


def test_segments_follow_the_70_and_67_rule():
    assert sms.segments("字" * 70) == 1
    assert sms.segments("字" * 71) == 2
    assert sms.segments("字" * 134) == 2
    assert sms.segments("字" * 135) == 3


def test_file_backend_appends_json_lines(settings, tmp_path):
    settings.SMS_BACKEND = "consultations.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    settings.SMS_TEMPLATE_CODES = {"closed": "100001"}
    [row] = queue_sms(
        concern=None, to=[MOBILE], template="closed", params={"code": "Q"}
    )

    assert send_notification(row.pk)
    [line] = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    data = json.loads(line)
    assert data["phone"] == MOBILE
    assert data["template_code"] == "100001"
    assert data["params"] == ["Q"]
    assert data["text"].startswith(f"【{settings.SMS_SIGN_NAME}】")


def test_console_backend_prints_the_signed_text(settings, capsys):
    settings.SMS_BACKEND = "consultations.sms.ConsoleBackend"
    [row] = queue_sms(
        concern=None, to=[MOBILE], template="closed", params={"code": "Q"}
    )

    assert send_notification(row.pk)
    printed = capsys.readouterr().out
    assert MOBILE in printed
    assert f"【{settings.SMS_SIGN_NAME}】您的诉求Q已办结" in printed


def test_a_temporary_failure_is_retried_later_with_a_growing_wait():
    [row] = queue_sms(
        concern=None, to=[MOBILE], template="closed", params={"code": "Q"}
    )
    failing = mock.patch.object(
        sms.LocmemBackend, "send", side_effect=sms.TemporarySmsError("rate")
    )
    start = timezone.now()
    with failing:
        assert not send_notification(row.pk)
    row.refresh_from_db()
    first_wait = row.retry_at - start
    assert row.failed_at is None
    assert row.last_error == "rate"
    assert timedelta(minutes=1) < first_wait <= timedelta(minutes=3)

    with time_machine.travel(start + timedelta(minutes=1, seconds=30), tick=False):
        assert sweep_outbox() == 0  # not due yet
    with failing, time_machine.travel(row.retry_at, tick=False):
        assert sweep_outbox() == 0
    row.refresh_from_db()
    assert row.retry_at - timezone.now() > first_wait  # doubled

    with time_machine.travel(row.retry_at + timedelta(seconds=1), tick=False):
        assert sweep_outbox() == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.retry_at is None
    assert len(sms.outbox) == 1


def test_a_permanent_refusal_fails_the_row_and_the_sweep_leaves_it():
    [row] = queue_sms(
        concern=None, to=[MOBILE], template="closed", params={"code": "Q"}
    )
    refusal = sms.PermanentSmsError("短信模板未通过审核")
    with mock.patch.object(sms.LocmemBackend, "send", side_effect=refusal):
        assert not send_notification(row.pk)
    row.refresh_from_db()
    assert row.failed_at is not None
    assert row.last_error == "短信模板未通过审核"
    assert not Notification.objects.unsent().exists()

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert sweep_outbox() == 0
    assert sms.outbox == []


def test_broker_down_the_sms_stays_in_the_outbox_until_the_sweep(
    django_capture_on_commit_callbacks,
):
    refused = OperationalError("Connection refused.")
    with (
        mock.patch.object(send_notification_task, "delay", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [row] = queue_sms(
            concern=None, to=[MOBILE], template="closed", params={"code": "Q"}
        )
    row.refresh_from_db()
    assert row.sent_at is None and sms.outbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert sweep_outbox() == 1
    assert [m.phone for m in sms.outbox] == [MOBILE]


def test_the_operations_guide_lists_every_template_as_filed(settings):
    guide = (settings.BASE_DIR / "docs" / "operations.md").read_text(encoding="utf-8")
    for template in sms.TEMPLATES:
        assert f"| `{template}` |" in guide
        assert f"| {sms.filed_text(template)} |" in guide

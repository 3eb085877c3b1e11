"""SMS: the templates filed with the provider, and the backends that send
them, chosen like Django's e-mail backends by the dotted path in
`SMS_BACKEND`.

A provider sends only texts it has approved: each message is a template code
plus its parameters, and the provider adds the signature (`SMS_SIGN_NAME`).
The outbox keeps the parameters and the rendered Chinese text side by side,
so a row can be read in the admin and re-sent as filed.
"""

import json
import math
import sys
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

# Provider rules (Tencent Cloud and Alibaba Cloud alike): a Chinese message
# of up to 70 characters, signature included, is one segment; a longer one
# is split into segments of 67. A variable holds at most 35 characters.
SEGMENT_LENGTH = 70
LONG_SEGMENT_LENGTH = 67
MAX_SEGMENTS = 2
MAX_PARAM_LENGTH = 35
# Free text (a place name, a reason) is cut shorter, so the whole message
# stays within MAX_SEGMENTS.
MAX_TEXT_PARAM_LENGTH = 20


@dataclass(frozen=True)
class Template:
    """A text as filed with the provider: `{1}`, `{2}`… are its variables,
    named by `params` in order; `links` are never cut (a cut link is dead)."""

    text: object  # a lazy translation: the filed text is its Chinese
    params: tuple[str, ...]
    links: tuple[str, ...] = ()
    short: dict[str, int] = field(default_factory=dict)

    def limit(self, name: str) -> int | None:
        if name in self.links:
            return None
        return self.short.get(name, MAX_TEXT_PARAM_LENGTH)


TEMPLATES: dict[str, Template] = {
    # To residents
    "receipt": Template(
        _("Your concern is registered, code {1}. Follow it and rate it: {2}"),
        ("code", "url"),
        links=("url",),
    ),
    "answered": Template(
        _("Your concern {1} has been answered. Read and rate the answer: {2}"),
        ("code", "url"),
        links=("url",),
    ),
    "closed": Template(
        _("Your concern {1} is closed. Thank you for telling us."),
        ("code",),
    ),
    "rejected": Template(
        _("Your concern {1} was not accepted. Reason: {2}"),
        ("code", "reason"),
    ),
    "reopened": Template(
        _("Your concern {1} has been reopened; it will be answered again."),
        ("code",),
    ),
    # To staff
    "dispatched": Template(
        _("Concern {1} ({2}) is dispatched to you; deadline {3}."),
        ("code", "place", "due"),
    ),
    "due_tomorrow": Template(
        _("Concern {1} ({2}) is due tomorrow at {3}."),
        ("code", "place", "due"),
    ),
    "overdue": Template(
        _("Concern {1} ({2}) is overdue; its deadline {3} has passed."),
        ("code", "place", "due"),
    ),
    "term_ending": Template(
        _("The term of {1} ends on {2}, in {3} days: prepare the election."),
        ("committee", "ends", "days"),
    ),
    "seat_empty": Template(
        _("{1}: the cross-appointment seat {2} is empty; fill it."),
        ("unit", "seat"),
    ),
    # To companies
    "rectification": Template(
        _("Rectification notice for {1}: {2}. Deadline {3}."),
        ("compound", "item", "deadline"),
    ),
    "rectification_returned": Template(
        _("Rectification at {1} returned after the re-check: {2}. Rectify by {3}."),
        ("compound", "reason", "deadline"),
    ),
    "visit_day": Template(
        _("Tomorrow {1} is a visit day at your compounds: {2}."),
        ("day", "compounds"),
    ),
}


def filed_text(template: str) -> str:
    """The Chinese text of `template` as filed with the provider."""
    with translation.override("zh-hans"):
        return str(TEMPLATES[template].text)


def fit_params(template: str, values: dict[str, object]) -> list[str]:
    """The parameters of `template` in order, each cut to the provider's
    limit ("…" marks a cut)."""
    spec = TEMPLATES[template]
    params = []
    for name in spec.params:
        value = " ".join(str(values.get(name, "")).split())
        limit = spec.limit(name)
        if limit is not None and len(value) > limit:
            value = value[: limit - 1] + "…"
        params.append(value)
    return params


def render(template: str, params: list[str]) -> str:
    """The text the phone shows, signature excluded."""
    text = filed_text(template)
    for number, value in enumerate(params, start=1):
        text = text.replace(f"{{{number}}}", value)
    return text


def signed(text: str) -> str:
    return f"【{settings.SMS_SIGN_NAME}】{text}"


def segments(text: str) -> int:
    """How many segments the provider bills for `text` (signature included)."""
    if len(text) <= SEGMENT_LENGTH:
        return 1
    return math.ceil(len(text) / LONG_SEGMENT_LENGTH)


def template_code(template: str) -> str:
    """The provider's id of `template`, from `SMS_TEMPLATE_CODES`."""
    return settings.SMS_TEMPLATE_CODES.get(template, "")


@dataclass(frozen=True)
class Message:
    phone: str  # E.164
    template: str
    params: list[str]
    text: str

    @property
    def template_code(self) -> str:
        return template_code(self.template)


class SmsError(Exception):
    """A send that failed; `permanent` ones are not retried."""

    permanent = False


class PermanentSmsError(SmsError):
    permanent = True


class TemporarySmsError(SmsError):
    permanent = False


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(message: Message) -> None:
    get_backend().send(message)


class BaseBackend:
    def send(self, message: Message) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message, signed, on standard output (the demo)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: Message) -> None:
        self.stream.write(
            f"SMS to {message.phone} [{message.template}]: {signed(message.text)}\n"
        )
        self.stream.flush()


_file_lock = threading.Lock()


class FileBackend(BaseBackend):
    """Appends each message as one JSON line to `SMS_FILE_PATH`."""

    def send(self, message: Message) -> None:
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "phone": message.phone,
                "template": message.template,
                "template_code": message.template_code,
                "params": message.params,
                "text": signed(message.text),
            },
            ensure_ascii=False,
        )
        with _file_lock, open(settings.SMS_FILE_PATH, "a", encoding="utf-8") as f:
            f.write(line + "\n")


# Sent messages of the LocmemBackend, like django.core.mail.outbox.
outbox: list[Message] = []


class LocmemBackend(BaseBackend):
    def send(self, message: Message) -> None:
        outbox.append(message)


# Tencent Cloud answers these codes for a template or signature it will not
# send: retrying cannot help. Anything else (rate limits, network, its own
# errors) is tried again later.
TENCENT_PERMANENT_PREFIXES = (
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.ContainSensitiveWord",
    "InvalidParameterValue",
    "UnauthorizedOperation",
    "AuthFailure",
    "UnsupportedOperation",
)

PERMANENT_REASONS = {
    "FailedOperation.TemplateIncorrectOrUnapproved": _(
        "The provider has not approved this SMS template."
    ),
    "FailedOperation.SignatureIncorrectOrUnapproved": _(
        "The provider has not approved the SMS signature."
    ),
    "FailedOperation.PhoneNumberInBlacklist": _(
        "The number has refused text messages."
    ),
}


def _tencent_error(code: str, message: str) -> SmsError:
    if code.startswith(TENCENT_PERMANENT_PREFIXES):
        reason = PERMANENT_REASONS.get(code) or _(
            "The provider refused the message for good."
        )
        with translation.override("zh-hans"):
            return PermanentSmsError(f"{reason}（{code}: {message}）")
    return TemporarySmsError(f"{code}: {message}")


class TencentBackend(BaseBackend):
    """Tencent Cloud SMS (API 2021-01-11) through its own SDK."""

    def _client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        endpoint = settings.SMS_TENCENT_ENDPOINT
        scheme, _sep, host = endpoint.rpartition("://")
        http = HttpProfile(protocol=scheme or "https", endpoint=host, reqTimeout=10)
        profile = ClientProfile(httpProfile=http)
        # A local endpoint (the tests' fake) has no backup domain to fall to.
        profile.disable_region_breaker = True
        cred = credential.Credential(
            settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY
        )
        return sms_client.SmsClient(cred, settings.SMS_TENCENT_REGION, profile)

    def send(self, message: Message) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        if not message.template_code:
            with translation.override("zh-hans"):
                raise PermanentSmsError(
                    str(
                        _("No template code is configured for the SMS “%(t)s”.")
                        % {"t": message.template}
                    )
                )
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_TENCENT_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = message.template_code
        request.TemplateParamSet = list(message.params)
        request.PhoneNumberSet = [message.phone]
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise _tencent_error(exc.code or "", exc.message or "") from exc
        for status in response.SendStatusSet or []:
            if status.Code != "Ok":
                raise _tencent_error(status.Code or "", status.Message or "")

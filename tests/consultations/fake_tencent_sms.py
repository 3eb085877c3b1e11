"""A local stand-in for Tencent Cloud's SMS API (SendSms, 2021-01-11): it
checks each request's TC3-HMAC-SHA256 signature with the test secret and
answers as the provider does, by the `answer` set on the server."""

import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 8340
SECRET_ID = "AKIDtestsecretid"
SECRET_KEY = "testsecretkey"
AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/sms/"
    r"tc3_request, SignedHeaders=content-type;host, Signature=(?P<sig>[0-9a-f]{64})$"
)


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def expected_signature(headers, body: bytes, date: str) -> str:
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['Content-Type']}\nhost:{headers['Host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            headers["X-TC-Timestamp"],
            f"{date}/sms/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac(("TC3" + SECRET_KEY).encode(), date)
    key = _hmac(_hmac(key, "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class Received:
    headers: dict
    body: dict
    signature_valid: bool


@dataclass
class FakeProvider:
    answer: str = "ok"  # ok | template_not_approved | rate_exceeded | broken
    received: list[Received] = field(default_factory=list)


def _response(provider: FakeProvider, body: dict) -> tuple[int, dict]:
    request_id = f"req-{len(provider.received)}"
    if provider.answer == "broken":
        return 502, {}
    if provider.answer == "template_not_approved":
        return 200, {
            "Response": {
                "Error": {
                    "Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                    "Message": "template is not approved or not exist",
                },
                "RequestId": request_id,
            }
        }
    code, message = "Ok", "send success"
    if provider.answer == "rate_exceeded":
        code = "LimitExceeded.PhoneNumberThirtySecondLimit"
        message = "the number of sms messages sent from a single mobile number "
        "within 30 seconds exceeds the upper limit"
    statuses = [
        {
            "SerialNo": f"2028:{i}",
            "PhoneNumber": phone,
            "Fee": 1,
            "SessionContext": "",
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }
        for i, phone in enumerate(body.get("PhoneNumberSet", []))
    ]
    return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}


def serve(provider: FakeProvider, port: int = PORT) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.loads(raw or b"{}")
            match = AUTHORIZATION.match(self.headers.get("Authorization", ""))
            valid = bool(
                match
                and match["id"] == SECRET_ID
                and match["date"]
                == datetime.fromtimestamp(
                    int(self.headers["X-TC-Timestamp"]), UTC
                ).strftime("%Y-%m-%d")
                and hmac.compare_digest(
                    match["sig"], expected_signature(self.headers, raw, match["date"])
                )
            )
            provider.received.append(Received(dict(self.headers), body, valid))
            status, answer = _response(provider, body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

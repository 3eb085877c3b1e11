"""Structured error logs: one JSON object a line, with the request's id.

`RequestIdMiddleware` gives every request an id (the `X-Request-ID` header
a proxy set, if it looks sane, else a new one), keeps the request in a
context variable while it is answered and returns the id in the response's
`X-Request-ID`. `RequestContextFilter` copies the id, the user's id and
the path onto each log record, and `JsonFormatter` writes the record as
one line of JSON, traceback included, for the log collector to parse.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

_request: ContextVar[Any] = ContextVar("request", default=None)

# What a proxy's request id may look like; anything else gets a new id.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def current_request() -> Any:
    """The request being answered in this context, None outside one."""
    return _request.get()


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is sane, else a new uuid4 hex."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Set `request.id` and make the request known to the log records."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id_from(request.headers.get("X-Request-ID"))
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response["X-Request-ID"] = request.id
        return response


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:  # a broken database must not break the log line
        return None


class RequestContextFilter(logging.Filter):
    """Add request_id, user_id and path to every record (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        if request is None:
            # django.request passes the request along with the record.
            request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", None)
        record.user_id = _user_id(request) if request is not None else None
        record.path = getattr(request, "path", None)
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
            "path": getattr(record, "path", None),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

"""Rate limits for the public concern form, per address and per phone.

Counters live in the cache (Redis in production): a fixed window per key.
Limits are "count/seconds" strings from settings.CONCERN_RATE_LIMITS, e.g.
{"address": "20/3600", "phone": "5/86400"}; an empty value switches one off.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

DEFAULT_LIMITS = {"address": "20/3600", "phone": "5/86400"}


class RateLimited(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def parse_limit(text: str) -> tuple[int, int] | None:
    if not text:
        return None
    count, _, seconds = str(text).partition("/")
    return int(count), int(seconds or 3600)


def limits() -> dict[str, tuple[int, int] | None]:
    configured = {**DEFAULT_LIMITS, **settings.CONCERN_RATE_LIMITS}
    return {kind: parse_limit(value) for kind, value in configured.items()}


def _key(kind: str, value: str) -> str:
    # Hash the value: no phone number or address sits in the cache in clear.
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]
    return f"concern-rate:{kind}:{digest}"


def hit(kind: str, value: str) -> None:
    """Count one attempt for `value`; raise RateLimited over the limit."""
    limit = limits().get(kind)
    if limit is None or not value:
        return
    count, window = limit
    key = _key(kind, value)
    try:
        cache.add(key, 0, timeout=window)
        current = cache.incr(key)
    except ValueError:
        # The key expired between add and incr: start a new window.
        cache.set(key, 1, timeout=window)
        current = 1
    except Exception as exc:
        # A cache outage must not stop residents from being heard: the
        # limit is off until the cache is back.
        logger.warning("rate limit not counted, cache unavailable: %s", exc)
        return
    if current > count:
        raise RateLimited(kind)


def client_address(request) -> str:
    if settings.CONCERN_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")

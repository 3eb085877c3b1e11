"""A Redis cache that fails open: with Redis unreachable, a read is a miss
and a write is dropped, with a logged warning, so the pages, the API and
its throttles keep answering (uncached and unthrottled) instead of 500.

Settings give it short socket timeouts, so a dead Redis costs a fraction
of a second per call, not a TCP timeout. `ping()` still raises: /healthz
must see the outage the rest of the portal rides over.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a call gives back while Redis is down.
MISSES = {
    "get": lambda args, kwargs: kwargs.get(
        "default", args[1] if len(args) > 1 else None
    ),
    "get_many": lambda args, kwargs: {},
    "add": lambda args, kwargs: False,
    "has_key": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "touch": lambda args, kwargs: False,
    "set_many": lambda args, kwargs: list(args[0]) if args else [],
}


def _forgiving(name: str):
    strict = getattr(RedisCache, name)
    miss = MISSES.get(name, lambda args, kwargs: None)

    def method(self, *args, **kwargs):
        try:
            return strict(self, *args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning("cache unavailable, %s skipped: %s", name, exc)
            return miss(args, kwargs)

    method.__name__ = name
    return method


class FailOpenRedisCache(RedisCache):
    """RedisCache whose reads miss and writes drop while Redis is down.

    `incr`/`decr` keep raising (a counter cannot be guessed); their callers
    (the concern form's rate limiter) decide what an outage means.
    """

    def ping(self) -> bool:
        return bool(self._cache.get_client(write=True).ping())


for _name in (
    "get",
    "get_many",
    "set",
    "set_many",
    "add",
    "delete",
    "delete_many",
    "has_key",
    "touch",
    "clear",
):
    setattr(FailOpenRedisCache, _name, _forgiving(_name))

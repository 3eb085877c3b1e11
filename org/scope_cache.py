"""Logins' scopes cached between requests.

A login's scope costs three queries (posts, company seats, units); the API
and the pages ask for it on every request. It is cached per login, day and
person, tagged with a generation that every change to what a scope is made
of (posts, units, company seats, service contracts) bumps, so the next
request recomputes; the short lifetime bounds what a lost bump (the cache
unreachable at that moment) could keep. See docs/org.md.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from .scope import Scope

SCOPE_CACHE_SECONDS = 60
_GENERATION_KEY = "org:scope-generation"


def cached_scope(key: str, compute: Callable[[], Scope]) -> Scope:
    """The scope cached under `key` if no change came since, else `compute()`."""
    key = f"org:scope:{key}"
    found = cache.get_many([_GENERATION_KEY, key])
    generation = found.get(_GENERATION_KEY, 0)
    hit = found.get(key)
    if hit is not None and hit[0] == generation:
        return hit[1]
    scope = compute()
    cache.set(key, (generation, scope), SCOPE_CACHE_SECONDS)
    return scope


def forget_scopes(**_signal) -> None:
    """Make every cached scope stale (a signal receiver too).

    Now, and again after commit: a request that read the old rows while
    the change was not yet committed may have cached them under the first
    bump's generation.
    """
    _bump_generation()
    transaction.on_commit(_bump_generation)


def forget_scopes_on_change(*models) -> None:
    """Connect `forget_scopes` to every save and delete of `models`."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                forget_scopes,
                sender=model,
                dispatch_uid=f"scopes-{signal is post_save}-{model.__name__}",
            )


def _bump_generation() -> None:
    if not cache.add(_GENERATION_KEY, 1, None):
        try:
            cache.incr(_GENERATION_KEY)
        except ValueError:  # expired between the two calls
            cache.add(_GENERATION_KEY, 1, None)

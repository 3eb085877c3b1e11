"""The public directory of compounds on the home page, built once and cached.

Every visitor sees the same list (it shows only public names), so it is one
cache entry for the whole site: the compounds ordered by community and name,
at most `LIMIT` of them, with the address of each board already reversed.
Building it sorts every compound; serving it costs one cache read, however
many compounds there are. Saving or deleting a compound or an org unit (a
community's name) forgets it; writes that send no signal (bulk updates,
SQL) are picked up after `TIMEOUT` at the latest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse

from .models import Compound

LIMIT = 300
TIMEOUT = 600  # seconds
_KEY = "compounds:directory:v1"


@dataclass(frozen=True)
class Entry:
    name: str
    url: str


def public_directory() -> dict[str, list[Entry]]:
    """Community name → its compounds (name and board address), in order."""
    directory = cache.get(_KEY)
    if directory is None:
        directory = _build()
        cache.set(_KEY, directory, TIMEOUT)
    return directory


def matching_directory(text: str, limit: int = 30) -> dict[str, list[Entry]]:
    """The same shape for the compounds whose name contains `text` (not cached)."""
    return _grouped(Compound.objects.filter(name__icontains=text), limit)


def _build() -> dict[str, list[Entry]]:
    return _grouped(Compound.objects.all(), LIMIT)


def _grouped(compounds, limit: int) -> dict[str, list[Entry]]:
    rows = compounds.order_by("community__name", "name").values_list(
        "pk", "name", "community__name"
    )[:limit]
    directory: dict[str, list[Entry]] = {}
    for pk, name, community in rows:
        url = reverse("compound-board", args=[pk])
        directory.setdefault(community, []).append(Entry(name, url))
    return directory


def forget_directory(**_signal) -> None:
    """Drop the cached directory (a signal receiver; also callable as is)."""
    cache.delete(_KEY)

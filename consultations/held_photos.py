"""Holding a resident's photos between a form with errors and its fix.

See `models.held`. The public form calls `hold_photos` when it must show
the page again, `held_under` to show and count what is held, and
`release_photos` once the concern is stored. Held photos are already
re-encoded (`uploads.prepare_photo`), so they are stored as they are.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from .models import HeldPhoto
from .models.held import new_hold_token
from .uploads import PreparedPhoto, max_photos

__all__ = [
    "hold_photos",
    "held_under",
    "purge_held_photos",
    "release_photos",
    "take_photos",
]


def held_under(token: str | None) -> list[HeldPhoto]:
    """The live photos held under `token` (none for an unknown or old one)."""
    if not token:
        return []
    return list(HeldPhoto.objects.live().under(token))


@transaction.atomic
def hold_photos(
    photos: Sequence[PreparedPhoto], *, token: str | None = None
) -> str | None:
    """Keep `photos` beside those already under `token`; the token to carry.

    At most `CONCERN_MAX_PHOTOS` are held under one token (the first ones),
    so a page posted again and again cannot pile files up. Returns None
    when nothing is held.
    """
    purge_held_photos()
    held = held_under(token)
    if not held:
        token = new_hold_token()
    for photo in list(photos)[: max(0, max_photos() - len(held))]:
        photo.seek(0)
        HeldPhoto.objects.create(token=token, image=photo)
        held.append(photo)
    return token if held else None


def take_photos(held: Iterable[HeldPhoto]) -> list[PreparedPhoto]:
    """The held photos as files for `submit_concern`."""
    taken = []
    for row in held:
        with row.image.open("rb") as image:
            taken.append(PreparedPhoto(image.read(), name=row.image.name))
    return taken


def release_photos(token: str | None, *, ids: Iterable[int] | None = None) -> int:
    """Let the photos under `token` go (only `ids`, when given); how many."""
    if not token:
        return 0
    rows = HeldPhoto.objects.filter(token=token)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return _delete(rows)


def purge_held_photos(now=None) -> int:
    """Delete the holds older than `HOLD_FOR`, files included; how many."""
    return _delete(HeldPhoto.objects.expired(now or timezone.now()))


def _delete(rows) -> int:
    gone = list(rows)
    for row in gone:
        # The file goes after the row is gone for good: a rollback keeps both.
        transaction.on_commit(
            lambda name=row.image.name, storage=row.image.storage: storage.delete(name)
        )
    HeldPhoto.objects.filter(pk__in=[row.pk for row in gone]).delete()
    return len(gone)

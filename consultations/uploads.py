"""Residents' photos under the concern photos' upload policy
(`common.uploads`): checked as real images and re-encoded, so nothing but
pixels is stored (no EXIF, no GPS position)."""

from collections.abc import Sequence

from django.conf import settings

from common.uploads import POLICIES, PreparedFile, prepare_upload, prepare_uploads

PreparedPhoto = PreparedFile
CONCERN_PHOTOS = POLICIES["concern_photo"]


def max_photos() -> int:
    return settings.CONCERN_MAX_PHOTOS


def max_photo_bytes() -> int:
    return settings.CONCERN_MAX_PHOTO_BYTES


def prepare_photo(upload) -> PreparedPhoto:
    """Verify one upload is a JPEG/PNG/WebP image; return it re-encoded."""
    return prepare_upload(upload, policy=CONCERN_PHOTOS)


def prepare_photos(uploads: Sequence) -> list[PreparedPhoto]:
    """Check the count, then each photo; refuse all if one is bad."""
    return prepare_uploads(uploads, policy=CONCERN_PHOTOS)

"""Residents' photos: checked as real images and re-encoded, so nothing but
pixels is stored (no EXIF, no GPS position)."""

import io
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs well before Pillow's limit
MAX_SIDE = 2560  # larger photos are scaled down; a phone screen needs less


def max_photos() -> int:
    return settings.CONCERN_MAX_PHOTOS


def max_photo_bytes() -> int:
    return settings.CONCERN_MAX_PHOTO_BYTES


class PreparedPhoto(ContentFile):
    """A re-encoded image, safe to store as it is."""

    is_prepared = True


def prepare_photo(upload) -> PreparedPhoto:
    """Verify one upload is a JPEG/PNG/WebP image; return it re-encoded."""
    if getattr(upload, "is_prepared", False):
        return upload
    size = getattr(upload, "size", None)
    if size is None or size > max_photo_bytes():
        raise ValidationError(
            _("Each photo may be at most %(mb)d MB.")
            % {"mb": max_photo_bytes() // (1024 * 1024)},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
        if fmt not in ALLOWED_FORMATS:
            raise ValidationError(
                _("Only JPEG, PNG or WebP photos are accepted."), code="format"
            )
        if width * height > MAX_PIXELS:
            raise ValidationError(_("This photo is too large."), code="too_large")
        # verify() leaves the image unusable: open it again to decode.
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if fmt == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            elif fmt == "PNG":
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=85)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ):
        raise ValidationError(
            _("This file is not a JPEG, PNG or WebP image."), code="not_image"
        ) from None
    name = f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}"
    return PreparedPhoto(out.getvalue(), name=name)


def prepare_photos(uploads: Sequence) -> list[PreparedPhoto]:
    """Check the count, then each photo; refuse all if one is bad."""
    uploads = [u for u in uploads if u]
    if len(uploads) > max_photos():
        raise ValidationError(
            _("At most %(n)d photos may be attached.") % {"n": max_photos()},
            code="too_many",
        )
    return [prepare_photo(u) for u in uploads]

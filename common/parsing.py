"""Reading what anyone may type or send: ids and free text, never a crash.

`str.isdigit()` is true for '²' and '①', which `int()` refuses, and
`str.isdecimal()` for '٣', which `int()` reads as 3; an id is therefore
ASCII digits only. PostgreSQL refuses a NUL character in any string, so
text with one must be turned away before it reaches a query.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A bigint holds every 18-digit number.
MAX_ID_DIGITS = 18
NUL = "\x00"


def parse_id(text: object) -> int | None:
    """A row id: 1 to 18 ASCII digits (or an int), else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text < 10**MAX_ID_DIGITS else None
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not 0 < len(text) <= MAX_ID_DIGITS or not text.isascii():
        return None
    return int(text) if text.isdigit() else None


def has_nul(text: str | None) -> bool:
    """Whether the text holds a NUL character (PostgreSQL refuses them)."""
    return bool(text) and NUL in text


def check_text(text: str) -> str:
    """The text, or a ValidationError when it holds a NUL character."""
    if has_nul(text):
        raise ValidationError(
            _("The text contains a character that is not allowed (NUL)."),
            code="null_characters_not_allowed",
        )
    return text

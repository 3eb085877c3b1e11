"""Phone numbers as residents write them, stored in one form (E.164).

`parse_phone` reads a number with China as the default region: mainland
mobiles (138 0013 8000), landlines with their area code (0537-2345678,
05372345678), +86 and 0086 forms, and any other country's number written
with its + prefix. `format_phone` shows a stored number as staff read it:
national format for a Chinese number, international format otherwise.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "CN"
# What people put between digits. Letters are refused outright: the library
# would read "1-800-FLOWERS" style letters as digits.
ALLOWED = re.compile(r"^\+?[\d\s\-().]*$")
# A mainland mobile number as stored (E.164): masked without parsing, since
# a large export masks one per row (docs/exports.md).
CN_MOBILE = re.compile(r"\+86(1[3-9]\d{9})")


def parse_phone(text: str, *, strict: bool) -> str:
    """The number in E.164 (`+8613800138000`), or "" for an empty text.

    A text that is not a valid number raises a ValidationError when
    `strict`, and gives "" otherwise (the caller decides what to keep).
    """
    text = (text or "").strip()
    if not text:
        return ""
    number = None
    if ALLOWED.match(text) and len(text) <= 40:
        try:
            number = phonenumbers.parse(text, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if strict:
            raise ValidationError(
                _(
                    "Enter a valid phone number: a mobile number (138 0013 8000) "
                    "or a landline with its area code (0537-2345678)."
                ),
                code="phone",
            )
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """A stored number for people: `138 0013 8000`, `0537 234 5678`.

    A value that is not E.164 (a partner's number kept as given) is shown
    unchanged.
    """
    if not value or not value.startswith("+"):
        return value or ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        style = phonenumbers.PhoneNumberFormat.NATIONAL
    else:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def mask_phone(value: str) -> str:
    """A number with its middle hidden: `138****8000`, `0537***5678`.

    The first group (the mobile prefix or the area code) and the last four
    digits stay, so staff can tell numbers apart without reading them.
    """
    mobile = CN_MOBILE.fullmatch(value or "")
    if mobile:
        digits = mobile.group(1)
        return digits[:3] + "****" + digits[-4:]
    shown = format_phone(value)
    groups = shown.split()
    digits = "".join(ch for ch in shown if ch.isascii() and ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    head = groups[0] if len(groups) > 1 and len(groups[0]) < len(digits) - 4 else ""
    head = head if head.isascii() and head.lstrip("+").isdigit() else digits[:3]
    head_digits = len(head.lstrip("+"))
    return head + "*" * (len(digits) - head_digits - 4) + digits[-4:]


def sms_number(text: str) -> str:
    """`text` in E.164 when it is a number that can receive an SMS (a
    mobile, anywhere), else "": a landline cannot."""
    value = parse_phone(text, strict=False)
    if not value:
        return ""
    kind = phonenumbers.number_type(phonenumbers.parse(value, None))
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return value if kind in mobile else ""

"""One adapter from a Django `ValidationError` to what each interface shows.

Services raise `ValidationError` (with a field dict when the fault is in
one input). Pages put it on their form or flash it, the API answers it in
its error format; all of them read it through these functions.
"""

from __future__ import annotations

from django.contrib import messages as flash_messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_fields(error: ValidationError) -> dict[str, list[str]]:
    """{field or "__all__": [messages]}, whatever shape the error has."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in messages]
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD_ERRORS: [str(message) for message in error.messages]}


def error_messages(error: ValidationError) -> list[str]:
    """Every message of the error, flat, for a flash message or a list."""
    return [
        message for messages in error_fields(error).values() for message in messages
    ]


def add_to_form(form, error: ValidationError) -> None:
    """Show a service's error on the form: on its field, or above the form."""
    for field, messages in error_fields(error).items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def flash(request, error: ValidationError) -> None:
    """Show a service's error as messages on the next page."""
    for message in error_messages(error):
        flash_messages.error(request, message)

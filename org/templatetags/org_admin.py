"""Admin template helpers (see org.history)."""

from django import template

from org.history import change_message as _change_message

register = template.Library()


@register.filter
def change_message(entry) -> str:
    """The history entry's change message in the active language."""
    return _change_message(entry)

"""Filters of the street overview."""

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """42.5 → "42.5%"; no figure (nothing to divide by) → "—"."""
    return "—" if value is None else f"{value}%"

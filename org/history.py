"""Admin history read in the reader's language, with the model's own names.

Django stores a change as JSON naming the changed fields by their form
labels, in the untranslated source language ("Party members": the verbose
name with its first letter capitalised), and translates them only when the
history is read. The catalogues hold the verbose names as declared ("party
members"), so the lookup misses and the history shows English. This reads
each stored name back to the model's field (by label or by name) and shows
its verbose name in the active language; what cannot be matched is shown
as Django would.
"""

import json

from django.contrib.admin.models import LogEntry
from django.utils.text import capfirst
from django.utils.translation import gettext


def _field_names(model) -> dict[str, str]:
    """Stored spellings of each field (label, verbose name, name) → label."""
    names: dict[str, str] = {}
    if model is None:
        return names
    for field in model._meta.get_fields():
        verbose = getattr(field, "verbose_name", None)
        if verbose is None:
            continue
        label = capfirst(gettext(str(verbose)))
        for spelling in (field.name, getattr(field, "attname", field.name)):
            names.setdefault(spelling, label)
        for spelling in (_source(verbose), capfirst(_source(verbose))):
            names[spelling] = label
    return names


def _source(text) -> str:
    """The untranslated text of a lazy string (its msgid)."""
    args = getattr(text, "_args", None)
    return str(args[0]) if args else str(text)


def field_label(name: str, names: dict[str, str]) -> str:
    """How a stored field name reads now."""
    if name in names:
        return names[name]
    translated = gettext(name)
    if translated != name:
        return translated
    lowered = name[:1].lower() + name[1:]
    translated = gettext(lowered)
    return capfirst(translated) if translated != lowered else name


def change_message(entry: LogEntry) -> str:
    """`entry.get_change_message()`, with field names in the active language."""
    text = entry.change_message
    if not text or text[0] != "[":
        return entry.get_change_message()
    try:
        parts = json.loads(text)
    except json.JSONDecodeError:
        return entry.get_change_message()
    model = entry.content_type.model_class() if entry.content_type_id else None
    names = _field_names(model)
    for part in parts:
        changed = part.get("changed") if isinstance(part, dict) else None
        if isinstance(changed, dict) and isinstance(changed.get("fields"), list):
            # An inline's fields belong to the inline's model, found by name.
            fields_of = names
            if "name" in changed:
                fields_of = _inline_names(model, changed["name"]) or names
            changed["fields"] = [
                field_label(str(name), fields_of) for name in changed["fields"]
            ]
    return LogEntry(change_message=json.dumps(parts)).get_change_message()


def _inline_names(model, verbose_name: str) -> dict[str, str]:
    """The field names of the related model whose verbose name this is."""
    if model is None:
        return {}
    for relation in model._meta.related_objects:
        related = relation.related_model
        if _source(related._meta.verbose_name) == verbose_name:
            return _field_names(related)
    return {}

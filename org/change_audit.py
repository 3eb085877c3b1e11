"""Every create, change and delete of the portal's own rows, into the audit
trail (`AuditEvent`), with the old and new value of each field.

Connected for the models of the portal's apps (`AUDITED_APPS`) in
`OrgConfig.ready`: `pre_save` reads the stored row, `post_save` compares,
`post_delete` keeps what was there. Who and from where come from the
request in progress (`common.logging.current_request`), so views, the
admin and the API need not know about it. What passes no model signal is
not recorded: `QuerySet.update()`, `bulk_create()` and raw SQL, e.g. the
monthly scoring's set-based writes.

A phone number is kept masked (`common.phones.mask_phone`), a password
only as "changed", so the trail never holds what it protects.
"""

import contextlib
import contextvars
import datetime
import decimal
import uuid

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_save

from common.logging import current_request
from common.phones import mask_phone

from .audit import record_event
from .models import AuditEvent

AUDITED_APPS = frozenset(
    {"org", "compounds", "consultations", "civic", "open311", "assessments"}
)
# Not changes anyone makes: the trail itself, the sign-in time Django
# writes on every login (the sign-in is recorded on its own), the tree's
# bookkeeping columns (django-mptt) and the id, which the entry names.
# A ledger job is bookkeeping: the export or import it runs is recorded.
_NOT_AUDITED_MODELS = frozenset({"org.auditevent", "org.ledgerjob"})
_NOT_AUDITED_FIELDS = frozenset({"id", "last_login", "lft", "rght", "tree_id", "level"})
_SECRET_FIELDS = frozenset({"password", "key", "key_hash", "token"})
HIDDEN = "******"

_paused: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "change_audit_paused", default=False
)


@contextlib.contextmanager
def paused():
    """Record no changes inside (loading the demo street is nobody's edit)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def is_audited(model) -> bool:
    meta = model._meta
    return (
        meta.app_label in AUDITED_APPS
        and meta.label_lower not in _NOT_AUDITED_MODELS
        and not meta.proxy
        and meta.managed
    )


def _fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in _NOT_AUDITED_FIELDS
    ]


def _plain(value):
    """A JSON value for the trail."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    # Files hold their name; anything else its text.
    return str(getattr(value, "name", value) or "")


def _shown(field, value):
    """What the trail keeps of one field's value."""
    if value in (None, ""):
        return _plain(value)
    if field.name in _SECRET_FIELDS:
        return HIDDEN
    if "phone" in field.name:
        return mask_phone(str(value))
    return _plain(value)


def _snapshot(instance, fields) -> dict:
    return {field.attname: field.value_from_object(instance) for field in fields}


def _diff(fields, old: dict, new: dict) -> dict:
    changes = {}
    for field in fields:
        before, after = old.get(field.attname), new.get(field.attname)
        if _plain(before) != _plain(after):
            changes[field.name] = [_shown(field, before), _shown(field, after)]
    return changes


def _record(action, instance, changes) -> None:
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    record_event(
        action=action, actor=actor, request=request, obj=instance, changes=changes
    )


def before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or _paused.get() or instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    fields = _fields(sender)
    if update_fields is not None:
        fields = [field for field in fields if field.name in update_fields]
    stored = (
        sender._base_manager.filter(pk=instance.pk)
        .values(*(field.attname for field in fields))
        .first()
    )
    instance._audit_before = stored


def after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or _paused.get():
        return
    fields = _fields(sender)
    if created:
        new = _snapshot(instance, fields)
        changes = {
            field.name: [None, _shown(field, new[field.attname])]
            for field in fields
            if new[field.attname] not in (None, "")
        }
        _record(AuditEvent.Action.CREATE, instance, changes)
        return
    old = getattr(instance, "_audit_before", None)
    if old is None:
        return
    if update_fields is not None:
        fields = [field for field in fields if field.name in update_fields]
    changes = _diff(fields, old, _snapshot(instance, fields))
    instance._audit_before = None
    if changes:
        _record(AuditEvent.Action.CHANGE, instance, changes)


def after_delete(sender, instance, **kwargs):
    if _paused.get():
        return
    fields = _fields(sender)
    old = _snapshot(instance, fields)
    changes = {
        field.name: [_shown(field, old[field.attname]), None]
        for field in fields
        if old[field.attname] not in (None, "")
    }
    _record(AuditEvent.Action.DELETE, instance, changes)


def connect() -> None:
    """Connect the three receivers for every audited model."""
    for model in apps.get_models():
        if not is_audited(model):
            continue
        uid = f"change_audit:{model._meta.label_lower}"
        pre_save.connect(before_save, sender=model, dispatch_uid=f"{uid}:pre")
        post_save.connect(after_save, sender=model, dispatch_uid=f"{uid}:post")
        post_delete.connect(after_delete, sender=model, dispatch_uid=f"{uid}:del")

"""The security audit trail (安全审计): recording into `AuditEvent`.

Every app records through `record_event()`; sign-in, sign-out and failed
sign-in come from Django's auth signals (connected in `OrgConfig.ready`),
which keep the login views unaware of the trail.
"""

from django.conf import settings

from common.logging import current_request

from .models import AuditEvent, OrgUnit, User
from .scope import user_scope


def client_address(request) -> str | None:
    """The client's address as the proxy reports it, else the socket's."""
    if request is None:
        return None
    address = ""
    # The same rule as the concern form and the lockout: a proxy's header is
    # believed only where the deployment says one stands in front.
    if settings.CONCERN_TRUST_X_FORWARDED_FOR:
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
    return address or request.META.get("REMOTE_ADDR") or None


def street_of(user) -> OrgUnit | None:
    """The street a staff login works in (its first post's), if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for unit in user_scope(user).units:
        return unit.street
    return None


def record_event(
    *,
    action: str,
    actor=None,
    request=None,
    obj=None,
    detail: str = "",
    street: OrgUnit | int | None = None,
    username: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail."""
    request = request if request is not None else current_request()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if street is None:
        street = street_of(actor)
    return AuditEvent.objects.create(
        actor=actor,
        username=username or (actor.get_username() if actor else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_object_repr(obj),
        changes=changes or {},
        detail=detail[:300],
        request_id=getattr(request, "id", "") or "",
        address=client_address(request),
        street_id=street.pk if isinstance(street, OrgUnit) else street,
    )


def _object_repr(obj) -> str:
    if obj is None:
        return ""
    try:
        return str(obj)[:200]
    except Exception:  # a half-built or deleted row's __str__ may need its relations
        return ""


def purge_old_events() -> int:
    """Delete events older than AUDIT_RETENTION_DAYS; the number deleted."""
    return AuditEvent.objects.purge_older_than(settings.AUDIT_RETENTION_DAYS)


def on_logged_in(sender, request, user, **kwargs) -> None:
    record_event(action=AuditEvent.Action.SIGN_IN, actor=user, request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    record_event(action=AuditEvent.Action.SIGN_OUT, actor=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).first()
    record_event(
        action=AuditEvent.Action.SIGN_IN_FAILED,
        actor=None,
        request=request,
        username=username,
        street=street_of(known) if known else None,
    )

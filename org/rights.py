"""The table of rights: which role may do which task.

Scope (`org.scope`) says *where* a user works: the rows under their posts.
This table says *what* they may do there. Each app declares its tasks in
`<app>/roles.py` as `TASKS`, a sequence of `Task`; `tasks()` gathers them.
The pages and the API ask `may(user, "app.task")` or `require(…)`; the
admin reads the model permissions, which `org.roles.ensure_role_groups()`
gives each role group from the same tasks (`Task.permissions`), so the
three never disagree. docs/rights.md prints the table.

A user's roles come from what they hold, never from a flag set by hand:
their active posts in the tree (by the unit's tier and the post's role)
and a seat with a property company (`roles_of`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .scope import NON_STAFF_POST_ROLES, user_scope


class Role(StrEnum):
    """The roles of the rights table (see `roles_of`)."""

    STREET_OFFICE = "street_office"
    COMMUNITY_STAFF = "community_staff"
    GRID_STAFF = "grid_staff"
    INSPECTOR = "inspector"
    RESIDENT_REP = "resident_rep"
    COMPANY_STAFF = "company_staff"
    SUPERUSER = "superuser"

    @property
    def label(self) -> Promise:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.STREET_OFFICE: _("street property office"),
    Role.COMMUNITY_STAFF: _("community staff"),
    Role.GRID_STAFF: _("grid secretary or grid worker"),
    Role.INSPECTOR: _("inspector cadre"),
    Role.RESIDENT_REP: _("resident representative"),
    Role.COMPANY_STAFF: _("property manager or company staff"),
    Role.SUPERUSER: _("superuser"),
}

# Shorthands for declaring tasks.
STREET = frozenset({Role.STREET_OFFICE})
COMMUNITY = frozenset({Role.COMMUNITY_STAFF})
GRID = frozenset({Role.GRID_STAFF})
ORG_STAFF = STREET | COMMUNITY | GRID
INSPECTING = frozenset({Role.INSPECTOR, Role.RESIDENT_REP})
COMPANY = frozenset({Role.COMPANY_STAFF})

# Post roles (values of `org.models.Post.Role`) that are not staff posts.
_POST_ROLE_TO_ROLE = {
    "inspector": Role.INSPECTOR,
    "resident_representative": Role.RESIDENT_REP,
}
_STAFF_ROLE_BY_TIER = {
    "street": Role.STREET_OFFICE,
    "community": Role.COMMUNITY_STAFF,
    "grid": Role.GRID_STAFF,
    "group": Role.GRID_STAFF,
}


@dataclass(frozen=True)
class Task:
    """One row of the table: a thing to do, and the roles that may do it."""

    # "app.verb_object", e.g. "assessments.approve_reward".
    name: str
    # What the refusal page and docs/rights.md call it: "审批奖励".
    label: Promise
    roles: frozenset[Role]
    # Model permissions ("app.codename") the admin needs for the task; the
    # role groups of `roles` get them (org.roles.ensure_role_groups).
    permissions: tuple[str, ...] = ()

    def allows(self, roles: Iterable[Role]) -> bool:
        roles = frozenset(roles)
        return Role.SUPERUSER in roles or bool(self.roles & roles)


def roles_of(user) -> frozenset[Role]:
    """The roles `user` holds now (none for anonymous or inactive users)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset({Role.SUPERUSER})
    scope = user_scope(user)
    kinds = {unit.pk: unit.kind for unit in scope.units}
    roles = set()
    for unit_pk, post_role in scope.post_roles:
        if post_role in NON_STAFF_POST_ROLES:
            roles.add(_POST_ROLE_TO_ROLE[post_role])
        elif unit_pk in kinds:
            roles.add(_STAFF_ROLE_BY_TIER[kinds[unit_pk]])
    if scope.company_ids:
        roles.add(Role.COMPANY_STAFF)
    return frozenset(roles)


_tasks: dict[str, Task] | None = None


def tasks() -> dict[str, Task]:
    """Every task of every installed app, by name."""
    global _tasks
    if _tasks is None:
        autodiscover_modules("roles")
        found: dict[str, Task] = {}
        for config in apps.get_app_configs():
            module = getattr(config.module, "roles", None)
            for task in getattr(module, "TASKS", ()):
                if task.name in found:
                    raise ImproperlyConfigured(f"Task {task.name!r} declared twice.")
                found[task.name] = task
        _tasks = found
    return _tasks


def task(name: str) -> Task:
    try:
        return tasks()[name]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown task {name!r}.") from None


def may(user, name: str) -> bool:
    """Whether `user`'s roles allow the task `name` (scope decides where)."""
    return task(name).allows(roles_of(user))


def require(user, name: str) -> None:
    """Refuse with a Chinese reason unless `user` may do the task `name`."""
    wanted = task(name)
    if not wanted.allows(roles_of(user)):
        raise PermissionDenied(refusal(wanted))


def refusal(wanted: Task) -> str:
    who = "、".join(str(role.label) for role in Role if role in wanted.roles)
    return _("“%(task)s” is done by: %(roles)s. Your posts do not include it.") % {
        "task": wanted.label,
        "roles": who or _("the superuser"),
    }


def permissions_by_role() -> dict[Role, set[str]]:
    """Role → model permissions its tasks need (read by org.roles)."""
    wanted: dict[Role, set[str]] = {role: set() for role in Role}
    for one in tasks().values():
        for role in one.roles:
            wanted[role].update(one.permissions)
    return wanted

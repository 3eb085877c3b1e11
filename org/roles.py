"""Role groups: who may do what, before scope says where.

A login's permissions come from the Django group of its role; its scope
(which rows) comes from its posts (see `org.scope`). The five roles of the
portal are groups named as the street office calls them.

Each app contributes the permissions its models need in a module of its
own, `<app>/roles.py`, holding a `PERMISSIONS` mapping of role → permission
names ("app_label.codename"). `ensure_role_groups()` reads every installed
app's contribution, so org never has to know the apps to its right. Apps
that cannot ship a module may call `register_permissions()` instead.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.apps import apps
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .rights import ORG_STAFF, STREET, Role, Task, permissions_by_role, roles_of

# The group names are data the street office sees in the admin; they stay
# fixed so that re-running the set-up finds the same groups.
STREET_OFFICE = "街道物业办"
COMMUNITY_STAFF = "社区工作人员"
GRID_BRANCH = "网格党支部"
PROPERTY_MANAGER = "物业项目经理"
INSPECTOR = "考核员"
RESIDENT_REPRESENTATIVE = "居民代表"

ROLES = (
    STREET_OFFICE,
    COMMUNITY_STAFF,
    GRID_BRANCH,
    PROPERTY_MANAGER,
    INSPECTOR,
    RESIDENT_REPRESENTATIVE,
)

ALL_ACTIONS = ("view", "add", "change", "delete")

_registered: dict[str, set[str]] = defaultdict(set)


def perms(app_label: str, *models: str, actions: Iterable[str] = ALL_ACTIONS):
    """Permission names for `actions` on `models` of `app_label`."""
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


def view(app_label: str, *models: str) -> list[str]:
    return perms(app_label, *models, actions=("view",))


def register_permissions(mapping: Mapping[str, Iterable[str]]) -> None:
    """Add permissions to roles from code that is not a `roles` module."""
    for role, names in mapping.items():
        _check_role(role)
        _registered[role].update(names)
    role_permissions.cache_clear()


@functools.cache
def role_permissions() -> dict[str, set[str]]:
    """Role group → permission names, gathered from every installed app:
    its `PERMISSIONS` and the permissions of the tasks of its role
    (`org.rights`)."""
    # Imports each app's `roles` module once (this one included).
    autodiscover_modules("roles")
    wanted: dict[str, set[str]] = defaultdict(set)
    for config in apps.get_app_configs():
        module = getattr(config.module, "roles", None)
        for role, names in getattr(module, "PERMISSIONS", {}).items():
            _check_role(role, source=config.name)
            wanted[role].update(names)
    for role, names in _registered.items():
        wanted[role].update(names)
    for role, names in permissions_by_role().items():
        if role in GROUP_OF_ROLE:
            wanted[GROUP_OF_ROLE[role]].update(names)
    return {role: wanted.get(role, set()) for role in ROLES}


# The group that carries each role of the rights table's model permissions.
GROUP_OF_ROLE = {
    Role.STREET_OFFICE: STREET_OFFICE,
    Role.COMMUNITY_STAFF: COMMUNITY_STAFF,
    Role.GRID_STAFF: GRID_BRANCH,
    Role.COMPANY_STAFF: PROPERTY_MANAGER,
    Role.INSPECTOR: INSPECTOR,
    Role.RESIDENT_REP: RESIDENT_REPRESENTATIVE,
}


class RoleBackend(BaseBackend):
    """Model permissions from the roles a user holds (`org.rights.roles_of`).

    A login needs no group set by hand: its posts and company seats give it
    the permissions of their roles, and lose them the day a post ends. The
    role groups still exist for the admin's eyes and for extra grants, which
    Django's ModelBackend reads beside this one.
    """

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        cached = getattr(user_obj, "_role_perm_cache", None)
        if cached is None:
            by_group = role_permissions()
            cached = set()
            for role in roles_of(user_obj):
                if role in GROUP_OF_ROLE:
                    cached |= by_group[GROUP_OF_ROLE[role]]
            user_obj._role_perm_cache = cached
        return cached

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        prefix = f"{app_label}."
        return any(p.startswith(prefix) for p in self.get_all_permissions(user_obj))


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create or refresh the role groups; safe to run any number of times.

    Each group ends up with exactly the permissions the apps declare, so a
    permission dropped from code is dropped from the group too.
    """
    # Permissions are made after migrate; make sure they exist even when
    # called right after a test database flush.
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    wanted = role_permissions()
    every_name = set().union(*wanted.values())
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={name.split(".", 1)[1] for name in every_name}
        )
    }
    unknown = sorted(every_name - found.keys())
    if unknown:
        raise ImproperlyConfigured(
            "Unknown permissions in role declarations: " + ", ".join(unknown)
        )
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([found[name] for name in wanted[role]])
        groups[role] = group
    return groups


def assign_role(user, role: str) -> None:
    """Put `user` in the group of `role` (the group must exist)."""
    _check_role(role)
    user.groups.add(Group.objects.get(name=role))


def _check_role(role: str, source: str = "") -> None:
    if role not in ROLES:
        where = f" (declared by {source})" if source else ""
        raise ImproperlyConfigured(f"Unknown role {role!r}{where}.")


# What org itself contributes. The street office keeps the whole tree; the
# others read it and keep the people and groups of their own subtree.
_ORG_MODELS = (
    "orgunit",
    "person",
    "post",
    "alliance",
    "alliancemember",
    "liaisondepartment",
    "liaisoncontact",
    "deliberationgroup",
    "deliberationmember",
    "linkagepartner",
    "crossappointment",
)

PERMISSIONS = {
    STREET_OFFICE: perms("org", *_ORG_MODELS),
    COMMUNITY_STAFF: view("org", *_ORG_MODELS)
    + perms(
        "org",
        "person",
        "post",
        "liaisoncontact",
        "deliberationgroup",
        "deliberationmember",
        "linkagepartner",
        "crossappointment",
        actions=("add", "change"),
    ),
    GRID_BRANCH: view("org", "orgunit", "person", "post", "crossappointment")
    + view("org", "deliberationgroup", "deliberationmember", "linkagepartner")
    + perms("org", "person", "crossappointment", actions=("add", "change")),
    PROPERTY_MANAGER: view("org", "orgunit"),
    INSPECTOR: view("org", "orgunit"),
    RESIDENT_REPRESENTATIVE: view("org", "orgunit"),
}

# The org tasks of the rights table (`org.rights`).
TASKS = (
    Task(
        "org.edit_people",
        _("keep the people and posts of one's own area"),
        ORG_STAFF,
        permissions=tuple(
            perms("org", "person", "post", actions=("view", "add", "change"))
        ),
    ),
    Task(
        "org.edit_tree",
        _("change the organisation tree"),
        STREET,
        permissions=tuple(perms("org", "orgunit")),
    ),
    # Create, deactivate and reset the logins of one's own street; rights
    # follow from posts, so no group or permission is picked by hand, and
    # superusers stay the superuser's (org.services).
    Task(
        "org.edit_logins",
        _("keep the logins of one's own street"),
        STREET,
        permissions=tuple(perms("org", "user", actions=("view", "add", "change"))),
    ),
    # Remove a login's authenticator (org.second_factor) when its phone is
    # lost; the login enrols again at its next sign-in.
    Task(
        "org.reset_second_factor",
        _("reset the second factor of a login of one's own street"),
        STREET,
    ),
    # The security audit trail (org.audit): read and export, never edit.
    Task(
        "org.read_audit",
        _("read the audit trail of one's own street"),
        STREET,
        permissions=tuple(view("org", "auditevent")),
    ),
    # Next year's holidays and adjusted working days (consultations.deadlines);
    # declared here because the street office keeps the calendar for every
    # app that counts working days.
    Task(
        "calendar.edit_holidays",
        _("keep the holiday calendar"),
        STREET,
        permissions=tuple(perms("consultations", "calendaroverride")),
    ),
)

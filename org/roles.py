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

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

# The group names are data the street office sees in the admin; they stay
# fixed so that re-running the set-up finds the same groups.
STREET_OFFICE = "街道物业办"
COMMUNITY_STAFF = "社区工作人员"
GRID_BRANCH = "网格党支部"
PROPERTY_MANAGER = "物业项目经理"
INSPECTOR = "考核员"

ROLES = (STREET_OFFICE, COMMUNITY_STAFF, GRID_BRANCH, PROPERTY_MANAGER, INSPECTOR)

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


def role_permissions() -> dict[str, set[str]]:
    """Role → permission names, gathered from every installed app."""
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
    return {role: wanted.get(role, set()) for role in ROLES}


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
    STREET_OFFICE: perms("org", *_ORG_MODELS) + view("org", "user"),
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
}

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured

from org import roles

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def group_permissions(name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


@pytest.fixture
def fresh_registry(monkeypatch):
    """Contributions registered in a test vanish after it."""
    monkeypatch.setattr(roles, "_registered", roles.defaultdict(set))
    roles.role_permissions.cache_clear()
    yield
    roles.role_permissions.cache_clear()


def test_ensure_role_groups_makes_the_six_groups_and_is_safe_to_repeat():
    roles.ensure_role_groups()
    first = {name: group_permissions(name) for name in roles.ROLES}
    roles.ensure_role_groups()

    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLES)
    assert {name: group_permissions(name) for name in roles.ROLES} == first
    assert all(first.values())


def test_each_app_contributes_its_permissions_from_its_roles_module():
    wanted = roles.role_permissions()

    assert "org.change_orgunit" in wanted[roles.STREET_OFFICE]
    assert "compounds.delete_compound" in wanted[roles.STREET_OFFICE]
    assert "compounds.view_compound" in wanted[roles.INSPECTOR]
    assert "compounds.change_compound" not in wanted[roles.INSPECTOR]


def test_street_office_keeps_everything_and_inspector_only_reads():
    roles.ensure_role_groups()
    street_admin = UserFactory(person=None)
    inspector = UserFactory(person=None)
    roles.assign_role(street_admin, roles.STREET_OFFICE)
    roles.assign_role(inspector, roles.INSPECTOR)

    assert street_admin.has_perms(
        ["compounds.add_compound", "compounds.delete_facility", "org.change_post"]
    )
    assert inspector.has_perm("compounds.view_compound")
    assert not inspector.has_perm("compounds.change_compound")
    assert not inspector.has_perm("org.change_orgunit")


def test_property_manager_cannot_change_the_tree_or_compounds():
    wanted = roles.role_permissions()[roles.PROPERTY_MANAGER]

    assert "compounds.view_compound" in wanted
    assert not {"org.change_orgunit", "compounds.change_compound"} & wanted


def test_register_permissions_adds_to_a_role(fresh_registry):
    roles.register_permissions({roles.INSPECTOR: ["org.view_person"]})
    roles.ensure_role_groups()

    assert "org.view_person" in group_permissions(roles.INSPECTOR)


def test_a_permission_dropped_from_code_is_dropped_from_the_group():
    groups = roles.ensure_role_groups()
    stray = Permission.objects.get(codename="delete_orgunit")
    groups[roles.INSPECTOR].permissions.add(stray)

    roles.ensure_role_groups()

    assert "org.delete_orgunit" not in group_permissions(roles.INSPECTOR)


def test_unknown_permission_is_refused_and_groups_stay_as_they_were(fresh_registry):
    roles.ensure_role_groups()
    before = group_permissions(roles.INSPECTOR)
    roles.register_permissions({roles.INSPECTOR: ["org.fly_orgunit"]})

    with pytest.raises(ImproperlyConfigured, match="org.fly_orgunit"):
        roles.ensure_role_groups()
    assert group_permissions(roles.INSPECTOR) == before


def test_unknown_role_is_refused(fresh_registry):
    with pytest.raises(ImproperlyConfigured):
        roles.register_permissions({"园丁": ["org.view_orgunit"]})


def test_role_groups_exist_after_migrate_without_the_demo():
    groups = Group.objects.filter(name__in=roles.ROLES)
    assert groups.count() == len(roles.ROLES)
    assert all(group.permissions.exists() for group in groups)

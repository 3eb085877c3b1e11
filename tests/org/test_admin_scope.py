"""The scope rule over every registered admin of org and compounds.

Driven by the admin registry, so a model registered later is covered (or
fails until the world in `world.py` holds a row of it).
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from .world import ROLES, build_world

pytestmark = pytest.mark.django_db

SCOPED_APPS = {"org", "compounds"}
MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label in SCOPED_APPS),
    key=lambda m: m._meta.label,
)


@pytest.fixture
def world(
    request,
    street,
    community,
    other_community,
    grid,
    other_grid,
    compound,
    other_compound,
    serving_contract,
):
    users = {role: request.getfixturevalue(role) for role in ROLES}
    return build_world(
        street=street,
        community=community,
        other_community=other_community,
        grid=grid,
        other_grid=other_grid,
        compound=compound,
        other_compound=other_compound,
        serving_contract=serving_contract,
        users=users,
    )


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def autocomplete_source(model):
    """A (model, field) of a registered admin whose relation points at `model`."""
    candidates = []
    for source in admin.site._registry:
        for field in source._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and (field.many_to_one or field.many_to_many or field.one_to_one)
                and field.related_model is model
            ):
                candidates.append((bool(field.get_limit_choices_to()), source, field))
    candidates.sort(key=lambda c: (c[0], c[1]._meta.label, c[2].name))
    return (candidates[0][1], candidates[0][2]) if candidates else (None, None)


AUTOCOMPLETE_MODELS = [m for m in MODELS if autocomplete_source(m)[0] is not None]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_role_sees_exactly_its_own_rows_in_the_changelist(world, client, model):
    assert world.rows.get(model), f"world.py has no row of {model._meta.label}"
    for role, user in world.users.items():
        client.force_login(user)
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, role
        shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
        inside, outside = world.split(model, role)
        assert inside <= shown, f"{role} misses {model._meta.label} rows"
        assert not (outside & shown), f"{role} sees foreign {model._meta.label}"
        assert shown == set(
            model._default_manager.visible_to(user).values_list("pk", flat=True)
        ), role
        assert_filter_choices_in_scope(response.context["cl"], user, role)


def assert_filter_choices_in_scope(cl, user, role):
    """Related filters offer visible objects or those the user's rows name.

    Unscoped related models (the role groups) are reference data, open to all.
    """
    for spec in cl.filter_specs:
        if not isinstance(spec, admin.RelatedFieldListFilter):
            continue
        offered = {pk for pk, _label in spec.lookup_choices}
        related = spec.field.related_model._default_manager.all()
        allowed = set(cl.queryset.values_list(f"{spec.field_path}__pk", flat=True))
        if hasattr(related, "visible_to"):
            allowed |= set(related.visible_to(user).values_list("pk", flat=True))
        else:
            allowed |= set(related.values_list("pk", flat=True))
        assert offered <= allowed, (role, spec.field_path)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_change_view_answers_404_outside_the_scope(world, client, model):
    for role, user in world.users.items():
        client.force_login(user)
        inside, outside = world.split(model, role)
        for pk in outside:
            response = client.get(admin_url(model, "change", pk))
            assert response.status_code == 404, (role, pk)
        for pk in sorted(outside)[:1]:
            for view in ("delete", "history"):
                response = client.get(admin_url(model, view, pk))
                assert response.status_code == 404, (role, view, pk)
        for pk in list(inside)[:1]:
            response = client.get(admin_url(model, "change", pk))
            assert response.status_code == 200, (role, pk)


@pytest.mark.parametrize("model", AUTOCOMPLETE_MODELS, ids=lambda m: m._meta.label)
def test_autocomplete_offers_only_rows_in_the_scope(world, client, model):
    source, field = autocomplete_source(model)
    url = reverse("admin:autocomplete")
    params = {
        "app_label": source._meta.app_label,
        "model_name": source._meta.model_name,
        "field_name": field.name,
    }
    limit = field.get_limit_choices_to()
    for role, user in world.users.items():
        client.force_login(user)
        response = client.get(url, params)
        assert response.status_code == 200, role
        offered = {int(row["id"]) for row in response.json()["results"]}
        visible = model._default_manager.visible_to(user).complex_filter(limit)
        visible_pks = set(visible.values_list("pk", flat=True))
        _inside, outside = world.split(model, role)
        assert offered <= visible_pks, role
        assert not (offered & outside), role
        assert len(offered) == min(len(visible_pks), 20), role


def test_every_org_and_compounds_admin_is_scoped_and_searchable():
    from org.admin_scope import ScopeRules

    for model in MODELS:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ScopeRules), model._meta.label
        assert model_admin.search_fields, model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopeRules), inline


SCOPED_ELSEWHERE = sorted(
    (
        m
        for m, ma in admin.site._registry.items()
        if m._meta.app_label not in SCOPED_APPS and hasattr(ma, "scoped_field_queryset")
    ),
    key=lambda m: m._meta.label,
)


@pytest.mark.parametrize("model", SCOPED_ELSEWHERE, ids=lambda m: m._meta.label)
def test_scoped_admins_of_other_apps_list_only_visible_rows(
    request, client, serving_contract, model
):
    from django.contrib.auth.models import Permission

    for role in ROLES:
        user = request.getfixturevalue(role)
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label=model._meta.app_label)
        )
        client.force_login(user)
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, role
        shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
        visible = set(
            model._default_manager.visible_to(user).values_list("pk", flat=True)
        )
        assert shown <= visible, role

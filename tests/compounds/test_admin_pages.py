"""Admin pages: they render, refuse writes outside the scope, export CSV."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from compounds.models import Compound, PropertyCompany

from ..factories import credit_code

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry, key=lambda m: m._meta.label)


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def allow(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.mark.parametrize("model", REGISTRY, ids=lambda m: m._meta.label)
def test_changelist_and_add_page_render_for_a_superuser(
    client, superuser, compound, serving_contract, model
):
    client.force_login(superuser)
    assert client.get(url(model, "changelist")).status_code == 200
    request = RequestFactory().get("/")
    request.user = superuser
    if admin.site._registry[model].has_add_permission(request):
        assert client.get(url(model, "add")).status_code == 200


def compound_post(grid, **extra):
    data = {
        "name": "伪造小区",
        "grid": grid.pk,
        "kind": Compound.Kind.OLD,
        "management_mode": Compound.ManagementMode.COMPANY,
        "households": 100,
        "buildings": 3,
        "service_grade": 3,
        "service_contracts-TOTAL_FORMS": 0,
        "service_contracts-INITIAL_FORMS": 0,
        "building_heads-TOTAL_FORMS": 0,
        "building_heads-INITIAL_FORMS": 0,
    }
    data.update(extra)
    return data


def test_grid_secretary_add_form_offers_only_their_grid(
    client, grid_secretary, grid, other_grid
):
    allow(grid_secretary, "add_compound", "view_compound")
    client.force_login(grid_secretary)
    response = client.get(url(Compound, "add"))
    choices = response.context["adminform"].form.fields["grid"].queryset
    assert list(choices) == [grid]


def test_compound_grid_filter_offers_only_the_users_grids(
    client, community_staff, compound, other_compound, other_community
):
    from ..factories import CompoundFactory, GridFactory

    CompoundFactory(grid=GridFactory(parent=other_community))
    allow(community_staff, "view_compound")
    client.force_login(community_staff)
    response = client.get(url(Compound, "changelist"))
    choices = {
        spec.field_path: {label for _pk, label in spec.lookup_choices}
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", None) == "grid"
    }
    assert choices == {"grid": {compound.grid.name, other_compound.grid.name}}


def test_forged_post_for_another_grid_is_refused_and_nothing_is_stored(
    client, grid_secretary, grid, other_grid
):
    allow(grid_secretary, "add_compound", "view_compound")
    client.force_login(grid_secretary)

    response = client.post(url(Compound, "add"), compound_post(other_grid))

    assert response.status_code == 200
    assert "grid" in response.context["adminform"].form.errors
    assert "选择一个有效的选项" in response.content.decode()
    assert not Compound.objects.filter(name="伪造小区").exists()


def test_grid_secretary_may_add_a_compound_in_their_grid(client, grid_secretary, grid):
    allow(grid_secretary, "add_compound", "view_compound")
    client.force_login(grid_secretary)
    response = client.post(url(Compound, "add"), compound_post(grid))
    assert response.status_code == 302
    assert Compound.objects.get(name="伪造小区").community == grid.parent


def test_a_compound_keeps_a_party_group_of_its_own_grid_only(client, superuser, grid):
    from ..factories import GridFactory, GroupFactory

    stray = GroupFactory(parent=GridFactory(parent=grid.parent))
    client.force_login(superuser)
    response = client.post(
        url(Compound, "add"), compound_post(grid, party_group=stray.pk)
    )
    assert "party_group" in response.context["adminform"].form.errors
    assert not Compound.objects.filter(name="伪造小区").exists()


def test_csv_export_contains_only_scoped_rows(
    client, grid_secretary, compound, other_compound
):
    allow(grid_secretary, "view_compound")
    client.force_login(grid_secretary)
    response = client.post(
        url(Compound, "changelist"),
        {
            "action": "export_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": [compound.pk, other_compound.pk],
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert names == [compound.name]
    assert rows[0][0] == "名称"


def test_csv_export_of_a_forged_selection_skips_foreign_rows(
    client, grid_secretary, compound, other_compound
):
    allow(grid_secretary, "view_compound")
    client.force_login(grid_secretary)
    response = client.post(
        url(Compound, "changelist"),
        {"action": "export_csv", "index": "0", "_selected_action": [other_compound.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only


def test_bad_credit_code_is_refused_in_chinese_and_nothing_is_stored(
    client, superuser, street
):
    good = credit_code(4242)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    client.force_login(superuser)
    data = {
        "name": "错误代码物业",
        "credit_code": bad,
        "registered_with": street.pk,
        "party_member_count": 0,
        "party_organisation-TOTAL_FORMS": 0,
        "party_organisation-INITIAL_FORMS": 0,
        "instructors-TOTAL_FORMS": 0,
        "instructors-INITIAL_FORMS": 0,
        "staff-TOTAL_FORMS": 0,
        "staff-INITIAL_FORMS": 0,
    }
    response = client.post(url(PropertyCompany, "add"), data)
    assert response.status_code == 200
    assert "不是有效的统一社会信用代码" in response.content.decode()
    assert not PropertyCompany.objects.exists()

    data["credit_code"] = good.lower()
    response = client.post(url(PropertyCompany, "add"), data)
    assert response.status_code == 302
    assert PropertyCompany.objects.get().credit_code == good


def test_grid_secretary_sees_companies_serving_their_grid_only(
    client, grid_secretary, serving_contract, other_compound
):
    from ..factories import ServiceContractFactory

    ServiceContractFactory(compound=other_compound)
    allow(grid_secretary, "view_propertycompany")
    client.force_login(grid_secretary)
    response = client.get(url(PropertyCompany, "changelist"))
    assert list(response.context["cl"].queryset) == [serving_contract.company]


def test_grid_secretary_can_save_a_visible_company_filed_with_the_street(
    client, grid_secretary, serving_contract
):
    allow(grid_secretary, "change_propertycompany", "view_propertycompany")
    company = serving_contract.company
    client.force_login(grid_secretary)
    response = client.post(
        url(PropertyCompany, "change", company.pk),
        {
            "name": company.name,
            "credit_code": company.credit_code,
            "registered_with": company.registered_with_id,
            "party_member_count": 1,
            "contact_phone": "0537-1234567",
            "party_organisation-TOTAL_FORMS": 0,
            "party_organisation-INITIAL_FORMS": 0,
            "instructors-TOTAL_FORMS": 0,
            "instructors-INITIAL_FORMS": 0,
            "staff-TOTAL_FORMS": 0,
            "staff-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.contact_phone == "0537-1234567"


def test_two_overlapping_contracts_in_one_submission_are_refused(
    client, superuser, compound
):
    from ..factories import PropertyCompanyFactory

    first, second = PropertyCompanyFactory(), PropertyCompanyFactory()
    client.force_login(superuser)
    data = compound_post(
        compound.grid,
        name=compound.name,
        **{
            "service_contracts-TOTAL_FORMS": 2,
            "service_contracts-0-company": first.pk,
            "service_contracts-0-start": "2024-01-01",
            "service_contracts-1-company": second.pk,
            "service_contracts-1-start": "2024-06-01",
        },
    )
    response = client.post(url(Compound, "change", compound.pk), data)
    assert response.status_code == 200
    assert not compound.service_contracts.exists()


def test_csv_export_follows_the_changelist_filter(
    client, community_staff, compound, other_compound, other_community
):
    from ..factories import CompoundFactory, GridFactory

    other_compound.kind = Compound.Kind.OLD
    other_compound.save()
    CompoundFactory(grid=GridFactory(parent=other_community), kind=Compound.Kind.OLD)
    allow(community_staff, "view_compound")
    client.force_login(community_staff)
    response = client.post(
        url(Compound, "changelist") + "?kind__exact=old",
        {
            "action": "export_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": [other_compound.pk],
        },
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [other_compound.name]

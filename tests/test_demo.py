"""The demo street: safe to load twice, and every figure of the article."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from stdnum.cn import uscc

from compounds import reports
from compounds.models import (
    BuildingHead,
    Committee,
    Compound,
    Facility,
    PackageMembership,
    PropertyCompany,
    ServicePackage,
)
from demo.compounds import COMPANIES
from demo.org import ARTICLE_SOCIAL_ORGS, DEMO_PASSWORD, STREET_CODE
from org.models import (
    Alliance,
    DeliberationMember,
    LiaisonContact,
    LiaisonDepartment,
    LinkagePartner,
    OrgUnit,
    Person,
    Post,
    User,
)
from org.roles import ROLES

pytestmark = pytest.mark.django_db

FAST_HASHER = f"{MD5PasswordHasher.__module__}.{MD5PasswordHasher.__name__}"


@pytest.fixture(scope="module", autouse=True)
def demo_street(django_db_setup, django_db_blocker):
    """Load the demo once for the module; each test runs in a savepoint."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


# Logs that gain a row each time a job runs, by design (every scoring run is
# recorded); reloading may add to them.
RUN_LOGS = {"assessments.ScoringRun"}


def counts() -> dict[str, int]:
    """Rows of every model of the project, by model, run logs aside."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label not in RUN_LOGS
    }


def test_loading_twice_gives_the_same_rows_and_prints_the_logins(capsys):
    before = counts()
    call_command("load_demo")
    assert counts() == before
    assert before["compounds.Compound"] > 0

    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out
    assert "http://127.0.0.1:8000/admin/" in out
    for username in (
        "admin",
        "street_admin",
        "community_staff",
        "grid_secretary",
        "property_manager",
        "inspector",
    ):
        assert re.search(rf"^\s+{username}\s+{DEMO_PASSWORD}\s", out, re.M)


def test_street_has_its_real_code_and_synthetic_codes_below_it():
    street = OrgUnit.objects.get(code=STREET_CODE)
    assert street.name == "济阳街道"
    assert not street.code_is_synthetic
    communities = OrgUnit.objects.communities().filter(parent=street)
    assert set(communities.values_list("name", flat=True)) >= {
        "济阳大街社区",
        "草桥口社区",
        "运河社区",
        "柳行社区",
        "龙行社区",
        "财工街社区",
        "南门社区",
        "京杭社区",
    }
    below = OrgUnit.objects.subtree_of(street).exclude(pk=street.pk)
    coded = below.exclude(kind=OrgUnit.Kind.GROUP)
    assert not coded.filter(code_is_synthetic=False).exists()
    for unit in coded:
        length = OrgUnit.CODE_LENGTH[unit.kind]
        assert re.fullmatch(rf"{STREET_CODE}\d{{{length - 9}}}", unit.code)


def test_thirty_grid_party_branches():
    assert OrgUnit.objects.grids().count() == 30


def test_33_committees_13_of_them_self_management_in_three_without_compounds():
    committees = Committee.objects.current()
    assert committees.count() == 33
    self_managed = committees.filter(kind=Committee.Kind.SELF_MANAGEMENT)
    assert self_managed.count() == 13
    assert all(c.compound.is_three_without for c in self_managed)
    three_without = Compound.objects.three_without()
    assert three_without.count() == 13
    assert not three_without.exclude(
        management_mode=Compound.ManagementMode.SELF
    ).exists()


def test_terms_ending_soon_list_has_rows():
    assert Committee.objects.terms_ending_within(90).exists()


def test_shuijing_huayuan_owners_committee_is_the_benchmark_neighbours_follow():
    benchmark = Committee.objects.get(is_benchmark=True)
    assert benchmark.compound.name == "水景花苑"
    assert benchmark.kind == Committee.Kind.OWNERS
    followers = benchmark.followers.all()
    assert followers.count() >= 3
    assert {f.compound.community_id for f in followers} == {
        benchmark.compound.community_id
    }


def test_party_rule_holds_for_every_company_but_one():
    companies = PropertyCompany.objects.with_compliance()
    C = PropertyCompany.Compliance
    breakers = PropertyCompany.objects.breaking_party_rule()
    assert breakers.count() == 1
    assert breakers.get().party_member_count >= 3
    assert companies.filter(party_compliance=C.ORGANISATION).exists()
    assert companies.filter(party_compliance=C.INSTRUCTOR).exists()
    assert len(reports.party_rule_breakers()) == 1


def test_company_credit_codes_are_valid():
    codes = PropertyCompany.objects.values_list("credit_code", flat=True)
    assert len(codes) == len(COMPANIES)
    assert all(uscc.is_valid(code) for code in codes)


def test_a_compound_is_in_at_most_one_active_package():
    active = PackageMembership.objects.active()
    assert active.exists()
    per_compound = active.values("compound").annotate(n=Count("pk"))
    assert not per_compound.filter(n__gt=1).exists()
    assert PackageMembership.objects.filter(end__isnull=False).exists()  # history


def test_a_package_grows_around_a_new_compound_whose_company_took_neighbours_in():
    package = ServicePackage.objects.get(
        end__isnull=True, lead_compound__kind=Compound.Kind.COMMERCIAL
    )
    members = Compound.objects.filter(package_memberships__package=package)
    neighbours = members.exclude(pk=package.lead_compound_id)
    assert neighbours.count() >= 2
    assert not neighbours.exclude(kind=Compound.Kind.OLD).exists()
    assert package.lead_compound.current_company == package.company
    assert all(n.current_company == package.company for n in neighbours)


def test_old_compound_packages_bundle_under_one_company():
    for package in ServicePackage.objects.filter(end__isnull=True):
        members = Compound.objects.filter(
            package_memberships__package=package, package_memberships__end=None
        )
        assert members.count() >= 3
        assert package.lead_compound in members
        assert {m.current_company for m in members} == {package.company}


def test_standalone_buildings_are_run_by_building_heads():
    standalone = Compound.objects.filter(kind=Compound.Kind.STANDALONE)
    assert standalone.exists()
    for compound in standalone:
        assert compound.management_mode == Compound.ManagementMode.BUILDING_HEADS
        assert BuildingHead.objects.filter(compound=compound).exists()


def test_47_charging_pile_groups_in_exactly_3_communities():
    chargers = Facility.objects.filter(kind=Facility.Kind.EV_CHARGER)
    assert sum(chargers.values_list("count", flat=True)) == 47
    assert chargers.values("community").distinct().count() == 3


def test_lpg_to_pipeline_conversion_on_3_lanes():
    lanes = Facility.objects.filter(
        kind=Facility.Kind.GAS_PIPELINE, compound__isnull=True
    )
    assert lanes.values("location").distinct().count() == 3
    assert all(lane.count > 1 and lane.community_id for lane in lanes)


def test_access_control_in_every_compound():
    without = Compound.objects.exclude(facilities__kind=Facility.Kind.ACCESS_CONTROL)
    assert not without.exists()


def test_upgrades_and_amenities_are_on_record():
    K = Facility.Kind
    kinds = set(Facility.objects.values_list("kind", flat=True))
    assert kinds >= {
        K.BIKE_SHED,
        K.CLOTHES_RACK,
        K.PARKING,
        K.FITNESS,
        K.RAIN_SEWAGE,
        K.PIPE_NETWORK,
        K.ROAD_REPAIR,
        K.WALL_PAINTING,
    }


def test_34_social_organisations_including_the_five_named():
    orgs = LinkagePartner.objects.filter(kind=LinkagePartner.Kind.SOCIAL_ORG)
    assert orgs.count() == 34
    assert set(ARTICLE_SOCIAL_ORGS) <= set(orgs.values_list("name", flat=True))
    for kind in (LinkagePartner.Kind.SOCIAL_WORKER, LinkagePartner.Kind.VOLUNTEER):
        assert LinkagePartner.objects.filter(kind=kind).exists()


def test_alliance_gathers_party_government_company_and_social_members():
    alliance = Alliance.objects.get()
    assert alliance.name == "济阳街道红色物业党建联盟"
    kinds = set(alliance.members.values_list("kind", flat=True))
    assert {"party_org", "government", "company", "social_org"} <= kinds
    assert alliance.members.filter(kind="company").count() == len(COMPANIES)


def test_police_market_and_safety_liaise_with_and_deliberate_in_every_community():
    kinds = {
        LiaisonDepartment.Kind.POLICE,
        LiaisonDepartment.Kind.MARKET,
        LiaisonDepartment.Kind.SAFETY,
    }
    for community in OrgUnit.objects.communities():
        contacts = LiaisonContact.objects.filter(community=community)
        assert set(contacts.values_list("department__kind", flat=True)) == kinds
        seats = DeliberationMember.objects.filter(group__community=community)
        assert set(seats.values_list("department__kind", flat=True)) >= kinds


def test_every_unit_has_a_secretary():
    assert not OrgUnit.objects.exclude(posts__role=Post.Role.SECRETARY).exists()


def test_street_has_inspectors_and_resident_representatives():
    street = OrgUnit.objects.get(code=STREET_CODE)
    roles = set(street.posts.values_list("role", flat=True))
    assert {Post.Role.INSPECTOR, Post.Role.RESIDENT_REPRESENTATIVE} <= roles


def test_cross_appointment_gap_report_has_a_few_rows():
    gaps = reports.cross_appointment_gaps()
    assert 1 <= len(gaps) <= 6
    complete = OrgUnit.objects.grids().count() - len(gaps)
    assert complete > len(gaps)


def test_demo_phone_numbers_are_clearly_fake():
    phones = Person.objects.values_list("phone", flat=True)
    assert all(re.fullmatch(r"100\d{8}", phone) for phone in phones)


EXPECTED_SCOPE = {
    # username: (role group, the compounds the login should see)
    "street_admin": (
        "街道物业办",
        lambda: Compound.objects.all(),
    ),
    "community_staff": (
        "社区工作人员",
        lambda: Compound.objects.filter(community__name="济阳大街社区"),
    ),
    "grid_secretary": (
        "网格党支部",
        lambda: Compound.objects.filter(grid__code=f"{STREET_CODE}001001"),
    ),
    "property_manager": (
        "物业项目经理",
        lambda: Compound.objects.served_by(
            PropertyCompany.objects.get(name="山东京杭物业管理有限公司")
        ),
    ),
    "inspector": ("居民代表", lambda: Compound.objects.all()),
}


@pytest.mark.parametrize("username", sorted(EXPECTED_SCOPE))
def test_demo_login_is_staff_in_its_role_group(username):
    user = User.objects.get(username=username)
    role, _ = EXPECTED_SCOPE[username]
    assert role in ROLES
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [role]


def test_admin_login_is_a_superuser():
    admin_user = User.objects.get(username="admin")
    assert admin_user.is_superuser and admin_user.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize("username", sorted(EXPECTED_SCOPE))
def test_demo_login_sees_exactly_its_compounds_in_the_admin(client, username):
    user = User.objects.get(username=username)
    _, expected = EXPECTED_SCOPE[username]
    expected_ids = set(expected().values_list("pk", flat=True))
    assert expected_ids
    assert set(Compound.objects.visible_to(user).values_list("pk", flat=True)) == (
        expected_ids
    )

    assert client.login(username=username, password=DEMO_PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.get(reverse("admin:compounds_compound_changelist"), {"all": ""})
    assert response.status_code == 200
    changelist = response.context["cl"]
    shown = {compound.pk for compound in changelist.queryset}
    assert shown == expected_ids


@pytest.mark.second_factor
def test_the_demo_street_office_passes_its_second_factor_with_the_demo_code(
    client, capsys
):
    from pathlib import Path

    from demo.org import demo_otp_secret

    call_command("load_demo")
    printed = capsys.readouterr().out
    assert demo_otp_secret() in printed
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert demo_otp_secret() in readme

    for username in ("street_admin", "admin"):
        client.post(
            reverse("admin:login"),
            {"username": username, "password": DEMO_PASSWORD},
        )
        assert client.get("/admin/")["Location"].startswith(reverse("second-factor"))
        call_command("demo_code")
        code = capsys.readouterr().out.strip()
        response = client.post(reverse("second-factor"), {"code": code})
        assert response.status_code == 302, response.content[:300]
        assert client.get("/admin/").status_code == 200
        client.post(reverse("admin:logout"))

"""A small world with one row of every org and compounds model per place.

Places ("sites") and who may see them:

- `grid`: the grid secretary's grid (its compound is served by the property
  manager's company);
- `other_grid`: another grid of the same community;
- `community` / `other_community`: community-level rows of the community and
  of a second community of the street;
- `street`: street-level rows of the street;
- `far`, `far_community`, `far_street`: the same in the outsider's street,
  `far` being the outsider's own grid.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.utils import timezone

from compounds.models import (
    BuildingHead,
    Committee,
    CommitteeMember,
    CompanyStaff,
    Facility,
    PackageMembership,
    PartyInstructor,
    PartyOrganisation,
    ServicePackage,
)
from org.models import (
    Alliance,
    AllianceMember,
    AuditEvent,
    CrossAppointment,
    DeliberationGroup,
    DeliberationMember,
    LiaisonContact,
    LiaisonDepartment,
    LinkagePartner,
    OrgUnit,
    Person,
    Post,
    User,
)

from ..factories import (
    CompoundFactory,
    GroupFactory,
    PersonFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
)

STREET_ROLES = {
    "grid",
    "other_grid",
    "community",
    "other_community",
    "street",
}
VISIBLE_SITES = {
    "superuser": STREET_ROLES | {"far", "far_community", "far_street"},
    "street_admin": STREET_ROLES,
    "inspector": STREET_ROLES,
    "community_staff": {"grid", "other_grid", "community"},
    "grid_secretary": {"grid"},
    "property_manager": {"grid"},
    "outsider": {"far"},
}
ROLES = list(VISIBLE_SITES)


def reaches_companies(model) -> bool:
    """Whether company staff see rows of this model (through compounds)."""
    queryset = model._default_manager.all()
    return (
        getattr(queryset, "scope_compound", None) is not None
        or getattr(queryset, "scope_company", None) is not None
    )


def expected_sites(role: str, model) -> set[str]:
    if role == "property_manager" and not reaches_companies(model):
        return set()
    return VISIBLE_SITES[role]


@dataclass
class World:
    rows: dict = field(default_factory=dict)  # model → {site: [objects]}
    users: dict = field(default_factory=dict)  # role → user

    def add(self, site: str, *objects) -> None:
        for obj in objects:
            self.rows.setdefault(type(obj), {}).setdefault(site, []).append(obj)

    def split(self, model, role: str) -> tuple[set[int], set[int]]:
        """(pks the role must see, pks it must not see) among world rows."""
        sites = expected_sites(role, model)
        inside, outside = set(), set()
        for site, objects in self.rows.get(model, {}).items():
            (inside if site in sites else outside).update(o.pk for o in objects)
        if model is Person and role == "property_manager":
            # Company staff see their own company's people, no one else.
            staff = set(
                CompanyStaff.objects.filter(
                    company_id__in=self.users[role].scope.company_ids
                ).values_list("person_id", flat=True)
            )
            everyone = inside | outside
            inside, outside = everyone & staff, everyone - staff
        return inside, outside


def grant_all_permissions(user) -> None:
    """The scope is under test, not the permissions: give them all."""
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["org", "compounds"])
    )


def build_grid_site(world, site, grid, compound, company, contract) -> None:
    today = timezone.localdate()
    person = PersonFactory(unit=grid, name=f"{site}网格员")
    world.add(site, GroupFactory(parent=grid, name=f"{site}楼院党小组"))
    world.add(site, person)
    world.add(site, Post.objects.create(person=person, unit=grid, role="grid_worker"))
    world.add(site, User.objects.create_user(username=f"{site}-login", person=person))
    world.add(
        site,
        CrossAppointment.objects.create(
            branch=grid, seat="community", person=person, source_organisation="社区"
        ),
    )
    world.add(site, compound, contract, company)
    world.add(
        site,
        PartyOrganisation.objects.create(company=company, name=f"{company.name}党支部"),
        PartyInstructor.objects.create(company=company, person=person, start=today),
        CompanyStaff.objects.create(company=company, person=person, role="staff"),
    )
    package = ServicePackage.objects.create(
        name=f"{site}片区", company=company, lead_compound=compound, start=today
    )
    committee = Committee.objects.create(
        compound=compound,
        kind="owners",
        name=f"{compound.name}业委会",
        established=today,
        term_start=today,
        term_end=today + timedelta(days=365 * 5),
    )
    world.add(
        site,
        package,
        PackageMembership.objects.create(
            package=package, compound=compound, start=today
        ),
        committee,
        CommitteeMember.objects.create(
            committee=committee, person=person, role="chair"
        ),
        BuildingHead.objects.create(compound=compound, building="1号楼", person=person),
        Facility.objects.create(kind="ev_charger", compound=compound, count=4),
    )


def build_community_site(world, site, community, department) -> None:
    person = PersonFactory(unit=community, name=f"{site}联络人")
    group = DeliberationGroup.objects.create(
        community=community, name=f"{site}议事小组"
    )
    world.add(
        site,
        LiaisonContact.objects.create(
            department=department, community=community, person=person
        ),
        group,
        DeliberationMember.objects.create(group=group, person=person),
        LinkagePartner.objects.create(
            community=community, kind="social_org", name=f"{site}爱心针线坊"
        ),
        Facility.objects.create(
            kind="gas_pipeline", community=community, location="税务街", count=12
        ),
    )


def build_street_site(world, site, street) -> LiaisonDepartment:
    alliance = Alliance.objects.create(street=street, name=f"{site}红色物业党建联盟")
    department = LiaisonDepartment.objects.create(
        street=street, name=f"{site}派出所", kind="police"
    )
    world.add(
        site,
        alliance,
        AllianceMember.objects.create(
            alliance=alliance, organisation=f"{site}物业公司", kind="company"
        ),
        department,
        AuditEvent.objects.create(
            action=AuditEvent.Action.SIGN_IN, username=f"{site}干事", street=street
        ),
    )
    return department


def build_world(
    *,
    street,
    community,
    other_community,
    grid,
    other_grid,
    compound,
    other_compound,
    serving_contract,
    users,
) -> World:
    world = World(users=users)
    for user in users.values():
        grant_all_permissions(user)

    build_grid_site(
        world, "grid", grid, compound, serving_contract.company, serving_contract
    )
    other_contract = ServiceContractFactory(
        compound=other_compound,
        company=PropertyCompanyFactory(registered_with=street),
    )
    build_grid_site(
        world,
        "other_grid",
        other_grid,
        other_compound,
        other_contract.company,
        other_contract,
    )
    department = build_street_site(world, "street", street)
    build_community_site(world, "community", community, department)
    build_community_site(world, "other_community", other_community, department)

    far_grid: OrgUnit = users["outsider"].person.unit
    far_community, far_street = far_grid.parent, far_grid.parent.parent
    far_compound = CompoundFactory(grid=far_grid, name="远方小区")
    far_contract = ServiceContractFactory(
        compound=far_compound,
        company=PropertyCompanyFactory(registered_with=far_street),
    )
    build_grid_site(
        world, "far", far_grid, far_compound, far_contract.company, far_contract
    )
    far_department = build_street_site(world, "far_street", far_street)
    build_community_site(world, "far_community", far_community, far_department)
    return world

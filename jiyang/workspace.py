"""The workspace (工作台) of the admin home: the staff pages, by topic.

Each link carries the question its page asks before it answers: the roles
of the rights table (`org.rights`), the scope predicates of `org.scope` or a
model permission. `links_for(user)` keeps the links whose question the user
passes, so nobody is shown a page that would refuse them
(tests/rights/test_workspace_links.py opens every shown link as every role).
When a page moves to `require(user, "app.task")`, its link here names the
same task with `task_is`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.models import inspecting_street_ids, plan_street_ids
from org.rights import Role, may, roles_of
from org.scope import user_scope

Check = Callable[[object], bool]


@dataclass(frozen=True)
class Link:
    label: Promise | str
    # A URL name (reversed) or a path starting with "/".
    target: str
    usable: Check

    @property
    def url(self) -> str:
        return self.target if self.target.startswith("/") else reverse(self.target)


@dataclass(frozen=True)
class Group:
    title: Promise | str
    links: tuple[Link, ...]


def task_is(name: str) -> Check:
    return lambda user: may(user, name)


def _imports_ledgers(user) -> bool:
    from org.ledgers import LEDGERS

    return any(may(user, ledger.task) for ledger in LEDGERS.values())


def role_in(*roles: Role) -> Check:
    return lambda user: bool(roles_of(user) & ({Role.SUPERUSER, *roles}))


def perm(name: str) -> Check:
    return lambda user: user.has_perm(name)


def _concern_staff(user) -> bool:
    # The staff list sends company staff to their own list.
    return (
        may(user, "consultations.read_concerns")
        and not user_scope(user).is_company_user
    )


def _org_staff(user) -> bool:
    return user_scope(user).is_org_staff


def _serves_residents(user) -> bool:
    return user_scope(user).serves_residents


def _company(user) -> bool:
    return bool(user_scope(user).company_ids)


def _inspects(user) -> bool:
    return inspecting_street_ids(user) != []


def _draws(user) -> bool:
    return plan_street_ids(user) != []


# The first page after login, above the groups.
MY_TASKS = Link(_("My tasks"), "my-tasks", task_is("jiyang.view_my_tasks"))

ORG = (Role.STREET_OFFICE, Role.COMMUNITY_STAFF, Role.GRID_STAFF)

# The street overview, in the site navigation too.
OVERVIEW = Link(_("Street overview"), "overview", task_is("jiyang.view_overview"))

GROUPS = (
    Group(_("Overview"), (OVERVIEW,)),
    Group(
        _("Residents' concerns"),
        (
            Link(_("Concern list"), "consultations:staff-list", _concern_staff),
            Link(
                _("Enter a concern for a resident"),
                "consultations:staff-create",
                task_is("consultations.submit"),
            ),
            Link(
                _("Response, resolution and satisfaction rates"),
                "consultations:staff-rates",
                task_is("consultations.read_concerns"),
            ),
            Link(
                _("Concerns dispatched to my company"),
                "consultations:manager-list",
                _company,
            ),
            Link(
                _("Concerns whose compound is to be confirmed"),
                "consultations:needing-compound",
                task_is("consultations.assign_compound"),
            ),
            Link(
                _("Scan-to-report posters (扫码说事)"),
                "compounds:posters",
                task_is("compounds.print_posters"),
            ),
        ),
    ),
    Group(
        _("Visit days and meetings"),
        (
            Link(_("Visit day"), "civic:visit-day", _serves_residents),
            Link(
                _("Compounds without a visit report"),
                "civic:visit-missing",
                _org_staff,
            ),
            Link(_("Meetings"), "civic:meetings", _serves_residents),
            Link(_("Public disclosures"), "civic:disclosures", _serves_residents),
        ),
    ),
    Group(
        _("Assessment"),
        (
            Link(_("Inspections"), "assessments:inspections", _inspects),
            Link(_("Inspection draws"), "assessments:plans", _draws),
            Link(
                _("Rectification notices"),
                "assessments:rectifications",
                perm("assessments.view_rectificationnotice"),
            ),
            Link(
                _("Quarterly ranking"),
                "assessments:ranking",
                role_in(*ORG, Role.COMPANY_STAFF),
            ),
            Link(
                _("Monthly scores"),
                "assessments:months",
                role_in(*ORG, Role.COMPANY_STAFF),
            ),
            Link(
                _("Reward ledger"), "assessments:rewards", role_in(Role.STREET_OFFICE)
            ),
            Link(_("Exit cases"), "assessments:exits", role_in(Role.STREET_OFFICE)),
            Link(_("Scoring runs"), "assessments:runs", role_in(Role.STREET_OFFICE)),
        ),
    ),
    Group(
        _("Compounds and companies"),
        (
            Link(
                _("Reports"),
                "admin:compounds_reports",
                perm("compounds.view_compound"),
            ),
            Link(
                _("Import ledgers from Excel"),
                "compounds:ledgers",
                _imports_ledgers,
            ),
            # Imports and large exports of any list the user sees.
            Link(_("My imports and exports"), "ledger-jobs", _org_staff),
        ),
    ),
    Group(
        _("Partners"),
        (
            Link(
                _("API documentation"),
                "/api/docs/",
                role_in(Role.STREET_OFFICE),
            ),
            Link("Open311", "/open311/v2/discovery.json", role_in(Role.STREET_OFFICE)),
        ),
    ),
)


def links_for(user) -> list[tuple[Promise | str, list[Link]]]:
    """(group title, its links `user` may use), groups without one left out."""
    shown = []
    for group in GROUPS:
        links = [link for link in group.links if link.usable(user)]
        if links:
            shown.append((group.title, links))
    return shown

"""The one rule of what a user may see and change.

A user sees the subtrees under the units where their person holds an active
post (a street-office post: the whole street; a community post: the
community; a grid post: the grid), plus, for property-company staff, the
compounds their company serves. A superuser sees everything. Every admin
page, public page, API view and export filters through
`Model.objects.visible_to(user)`.

Residents' personal data (concerns and what hangs off them: a resident's
name, phone and e-mail) is narrower, `Scope.for_residents_data()`: only the
units of staff posts (not an inspector's or a resident representative's,
`NON_STAFF_POST_ROLES`) and, for company staff, the rows dispatched to their
company, never every row at the compounds it serves. A QuerySet over such
rows sets `holds_residents_data = True`.

Models declare how they hang under the tree on their QuerySet:

- `scope_unit`: lookup to an OrgUnit ("" for OrgUnit itself);
- `scope_ancestors`: for big tables that carry copies of their ancestors'
  ids, a mapping of unit kind → column, so the filter uses those indexed
  columns instead of a join on the tree;
- `scope_through`: for models placed in the tree (`org.place.PlacedInTree`)
  or hanging off one, the lookup to that model ("" for the model itself);
  `scope_unit` and the street/community/grid `scope_ancestors` follow;
- `scope_compound`: lookup to a Compound, for company staff;
- `scope_company`: lookup to a PropertyCompany, for company staff.

A user's scope is `User.scope` (org/models.py), computed once per user
object; this module imports no model, so models may import it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

# Posts (values of `org.models.Post.Role`; this module imports no model)
# that place their holder in the tree without making them staff of the
# office: an inspector cadre or a resident representative sits on inspection
# panels and reads what inspections need, but works no concern, meeting or
# disclosure and sees nothing of residents' personal data.
NON_STAFF_POST_ROLES = frozenset({"inspector", "resident_representative"})


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    units: tuple = ()
    company_ids: frozenset[int] = field(default_factory=frozenset)
    compound_ids: frozenset[int] = field(default_factory=frozenset)
    # (unit pk, post role) for each post `units` came from.
    post_roles: frozenset[tuple[int, str]] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.units or self.company_ids)

    @property
    def staff_units(self) -> tuple:
        """The units where the holder has a staff post (see NON_STAFF_POST_ROLES)."""
        staff = {pk for pk, role in self.post_roles if role not in NON_STAFF_POST_ROLES}
        return tuple(unit for unit in self.units if unit.pk in staff)

    @property
    def is_org_staff(self) -> bool:
        """Holds a staff post in the tree, or is a superuser: works concerns,
        meetings and disclosures of the units under it."""
        return self.everything or bool(self.staff_units)

    @property
    def is_company_user(self) -> bool:
        """Company staff without staff posts in the tree: the manager pages."""
        return bool(self.company_ids) and not self.is_org_staff

    @property
    def serves_residents(self) -> bool:
        """Org staff or company staff: works residents' concerns (and reads
        their personal data within `for_residents_data()`)."""
        return not self.for_residents_data().is_empty

    def for_residents_data(self) -> "Scope":
        """What this scope reaches of residents' personal data.

        The units of staff posts, and for company staff their company (the
        rows dispatched to it), not the compounds it serves.
        """
        if self.everything:
            return self
        return Scope(
            units=self.staff_units,
            company_ids=self.company_ids,
            post_roles=self.post_roles,
        )

    @property
    def sees_hidden_originals(self) -> bool:
        """The street office (and superusers) read a hidden description."""
        return self.everything or any(
            unit.kind == "street" for unit in self.staff_units
        )

    def street_ids_for_roles(self, roles) -> list[int] | None:
        """Streets where the holder has a street post in `roles`; None: all.

        Company staff get none, whatever posts they also hold. Read from the
        posts the scope was built from: no query.
        """
        if self.everything:
            return None
        if self.company_ids:
            return []
        wanted = set(roles)
        held = {pk for pk, role in self.post_roles if role in wanted}
        return [
            unit.pk for unit in self.units if unit.kind == "street" and unit.pk in held
        ]


# Company staff reach their company and the compounds it serves through
# compounds' contracts, and org cannot import compounds: compounds registers
# the provider in its AppConfig.ready() (compounds/scope.py:company_scope),
# and `User.scope` asks it. Without it (compounds not installed) company
# staff see nothing through their company.
CompanyScopeProvider = Callable[[int], tuple[Iterable[int], Iterable[int]]]
_company_scope_provider: CompanyScopeProvider | None = None


def register_company_scope(provider: CompanyScopeProvider) -> None:
    """`provider(person_id)` returns (company_ids, compound_ids) for the person."""
    global _company_scope_provider
    _company_scope_provider = provider


def company_scope(person_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """(company_ids, compound_ids) the person reaches as company staff."""
    if _company_scope_provider is None:
        return frozenset(), frozenset()
    company_ids, compound_ids = _company_scope_provider(person_id)
    return frozenset(company_ids), frozenset(compound_ids)


# The people a company's staff may see (its own staff, to add and remove
# them) are found through compounds' staff seats; compounds registers the
# lookup too (compounds/scope.py:company_people_q).
CompanyPeopleProvider = Callable[[frozenset[int]], Q]
_company_people_provider: CompanyPeopleProvider | None = None


def register_company_people(provider: CompanyPeopleProvider) -> None:
    """`provider(company_ids)` returns a Q on Person for those companies' staff."""
    global _company_people_provider
    _company_people_provider = provider


def company_people_q(company_ids: frozenset[int]) -> Q:
    """People working for the companies `company_ids` (none when unknown)."""
    if _company_people_provider is None or not company_ids:
        return Q(pk__in=[])
    return _company_people_provider(company_ids)


def user_scope(user) -> Scope:
    """What `user` may see: `user.scope`, or nothing for anonymous callers."""
    if user is None or not user.is_authenticated:
        return Scope()
    return user.scope


def subtree_q(path: str, units) -> Q:
    """A Q matching rows whose unit at `path` lies under any of `units`.

    `path` is a lookup to an OrgUnit ("" for the OrgUnit itself). The tree's
    columns are django-mptt's; this and `org.models` are the only places
    that know them.
    """
    prefix = f"{path}__" if path else ""
    q = Q(pk__in=[]) if not path else Q(**{f"{path}__in": []})
    for unit in units:
        q |= Q(
            **{
                f"{prefix}tree_id": unit.tree_id,
                f"{prefix}lft__gte": unit.lft,
                f"{prefix}rght__lte": unit.rght,
            }
        )
    return q


PLACE_KINDS = ("street", "community", "grid")


class ScopedQuerySet(models.QuerySet):
    scope_unit: str | None = None
    scope_ancestors: dict[str, str] = {}
    scope_compound: str | None = None
    scope_company: str | None = None
    # A lookup to a model carrying place copies (`org.place.PlacedInTree`),
    # "" for the model itself: `scope_unit` and `scope_ancestors` follow
    # from it (a class may still add ancestors, e.g. the party group).
    scope_through: str | None = None
    # Rows carrying residents' personal data: filtered through
    # `Scope.for_residents_data()` (see the module docstring).
    holds_residents_data: bool = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        through = cls.__dict__.get("scope_through")
        if through is None:
            return
        prefix = f"{through}__" if through else ""
        cls.scope_unit = cls.__dict__.get("scope_unit", f"{prefix}grid")
        cls.scope_ancestors = {
            **{kind: f"{prefix}{kind}" for kind in PLACE_KINDS},
            **cls.__dict__.get("scope_ancestors", {}),
        }

    def visible_to(self, user):
        """Rows `user` may see and change (see the module docstring)."""
        scope = user_scope(user)
        if scope.everything:
            return self
        if self.holds_residents_data:
            scope = scope.for_residents_data()
        return self.filter(self.scope_q(scope))

    def scope_q(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.units and self.scope_unit is not None:
            rest = []
            for unit in scope.units:
                column = self.scope_ancestors.get(unit.kind)
                if column:
                    q |= Q(**{f"{column}_id": unit.pk})
                else:
                    rest.append(unit)
            if rest:
                q |= subtree_q(self.scope_unit, rest)
        if scope.compound_ids and self.scope_compound is not None:
            path = self.scope_compound or "pk"
            q |= Q(**{f"{path}__in": scope.compound_ids})
        if scope.company_ids and self.scope_company is not None:
            path = self.scope_company or "pk"
            q |= Q(**{f"{path}__in": scope.company_ids})
        return q

"""The one rule of what a user may see and change.

A user sees the subtrees under the units where their person holds an active
post (a street-office post: the whole street; a community post: the
community; a grid post: the grid), plus, for property-company staff, the
compounds their company serves. A superuser sees everything. Every admin
page, public page, API view and export filters through
`Model.objects.visible_to(user)`.

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


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    units: tuple = ()
    company_ids: frozenset[int] = field(default_factory=frozenset)
    compound_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.units or self.company_ids)

    @property
    def is_org_staff(self) -> bool:
        """Holds a post in the tree, or is a superuser."""
        return self.everything or bool(self.units)

    @property
    def is_company_user(self) -> bool:
        """Company staff without posts in the tree: the manager pages."""
        return bool(self.company_ids) and not self.units and not self.everything

    @property
    def sees_hidden_originals(self) -> bool:
        """The street office (and superusers) read a hidden description."""
        return self.everything or any(unit.kind == "street" for unit in self.units)

    def street_ids_for_roles(self, person_id: int | None, roles) -> list[int] | None:
        """Streets where the person holds a street post in `roles`; None: all.

        Company staff get none, whatever posts they also hold.
        """
        if self.everything:
            return None
        if self.company_ids:
            return []
        return [
            unit.pk
            for unit in self.units
            if unit.kind == "street"
            and unit.posts.active().filter(person_id=person_id, role__in=roles).exists()
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

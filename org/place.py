"""Models that carry copies of their place in the tree.

Big tables filtered by the tree (compounds, concerns, meetings, inspections,
scores…) keep the ids of their street, community and grid in indexed
columns, so a subtree list needs no join on the tree (see DESIGN §3 and
`org.scope`). `PlacedInTree` gives a model those columns and keeps them in
step: `save()` copies them, and after a unit moves `resync_places()` sets
them again from the tree for every placed model, in two UPDATE statements a
model whatever the size of the subtree.
"""

from typing import ClassVar

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

__all__ = ["PlacedInTree", "optional_grid", "recent_in_place", "resync_places"]


class PlacedInTree(models.Model):
    """An abstract model with copies of its street, community and grid.

    `place_from` names where the place comes from:

    - a foreign key to another placed model (``"compound"``): its three
      copies are copied; when that key is empty, the row's own community is
      its place (a meeting of a whole community, work on a lane) and the
      grid stays empty;
    - ``""``: the model's own `grid` is the source (a compound), and the
      community and street are the grid's ancestors.

    A model whose rows record the place "on the day" (an inspection, a
    score) sets `follows_tree_moves = False`; the others follow every move.
    """

    street = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    community = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    grid = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    place_from: ClassVar[str] = "compound"
    follows_tree_moves: ClassVar[bool] = True

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.copy_place()
        super().save(*args, **kwargs)

    def copy_place(self) -> None:
        """Set the three copies from `place_from` (see the class docstring)."""
        if not self.place_from:
            grid = self.grid
            self.community_id = grid.parent_id
            self.street_id = grid.parent.parent_id
            return
        source = getattr(self, self.place_from)
        if source is not None:
            self.street_id = source.street_id
            self.community_id = source.community_id
            self.grid_id = source.grid_id
        elif self.community_id:
            self.grid_id = None
            self.street_id = self.community.parent_id


def optional_grid() -> models.ForeignKey:
    """The grid copy of a model whose rows may sit in a community only."""
    return models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        null=True,
        blank=True,
    )


def recent_in_place(prefix: str) -> list[models.Index]:
    """`(street|community|grid, -created_at, -id)` indexes: a subtree's newest
    rows as one index range (named `<prefix>_<kind>_recent`)."""
    return [
        models.Index(
            fields=[kind, "-created_at", "-id"], name=f"{prefix}_{kind}_recent"
        )
        for kind in ("street", "community", "grid")
    ]


def placed_models() -> list[type[PlacedInTree]]:
    """The installed models that follow the tree when a unit moves."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, PlacedInTree) and model.follows_tree_moves
    ]


def resync_places(unit) -> int:
    """Set every placed row under `unit` from the tree again; rows updated.

    Read from the tree itself, not from a compound, so the order in which
    models are updated does not matter. (`unit`'s own class stands for
    OrgUnit: `org.models` calls this from `OrgUnit.save()`.)
    """
    from_grid = unit.__class__.objects.filter(pk=OuterRef("grid_id"))
    from_community = unit.__class__.objects.filter(pk=OuterRef("community_id"))
    subtree = unit.__class__.objects.subtree_of(unit)
    updated = 0
    for model in placed_models():
        rows = model._base_manager
        updated += rows.filter(grid__in=subtree).update(
            community_id=Subquery(from_grid.values("parent_id")[:1]),
            street_id=Subquery(from_grid.values("parent__parent_id")[:1]),
        )
        if model._meta.get_field("grid").null:
            updated += rows.filter(grid__isnull=True, community__in=subtree).update(
                street_id=Subquery(from_community.values("parent_id")[:1])
            )
    return updated

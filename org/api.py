"""REST API of the organisation tree, and the scope rule's API face.

Every app's viewsets build on `ScopedReadOnlyViewSet` (or the mixin): a
viewset lists `Model.objects.visible_to(user)` and nothing else, so a token
of a grid secretary reads and changes only its grid. Anonymous callers
reach only what the public pages show, through `public_queryset()` and a
public serializer, and they are throttled. `SubtreeFilter` narrows a list to
the rows under one org unit. The generic pieces (error format, permission,
pagination, throttles, month and quarter filters) are in `common.api`.
"""

from typing import Any

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from common.api import ScopedAccess

from .models import LiaisonDepartment, OrgUnit
from .scope import Scope

# Shared by every app's viewsets -------------------------------------------


class ScopedViewSetMixin:
    """`get_queryset()` is `Model.objects.visible_to(request.user)`.

    Subclasses set `queryset = Model.objects.all()` (read for the model and
    for the schema), optionally `public = True` with `public_queryset()` and
    `public_serializer_class` for anonymous readers, and `select_related`.
    """

    public: bool = False
    public_serializer_class: type[serializers.BaseSerializer] | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    permission_classes = [ScopedAccess]

    def base_queryset(self) -> models.QuerySet:
        return self.queryset.model.objects.all()

    def public_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.none()

    def get_queryset(self) -> models.QuerySet:
        queryset = self.base_queryset()
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            queryset = queryset.visible_to(user)
        else:
            queryset = self.public_queryset(queryset)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def is_anonymous(self) -> bool:
        user = getattr(self.request, "user", None)
        return user is None or not user.is_authenticated

    def get_serializer_class(self):
        if self.public_serializer_class is not None and self.is_anonymous():
            return self.public_serializer_class
        return super().get_serializer_class()


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class SubtreeFilter(django_filters.NumberFilter):
    """Rows under an org unit (its id), through the model's scope columns."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Under the org unit (id)"))
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def filter(self, queryset: models.QuerySet, value: Any) -> models.QuerySet:
        if value in (None, ""):
            return queryset
        unit = OrgUnit.objects.filter(pk=int(value)).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(queryset.scope_q(Scope(units=(unit,))))


# The org tree's own endpoints ----------------------------------------------


class OrgUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "code",
            "code_is_synthetic",
            "parent",
            "address",
            "phone",
            "established",
        ]


class PublicOrgUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "kind", "kind_display", "name", "code", "parent"]


class OrgUnitFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=OrgUnit.Kind.choices)
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = OrgUnit
        fields = ["subtree", "kind", "parent", "name"]


@extend_schema_view(
    list=extend_schema(summary="Org units (street → community → grid → group)"),
    retrieve=extend_schema(summary="One org unit"),
)
class OrgUnitViewSet(ScopedReadOnlyViewSet):
    """The four-tier tree; anonymous readers see names and codes only."""

    queryset = OrgUnit.objects.all()
    serializer_class = OrgUnitSerializer
    public_serializer_class = PublicOrgUnitSerializer
    filterset_class = OrgUnitFilter
    public = True

    def public_queryset(self, queryset):
        return queryset

    def get_queryset(self):
        return super().get_queryset().order_by("tree_id", "lft")


class LiaisonDepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LiaisonDepartment
        fields = ["id", "street", "name", "kind", "phone"]


class LiaisonDepartmentFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()

    class Meta:
        model = LiaisonDepartment
        fields = ["subtree", "street", "kind"]


class LiaisonDepartmentViewSet(ScopedReadOnlyViewSet):
    """Police stations, market regulation and safety supervision."""

    queryset = LiaisonDepartment.objects.all()
    serializer_class = LiaisonDepartmentSerializer
    filterset_class = LiaisonDepartmentFilter

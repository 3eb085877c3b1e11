"""REST API of the organisation tree (serializers + viewsets)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from jiyang.api_common import ScopedReadOnlyViewSet, SubtreeFilter

from .models import LiaisonDepartment, OrgUnit


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

"""REST API of compounds, companies, packages, committees and facilities."""

import django_filters
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from rest_framework import serializers

from org.api import ScopedReadOnlyViewSet, SubtreeFilter

from .models import (
    Committee,
    Compound,
    Facility,
    PropertyCompany,
    ServiceContract,
    ServicePackage,
    active_on_q,
)


class CompoundSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_three_without = serializers.BooleanField(read_only=True)
    current_company = serializers.IntegerField(
        source="current_company_id",
        read_only=True,
        allow_null=True,
        help_text="Company serving it today.",
    )
    current_company_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Compound
        fields = [
            "id",
            "name",
            "street",
            "community",
            "grid",
            "party_group",
            "address",
            "latitude",
            "longitude",
            "households",
            "buildings",
            "year_built",
            "service_grade",
            "kind",
            "kind_display",
            "lacks_supervising_unit",
            "lacks_property_service",
            "lacks_security",
            "is_three_without",
            "management_mode",
            "current_company",
            "current_company_name",
        ]


class PublicCompoundSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    current_company_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Compound
        fields = [
            "id",
            "name",
            "community",
            "grid",
            "address",
            "latitude",
            "longitude",
            "kind",
            "kind_display",
            "current_company_name",
        ]


class CompoundFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=Compound.Kind.choices)
    management_mode = django_filters.ChoiceFilter(
        choices=Compound.ManagementMode.choices
    )
    service_grade = django_filters.TypedChoiceFilter(
        choices=Compound.Grade.choices, coerce=int
    )
    three_without = django_filters.BooleanFilter(method="filter_three_without")
    company = django_filters.NumberFilter(method="filter_company", min_value=1)
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Compound
        fields = ["subtree", "kind", "management_mode", "service_grade", "name"]

    def filter_three_without(self, queryset, name, value):
        if value is None:
            return queryset
        three = queryset.three_without()
        return three if value else queryset.exclude(pk__in=three.values("pk"))

    def filter_company(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(current_company_id=value)


class CompoundViewSet(ScopedReadOnlyViewSet):
    """Compounds; anonymous readers get what the public boards show."""

    queryset = Compound.objects.all()
    serializer_class = CompoundSerializer
    public_serializer_class = PublicCompoundSerializer
    filterset_class = CompoundFilter
    public = True

    def public_queryset(self, queryset):
        return queryset

    def get_queryset(self):
        today = timezone.localdate()
        contracts = (
            ServiceContract.objects.filter(compound=OuterRef("pk"))
            .filter(active_on_q(today))
            .order_by("-start")
        )
        return (
            super()
            .get_queryset()
            .annotate(
                current_company_id=Subquery(contracts.values("company_id")[:1]),
                current_company_name=Subquery(contracts.values("company__name")[:1]),
            )
            .order_by("name", "id")
        )


class PropertyCompanySerializer(serializers.ModelSerializer):
    party_compliance = serializers.ChoiceField(
        choices=PropertyCompany.Compliance.choices, read_only=True
    )

    class Meta:
        model = PropertyCompany
        fields = [
            "id",
            "name",
            "credit_code",
            "registered_with",
            "legal_representative",
            "contact_person",
            "contact_phone",
            "contact_email",
            "address",
            "party_member_count",
            "party_compliance",
        ]


class PropertyCompanyFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    party_compliance = django_filters.ChoiceFilter(
        choices=PropertyCompany.Compliance.choices
    )
    breaking_party_rule = django_filters.BooleanFilter(method="filter_breaking")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = PropertyCompany
        fields = ["subtree", "registered_with", "party_compliance", "name"]

    def filter_breaking(self, queryset, name, value):
        if value is None:
            return queryset
        bad = [
            PropertyCompany.Compliance.NEEDS_ORGANISATION,
            PropertyCompany.Compliance.NEEDS_INSTRUCTOR,
        ]
        if value:
            return queryset.filter(party_compliance__in=bad)
        return queryset.exclude(party_compliance__in=bad)


class PropertyCompanyViewSet(ScopedReadOnlyViewSet):
    """Property companies with their party-organisation compliance."""

    queryset = PropertyCompany.objects.all()
    serializer_class = PropertyCompanySerializer
    filterset_class = PropertyCompanyFilter

    def get_queryset(self):
        return super().get_queryset().with_compliance().order_by("name", "id")


class ServicePackageSerializer(serializers.ModelSerializer):
    compounds = serializers.SerializerMethodField()

    class Meta:
        model = ServicePackage
        fields = [
            "id",
            "name",
            "company",
            "lead_compound",
            "start",
            "end",
            "compounds",
        ]

    def get_compounds(self, package: ServicePackage) -> list[int]:
        today = timezone.localdate()
        return [
            m.compound_id
            for m in package.memberships.all()
            if (m.start is None or m.start <= today)
            and (m.end is None or m.end >= today)
        ]


class ServicePackageFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()

    class Meta:
        model = ServicePackage
        fields = ["subtree", "company"]


class ServicePackageViewSet(ScopedReadOnlyViewSet):
    """打包片区: compounds bundled under one company around a lead compound."""

    queryset = ServicePackage.objects.all()
    serializer_class = ServicePackageSerializer
    filterset_class = ServicePackageFilter
    prefetch_related = ("memberships",)

    def get_queryset(self):
        return super().get_queryset().order_by("name", "id")


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = [
            "id",
            "compound",
            "kind",
            "name",
            "established",
            "term_start",
            "term_end",
            "has_party_organisation",
            "is_benchmark",
            "modelled_on",
        ]


class CommitteeFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    current = django_filters.BooleanFilter(method="filter_current")
    term_end = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Committee
        fields = ["subtree", "kind", "compound", "is_benchmark"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class CommitteeViewSet(ScopedReadOnlyViewSet):
    """Owners' committees and self-management committees."""

    queryset = Committee.objects.all()
    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilter

    def get_queryset(self):
        return super().get_queryset().order_by("compound__name", "-term_start", "id")


class FacilitySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Facility
        fields = [
            "id",
            "kind",
            "kind_display",
            "compound",
            "community",
            "location",
            "count",
            "completed_on",
            "notes",
        ]


class FacilityFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=Facility.Kind.choices)
    completed_on = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Facility
        fields = ["subtree", "kind", "compound", "community"]


class FacilityViewSet(ScopedReadOnlyViewSet):
    """Charging piles, bike sheds, gas conversions and other upgrades."""

    queryset = Facility.objects.all()
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter

    def get_queryset(self):
        return super().get_queryset().order_by("kind", "id")

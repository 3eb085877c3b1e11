"""REST API of schemes, inspections, scores, rankings, rewards and exits.

Filing an inspection runs the same services as the inspection form
(`start_inspection`, `update_draft`, `record_item`, `submit_inspection`) in
one transaction; the services decide who may inspect and what is valid.
"""

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import MonthFilter, QuarterFilter, keyset
from compounds.models import Compound
from org.api import ScopedReadOnlyViewSet, SubtreeFilter
from org.models import Person
from org.rights import require

from .models import (
    AssessmentScheme,
    ExitCase,
    Inspection,
    InspectionPanelMember,
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    QuarterlyRanking,
    RectificationNotice,
    Reward,
    SchemeItem,
    VetoRule,
)
from .services.inspections import (
    ItemEntry,
    amend_inspection,
    save_sheet,
    shows_panel_names,
    start_inspection,
    submit_inspection,
)

# Schemes -----------------------------------------------------------------


class SchemeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeItem
        fields = [
            "code",
            "name",
            "name_en",
            "max_points",
            "deduction",
            "allows_na",
            "is_satisfaction_poll",
            "order",
        ]


class SchemeCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    items = SchemeItemSerializer(many=True)


class VetoRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = VetoRule
        fields = ["code", "name", "name_en"]


class PrizeSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    title = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class AssessmentSchemeSerializer(serializers.ModelSerializer):
    categories = SchemeCategorySerializer(many=True, read_only=True)
    vetoes = VetoRuleSerializer(many=True, read_only=True)
    prizes = PrizeSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentScheme
        fields = [
            "id",
            "name",
            "version",
            "valid_from",
            "description",
            "weight_inspection",
            "weight_satisfaction",
            "weight_concern_timeliness",
            "weight_reopen_rate",
            "weight_visit_day",
            "quarterly_bonus_cap",
            "veto_score",
            "min_inspections_per_quarter",
            "satisfaction_min_sample",
            "bottom_n",
            "consecutive_k",
            "categories",
            "vetoes",
            "prizes",
        ]


class AssessmentSchemeViewSet(ScopedReadOnlyViewSet):
    """《物业管理工作考核办法》 in all its versions (public)."""

    queryset = AssessmentScheme.objects.all()
    serializer_class = AssessmentSchemeSerializer
    public = True
    filterset_fields = ["name", "version"]

    def get_queryset(self) -> QuerySet:
        # The scheme is a published rule: everyone reads the same versions.
        return AssessmentScheme.objects.prefetch_related(
            "categories__items", "vetoes", "prizes"
        ).order_by("name", "-version")


# Inspections ---------------------------------------------------------------


class ItemResultSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.code")
    occurrences = serializers.IntegerField()
    not_applicable = serializers.BooleanField()
    note = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class PanelMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")

    class Meta:
        model = InspectionPanelMember
        fields = ["person", "name", "role"]


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = [
            "id",
            "compound",
            "street",
            "community",
            "grid",
            "scheme",
            "date",
            "month",
            "status",
            "version",
            "supersedes",
            "amendment_reason",
            "is_current",
            "veto",
            "veto_note",
            "satisfied",
            "basically_satisfied",
            "dissatisfied",
            "note",
            "score",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields


class InspectionDetailSerializer(InspectionSerializer):
    panel = PanelMemberSerializer(many=True, read_only=True)
    results = ItemResultSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "panel", "results"]
        read_only_fields = fields

    def to_representation(self, instance: Inspection) -> dict:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not shows_panel_names(request.user):
            # A company reads its deductions, not who scored it.
            data["panel"] = [{"role": seat["role"]} for seat in data["panel"]]
        return data


class PanelSeatInput(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    role = serializers.ChoiceField(choices=InspectionPanelMember.Role.choices)


class ItemInput(serializers.Serializer):
    item = serializers.CharField(max_length=8, help_text="Item code, e.g. C3.")
    occurrences = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    not_applicable = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InspectionInput(serializers.Serializer):
    """A whole inspection: the panel, the poll, the items; submitted unless
    `submit` is false (then it stays a draft)."""

    compound = serializers.IntegerField(min_value=1)
    date = serializers.DateField()
    panel = PanelSeatInput(many=True, allow_empty=False, max_length=20)
    satisfied = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    basically_satisfied = serializers.IntegerField(
        min_value=0, max_value=100_000, default=0
    )
    dissatisfied = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    veto = serializers.CharField(
        required=False, allow_blank=True, max_length=8, help_text="Veto rule code."
    )
    veto_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    items = ItemInput(many=True, required=False, max_length=200)
    submit = serializers.BooleanField(default=True)


class AmendInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _field_error(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


def _not_found() -> str:
    return gettext("Not found, or outside what you may see.")


@transaction.atomic
def file_inspection(*, user: Any, values: dict) -> Inspection:
    """The inspection form's steps, in one transaction."""
    require(user, "assessments.start_inspection")
    if values["submit"]:
        require(user, "assessments.submit_inspection")
    compound = Compound.objects.visible_to(user).filter(pk=values["compound"]).first()
    if compound is None:
        raise _field_error("compound", _not_found())
    people = Person.objects.visible_to(user).in_bulk(
        [seat["person"] for seat in values["panel"]]
    )
    panel = []
    for seat in values["panel"]:
        person = people.get(seat["person"])
        if person is None:
            raise _field_error("panel", _not_found())
        panel.append((person, seat["role"]))
    inspection = start_inspection(
        compound=compound, date=values["date"], panel=panel, actor=user
    )
    veto = None
    if values.get("veto"):
        veto = VetoRule.objects.filter(
            scheme=inspection.scheme, code=values["veto"]
        ).first()
        if veto is None:
            raise _field_error("veto", _not_found())
    items = {
        item.code: item
        for item in SchemeItem.objects.filter(category__scheme=inspection.scheme)
    }
    entries = []
    for row in values.get("items", []):
        item = items.get(row["item"])
        if item is None:
            raise _field_error("items", _not_found())
        entries.append(
            ItemEntry(
                item=item,
                occurrences=row["occurrences"],
                not_applicable=row["not_applicable"],
                note=row.get("note", ""),
            )
        )
    inspection = save_sheet(
        inspection=inspection,
        actor=user,
        entries=entries,
        satisfied=values["satisfied"],
        basically_satisfied=values["basically_satisfied"],
        dissatisfied=values["dissatisfied"],
        veto=veto,
        veto_note=values.get("veto_note", ""),
        note=values.get("note", ""),
    )
    if values["submit"]:
        inspection = submit_inspection(inspection=inspection, actor=user)
    return inspection


class InspectionFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    status = django_filters.ChoiceFilter(choices=Inspection.Status.choices)
    date = django_filters.DateFromToRangeFilter()
    month = MonthFilter(field_name="date")
    quarter = QuarterFilter(field_name="date")

    class Meta:
        model = Inspection
        fields = ["compound", "scheme", "is_current"]


class InspectionViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Monthly unannounced inspections (暗访) with their item results."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    pagination_class = keyset("-date", "-id")

    def get_serializer_class(self):
        if self.action == "list":
            return InspectionSerializer
        return InspectionDetailSerializer

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.prefetch_related("panel__person", "results__item")
        return queryset

    def detail_response(self, inspection: Inspection, code: int = 200) -> Response:
        inspection = Inspection.objects.prefetch_related(
            "panel__person", "results__item"
        ).get(pk=inspection.pk)
        serializer = InspectionDetailSerializer(
            inspection, context=self.get_serializer_context()
        )
        return Response(serializer.data, status=code)

    @extend_schema(
        request=InspectionInput,
        responses={201: InspectionDetailSerializer},
        summary="File an inspection (the inspection form's services)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = InspectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = file_inspection(user=request.user, values=data.validated_data)
        return self.detail_response(inspection, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Score and lock a draft."""
        require(request.user, "assessments.submit_inspection")
        inspection = submit_inspection(inspection=self.get_object(), actor=request.user)
        return self.detail_response(inspection)

    @extend_schema(request=AmendInput, responses={201: InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """Open the next version of a submitted inspection as a draft."""
        require(request.user, "assessments.amend_inspection")
        data = AmendInput(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = amend_inspection(
            inspection=self.get_object(),
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return self.detail_response(inspection, status.HTTP_201_CREATED)


class RectificationNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationNotice
        fields = [
            "id",
            "inspection",
            "item_result",
            "company",
            "requirement",
            "deadline",
            "status",
            "answer_note",
            "answered_at",
            "verified_at",
            "verification_note",
            "created_at",
        ]


class RectificationNoticeFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    status = django_filters.ChoiceFilter(choices=RectificationNotice.Status.choices)
    deadline = django_filters.DateFromToRangeFilter()

    class Meta:
        model = RectificationNotice
        fields = ["company", "inspection"]


class RectificationNoticeViewSet(ScopedReadOnlyViewSet):
    """整改: findings a company must fix by a deadline."""

    queryset = RectificationNotice.objects.all()
    serializer_class = RectificationNoticeSerializer
    filterset_class = RectificationNoticeFilter

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("-created_at", "-id")


# Scores ---------------------------------------------------------------------


class MonthlyCompoundScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyCompoundScore
        fields = [
            "id",
            "compound",
            "month",
            "street",
            "community",
            "grid",
            "company",
            "households",
            "score",
            "inspections",
            "vetoes",
            "vetoed",
            "poll_positive",
            "poll_total",
            "computed_at",
        ]


class MonthlyCompoundScoreFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    month = MonthFilter(field_name="month")
    quarter = QuarterFilter(field_name="month")
    months = django_filters.DateFromToRangeFilter(field_name="month")

    class Meta:
        model = MonthlyCompoundScore
        fields = ["compound", "company", "vetoed"]


class MonthlyCompoundScoreViewSet(ScopedReadOnlyViewSet):
    """Each compound's score per month (recomputed by the monthly job)."""

    queryset = MonthlyCompoundScore.objects.all()
    serializer_class = MonthlyCompoundScoreSerializer
    filterset_class = MonthlyCompoundScoreFilter
    pagination_class = keyset("-month", "-id")


class MonthlyCompanyScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyCompanyScore
        fields = [
            "id",
            "company",
            "street",
            "month",
            "score",
            "compounds",
            "households",
            "inspections",
            "vetoes",
            "poll_positive",
            "poll_total",
            "computed_at",
        ]


class MonthlyCompanyScoreFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    month = MonthFilter(field_name="month")
    quarter = QuarterFilter(field_name="month")
    months = django_filters.DateFromToRangeFilter(field_name="month")

    class Meta:
        model = MonthlyCompanyScore
        fields = ["company", "street"]


class MonthlyCompanyScoreViewSet(ScopedReadOnlyViewSet):
    """Each company's household-weighted score per street and month."""

    queryset = MonthlyCompanyScore.objects.all()
    serializer_class = MonthlyCompanyScoreSerializer
    filterset_class = MonthlyCompanyScoreFilter
    pagination_class = keyset("-month", "-id")


class QuarterlyRankingSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuarterlyRanking
        fields = [
            "id",
            "company",
            "street",
            "quarter",
            "quarter_start",
            "scheme",
            "months",
            "inspections",
            "vetoes",
            "compounds",
            "inspection_average",
            "satisfaction",
            "bonus",
            "score",
            "rank",
            "ranked_count",
            "not_ranked_reason",
            "is_bottom",
            "consecutive_bottom",
            "prize",
            "computed_at",
        ]


class PublicQuarterlyRankingSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = QuarterlyRanking
        fields = [
            "id",
            "company",
            "company_name",
            "street",
            "quarter",
            "score",
            "rank",
            "ranked_count",
            "prize",
        ]


class QuarterlyRankingFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    quarter = django_filters.CharFilter(help_text="e.g. 2026Q3")
    ranked = django_filters.BooleanFilter(
        field_name="rank", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = QuarterlyRanking
        fields = ["company", "street", "is_bottom"]


class QuarterlyRankingViewSet(ScopedReadOnlyViewSet):
    """Companies ranked within their street per quarter (public ranks)."""

    queryset = QuarterlyRanking.objects.all()
    serializer_class = QuarterlyRankingSerializer
    public_serializer_class = PublicQuarterlyRankingSerializer
    filterset_class = QuarterlyRankingFilter
    public = True
    select_related = ("company",)

    def public_queryset(self, queryset: QuerySet) -> QuerySet:
        # The public board shows the ranked companies' places.
        return queryset.filter(rank__isnull=False)

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("-quarter_start", "street", "rank", "id")


class RewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = [
            "id",
            "ranking",
            "title",
            "amount",
            "approved_at",
            "payment_reference",
            "paid_on",
            "created_at",
        ]


class RewardFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    quarter = django_filters.CharFilter(field_name="ranking__quarter")
    paid = django_filters.BooleanFilter(
        field_name="paid_on", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Reward
        fields = ["ranking"]


class RewardViewSet(ScopedReadOnlyViewSet):
    """The reward ledger: prizes approved and paid."""

    queryset = Reward.objects.all()
    serializer_class = RewardSerializer
    filterset_class = RewardFilter

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("-created_at", "-id")


class ExitCaseSerializer(serializers.ModelSerializer):
    documents = serializers.SerializerMethodField()

    class Meta:
        model = ExitCase
        fields = [
            "id",
            "company",
            "street",
            "run_start",
            "opened_quarter",
            "ranking",
            "status",
            "opened_at",
            "status_changed_at",
            "documents",
        ]

    def get_documents(self, case: ExitCase) -> list[dict]:
        return [
            {"title": doc.title, "file": doc.file.url} for doc in case.documents.all()
        ]


class ExitCaseFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    status = django_filters.ChoiceFilter(choices=ExitCase.Status.choices)

    class Meta:
        model = ExitCase
        fields = ["company", "street", "opened_quarter"]


class ExitCaseViewSet(ScopedReadOnlyViewSet):
    """Exit cases opened after K consecutive quarters in the bottom group."""

    queryset = ExitCase.objects.all()
    serializer_class = ExitCaseSerializer
    filterset_class = ExitCaseFilter
    prefetch_related = ("documents",)

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("-opened_at", "-id")


ROUTES: list[tuple] = [
    ("schemes", AssessmentSchemeViewSet, "assessmentscheme"),
    ("inspections", InspectionViewSet, "inspection"),
    ("rectifications", RectificationNoticeViewSet, "rectificationnotice"),
    ("compound-scores", MonthlyCompoundScoreViewSet, "monthlycompoundscore"),
    ("company-scores", MonthlyCompanyScoreViewSet, "monthlycompanyscore"),
    ("rankings", QuarterlyRankingViewSet, "quarterlyranking"),
    ("rewards", RewardViewSet, "reward"),
    ("exit-cases", ExitCaseViewSet, "exitcase"),
]

"""REST API of visit reports, meetings and disclosures.

Filing a visit report calls `civic.services.file_visit_report`, the write
path the pages use; input serializers check the shape of the input only.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import MonthFilter, QuarterFilter
from compounds.models import Compound
from consultations.api import scoped_object
from org.api import ScopedReadOnlyViewSet, SubtreeFilter
from org.rights import require

from . import services as civic_services
from .models import ActionItem, Disclosure, Meeting, VisitReport

# Visit reports --------------------------------------------------------------


class VisitReportSerializer(serializers.ModelSerializer):
    needs = serializers.SerializerMethodField()

    class Meta:
        model = VisitReport
        fields = [
            "id",
            "compound",
            "company",
            "manager",
            "date",
            "households_visited",
            "notes",
            "needs",
            "created_at",
        ]

    def get_needs(self, report: VisitReport) -> list[dict]:
        return [
            {"id": need.pk, "text": need.text, "concern": need.concern_id}
            for need in report.needs.all()
        ]


class VisitReportInput(serializers.Serializer):
    compound = serializers.IntegerField(min_value=1)
    date = serializers.DateField()
    households_visited = serializers.IntegerField(min_value=0, max_value=1_000_000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    needs = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, max_length=50
    )


class VisitReportFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    date = django_filters.DateFromToRangeFilter()
    month = MonthFilter(field_name="date")
    quarter = QuarterFilter(field_name="date")

    class Meta:
        model = VisitReport
        fields = ["compound", "company"]


class VisitReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Visit-day reports (走访日); filing one calls `file_visit_report`."""

    queryset = VisitReport.objects.all()
    serializer_class = VisitReportSerializer
    filterset_class = VisitReportFilter
    prefetch_related = ("needs",)

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("-date", "-id")

    @extend_schema(request=VisitReportInput, responses={201: VisitReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(request.user, "civic.file_visit_report")
        data = VisitReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        compound = scoped_object(
            Compound.objects.visible_to(request.user), values["compound"], "compound"
        )
        report = civic_services.file_visit_report(
            compound=compound,
            manager=request.user,
            date=values["date"],
            households_visited=values["households_visited"],
            notes=values.get("notes", ""),
            needs=values.get("needs", []),
        )
        report = self.get_queryset().get(pk=report.pk)
        return Response(
            VisitReportSerializer(report).data, status=status.HTTP_201_CREATED
        )


# Meetings ---------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    agenda = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "compound",
            "community",
            "grid",
            "street",
            "date",
            "place",
            "host",
            "status",
            "minutes",
            "attendee_count",
            "attending_organisations",
            "agenda",
            "decisions",
            "closed_at",
            "created_at",
        ]

    def get_agenda(self, meeting: Meeting) -> list[dict]:
        return [
            {"order": item.order, "title": item.title, "concern": item.concern_id}
            for item in meeting.agenda_items.all()
        ]

    def get_decisions(self, meeting: Meeting) -> list[dict]:
        return [
            {
                "id": decision.pk,
                "text": decision.text,
                "is_published": decision.is_published,
                "published_on": decision.published_on,
                "action_items": [
                    {
                        "id": item.pk,
                        "concern": item.concern_id,
                        "owner": item.owner,
                        "deadline": item.deadline,
                        "done_at": item.done_at
                        and timezone.localtime(item.done_at).isoformat(),
                    }
                    for item in decision.action_items.all()
                ],
            }
            for decision in meeting.decisions.all()
        ]


class MeetingFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices)
    date = django_filters.DateFromToRangeFilter()
    month = MonthFilter(field_name="date")
    quarter = QuarterFilter(field_name="date")

    class Meta:
        model = Meeting
        fields = ["compound", "community"]


class MeetingViewSet(ScopedReadOnlyViewSet):
    """Tea tables, joint property meetings, assemblies and hearings."""

    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    prefetch_related = ("agenda_items", "decisions__action_items")

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("-date", "-id")


class ActionItemSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="decision.meeting_id", read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "meeting",
            "decision",
            "concern",
            "owner",
            "deadline",
            "done_at",
            "done_by",
            "done_note",
        ]


class ActionItemDoneInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ActionItemFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    is_open = django_filters.BooleanFilter(
        field_name="done_at", lookup_expr="isnull", label="open"
    )

    class Meta:
        model = ActionItem
        fields = ["concern", "decision"]


class ActionItemViewSet(ScopedReadOnlyViewSet):
    """Meeting action items; while one is open its concern cannot close."""

    queryset = ActionItem.objects.all()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    select_related = ("decision",)

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("deadline", "id")

    @extend_schema(request=ActionItemDoneInput, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        """Mark the item done; its hold on the concern is released."""
        require(request.user, "civic.complete_action_item")
        item = self.get_object()
        data = ActionItemDoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = civic_services.complete_action_item(
            item=item, actor=request.user, note=data.validated_data.get("note", "")
        )
        return Response(ActionItemSerializer(self.get_queryset().get(pk=item.pk)).data)


# Disclosures --------------------------------------------------------------


class DisclosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disclosure
        fields = [
            "id",
            "compound",
            "kind",
            "title",
            "content",
            "attachment",
            "meeting",
            "published_on",
            "objection_until",
            "created_at",
        ]


class PublicDisclosureSerializer(DisclosureSerializer):
    class Meta(DisclosureSerializer.Meta):
        fields = [
            "id",
            "compound",
            "kind",
            "title",
            "content",
            "attachment",
            "published_on",
            "objection_until",
        ]


class DisclosureFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=Disclosure.Kind.choices)
    published_on = django_filters.DateFromToRangeFilter()
    month = MonthFilter(field_name="published_on")
    quarter = QuarterFilter(field_name="published_on")

    class Meta:
        model = Disclosure
        fields = ["compound"]


class DisclosureViewSet(ScopedReadOnlyViewSet):
    """Public disclosures (公开); anonymous readers see the published ones."""

    queryset = Disclosure.objects.all()
    serializer_class = DisclosureSerializer
    public_serializer_class = PublicDisclosureSerializer
    filterset_class = DisclosureFilter
    public = True

    def public_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.published()

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("-published_on", "-id")


ROUTES: list[tuple] = [
    ("visit-reports", VisitReportViewSet, "visitreport"),
    ("meetings", MeetingViewSet, "meeting"),
    ("action-items", ActionItemViewSet, "actionitem"),
    ("disclosures", DisclosureViewSet, "disclosure"),
]

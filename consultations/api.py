"""REST API of concerns, visit reports, meetings and disclosures.

Writes go through the services the pages use: `consultations.services` for
concern intake and the workflow verbs, `civic_services.file_visit_report`
for visit-day reports. Input serializers check the shape of the input only;
the services decide what is allowed.
"""

from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import MonthFilter, QuarterFilter, keyset
from compounds.models import Compound
from org.api import ScopedReadOnlyViewSet, SubtreeFilter
from org.models import LiaisonDepartment
from org.scope import user_scope

from . import civic_services, services
from .models import (
    Concern,
    ConcernCategory,
    ConcernEvent,
    Disclosure,
    Meeting,
    VisitReport,
)
from .staff_views import MANAGER_ACTIONS, is_company_user, sees_hidden_originals

# Reference data --------------------------------------------------------------


class ConcernCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ConcernCategory
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "default_handler",
            "sla_hours",
            "sla_working_days",
            "order",
        ]


class ConcernCategoryViewSet(ScopedReadOnlyViewSet):
    """Concern categories (public: the concern form offers them)."""

    queryset = ConcernCategory.objects.all()
    serializer_class = ConcernCategorySerializer
    lookup_field = "code"
    public = True
    pagination_class = None

    def get_queryset(self) -> QuerySet:
        # Reference data without a scope: every caller sees the same list.
        return ConcernCategory.objects.filter(is_active=True).order_by("order", "code")


# Concerns --------------------------------------------------------------


class ConcernEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = ConcernEvent
        fields = [
            "id",
            "concern",
            "actor",
            "action",
            "from_status",
            "to_status",
            "note",
            "is_public",
            "created_at",
        ]


class ConcernSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "tracking_code",
            "compound",
            "street",
            "community",
            "grid",
            "category",
            "kind",
            "source",
            "partner",
            "urgency",
            "description",
            "is_hidden",
            "hidden_reason",
            "name",
            "phone",
            "email",
            "status",
            "handler_company",
            "handler_unit",
            "handler_department",
            "response",
            "due_at",
            "extended",
            "reopened_count",
            "rating",
            "rating_comment",
            "merged_into",
            "is_overdue",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def to_representation(self, concern: Concern) -> dict:
        data = super().to_representation(concern)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # A hidden description stays with the street office, as on the pages.
        if concern.is_hidden and not (user and sees_hidden_originals(user)):
            data["description"] = ""
        return data


class ConcernDetailSerializer(ConcernSerializer):
    events = ConcernEventSerializer(many=True, read_only=True)

    class Meta(ConcernSerializer.Meta):
        fields = [*ConcernSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ConcernFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    status = django_filters.MultipleChoiceFilter(choices=Concern.Status.choices)
    category = django_filters.CharFilter(field_name="category__code")
    source = django_filters.MultipleChoiceFilter(choices=Concern.Source.choices)
    kind = django_filters.ChoiceFilter(choices=Concern.Kind.choices)
    urgency = django_filters.ChoiceFilter(choices=Concern.Urgency.choices)
    created = django_filters.DateFromToRangeFilter(field_name="created_at")
    due = django_filters.DateFromToRangeFilter(field_name="due_at")
    month = MonthFilter(field_name="created_at", is_datetime=True)
    quarter = QuarterFilter(field_name="created_at", is_datetime=True)
    open = django_filters.BooleanFilter(method="filter_open")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Concern
        fields = ["compound", "handler_company", "handler_unit", "partner"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.open()
        return queryset.exclude(status__in=Concern.OPEN_STATUSES)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.overdue()
        return queryset.exclude(pk__in=queryset.overdue().values("pk"))


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RequiredNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class DispatchInput(NoteInput):
    to = serializers.ChoiceField(
        choices=ConcernCategory.Handler.choices, required=False, allow_blank=True
    )
    department = serializers.IntegerField(required=False, min_value=1)


class ExtendInput(NoteInput):
    days = serializers.IntegerField(min_value=1, max_value=365)


class FollowUpInput(NoteInput):
    rating = serializers.ChoiceField(choices=Concern.Rating.choices)
    resolved = serializers.BooleanField(required=False, allow_null=True, default=None)


class MergeInput(NoteInput):
    into = serializers.IntegerField(min_value=1)


INTAKE_SOURCES = [c for c in Concern.Source.choices if c[0] != Concern.Source.OPEN311]


class ConcernIntakeInput(serializers.Serializer):
    """A concern taken in by staff (phone, walk-in, door-knock, …)."""

    compound = serializers.IntegerField(min_value=1)
    category = serializers.SlugField(max_length=40)
    description = serializers.CharField(max_length=4000)
    kind = serializers.ChoiceField(
        choices=Concern.Kind.choices, default=Concern.Kind.CONSULTATION
    )
    source = serializers.ChoiceField(
        choices=INTAKE_SOURCES,
        default=Concern.Source.STAFF,
    )
    urgency = serializers.ChoiceField(
        choices=Concern.Urgency.choices, default=Concern.Urgency.NORMAL
    )
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


def scoped_object(queryset: QuerySet, pk: int | None, field: str) -> Any:
    """The row `pk` of a scoped queryset, or a field error."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: [_not_found_message()]})
    return obj


def _not_found_message() -> str:
    from django.utils.translation import gettext

    return gettext("Not found, or outside what you may see.")


def refuse_company_staff(user: Any, concern: Concern | None, verb: str) -> None:
    """The staff pages' rule: company staff only work the concerns
    dispatched to their company, with the handler's verbs."""
    if not is_company_user(user):
        return
    if (
        concern is None
        or verb not in MANAGER_ACTIONS
        or concern.handler_company_id not in user_scope(user).company_ids
    ):
        raise PermissionDenied


def workflow_action(
    name: str,
    verb: str,
    input_serializer: type[serializers.Serializer],
    call: Callable[[Concern, Request, dict], Concern],
    summary: str,
):
    """A POST /concerns/{id}/<verb>/ action calling a workflow service."""

    def handler(self, request: Request, pk: str | None = None) -> Response:
        concern = self.get_object()
        refuse_company_staff(request.user, concern, verb.replace("-", "_"))
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        concern = call(concern, request, data.validated_data)
        concern = self.get_queryset().get(pk=concern.pk)
        return Response(
            ConcernDetailSerializer(concern, context={"request": request}).data
        )

    # DRF maps the POST to the method of this name: it must be the class
    # attribute the action is stored under.
    handler.__name__ = name
    handler.__doc__ = summary
    # extend_schema goes on top of action(), which would replace its kwargs.
    return extend_schema(
        request=input_serializer,
        responses={200: ConcernDetailSerializer},
        summary=summary,
    )(action(detail=True, methods=["post"], url_path=verb)(handler))


def _simple(service: Callable) -> Callable[[Concern, Request, dict], Concern]:
    def call(concern: Concern, request: Request, data: dict) -> Concern:
        return service(concern=concern, actor=request.user, note=data.get("note", ""))

    return call


def _dispatch(concern: Concern, request: Request, data: dict) -> Concern:
    department = scoped_object(
        LiaisonDepartment.objects.visible_to(request.user),
        data.get("department"),
        "department",
    )
    return services.dispatch(
        concern=concern,
        actor=request.user,
        note=data.get("note", ""),
        to=data.get("to", ""),
        department=department,
    )


def _extend(concern: Concern, request: Request, data: dict) -> Concern:
    return services.extend(
        concern=concern,
        actor=request.user,
        note=data.get("note", ""),
        days=data["days"],
    )


def _follow_up(concern: Concern, request: Request, data: dict) -> Concern:
    return services.follow_up(
        concern=concern,
        actor=request.user,
        note=data.get("note", ""),
        rating=data["rating"],
        resolved=data.get("resolved"),
    )


def _merge(concern: Concern, request: Request, data: dict) -> Concern:
    into = scoped_object(Concern.objects.visible_to(request.user), data["into"], "into")
    return services.merge(
        concern=concern, actor=request.user, into=into, note=data.get("note", "")
    )


def _add_note(concern: Concern, request: Request, data: dict) -> Concern:
    return services.add_note(concern=concern, actor=request.user, note=data["note"])


class ConcernViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Concerns under the caller's posts, with the workflow as actions.

    Lists are keyset-paginated (newest first) and never count the table.
    """

    queryset = Concern.objects.all()
    serializer_class = ConcernSerializer
    filterset_class = ConcernFilter
    pagination_class = keyset("-created_at", "-id")
    select_related = ("category",)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ConcernDetailSerializer
        if self.action == "create":
            return ConcernIntakeInput
        return ConcernSerializer

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.prefetch_related("events__actor")
        return queryset

    @extend_schema(
        request=ConcernIntakeInput,
        responses={201: ConcernDetailSerializer},
        summary="Take in a concern (staff intake; same service as the form)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refuse_company_staff(request.user, None, "intake")
        data = ConcernIntakeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        compound = scoped_object(
            Compound.objects.visible_to(request.user), values["compound"], "compound"
        )
        category = ConcernCategory.objects.filter(code=values["category"]).first()
        if category is None:
            raise serializers.ValidationError({"category": [_not_found_message()]})
        concern = services.submit_concern(
            compound=compound,
            category=category,
            description=values["description"],
            kind=values["kind"],
            source=values["source"],
            urgency=values["urgency"],
            name=values.get("name", ""),
            phone=values.get("phone", ""),
            email=values.get("email", ""),
            actor=request.user,
        )
        concern = self.get_queryset().get(pk=concern.pk)
        return Response(
            ConcernDetailSerializer(concern, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    accept = workflow_action(
        "accept", "accept", NoteInput, _simple(services.accept), "Accept (受理)"
    )
    reject = workflow_action(
        "reject",
        "reject",
        RequiredNoteInput,
        _simple(services.reject),
        "Reject, with a reason",
    )
    dispatch_concern = workflow_action(
        "dispatch_concern", "dispatch", DispatchInput, _dispatch, "Dispatch (派单)"
    )
    sign = workflow_action(
        "sign", "sign", NoteInput, _simple(services.sign), "Sign for (签收)"
    )
    start = workflow_action(
        "start", "start", NoteInput, _simple(services.start), "Start work"
    )
    respond = workflow_action(
        "respond",
        "respond",
        RequiredNoteInput,
        _simple(services.respond),
        "Answer (答复)",
    )
    extend = workflow_action(
        "extend", "extend", ExtendInput, _extend, "Extend the deadline"
    )
    return_concern = workflow_action(
        "return_concern",
        "return",
        RequiredNoteInput,
        _simple(services.return_concern),
        "Return as misrouted (退回)",
    )
    escalate = workflow_action(
        "escalate", "escalate", NoteInput, _simple(services.escalate), "Escalate (督办)"
    )
    follow_up = workflow_action(
        "follow_up",
        "follow-up",
        FollowUpInput,
        _follow_up,
        "Follow-up call (回访) with the rating",
    )
    close = workflow_action(
        "close", "close", NoteInput, _simple(services.close), "Close"
    )
    reopen = workflow_action(
        "reopen", "reopen", NoteInput, _simple(services.reopen), "Reopen (重办)"
    )
    merge = workflow_action(
        "merge", "merge", MergeInput, _merge, "Merge into another concern"
    )
    hide = workflow_action(
        "hide",
        "hide",
        RequiredNoteInput,
        _simple(services.hide),
        "Hide the description",
    )
    note = workflow_action("note", "note", RequiredNoteInput, _add_note, "Add a note")


class ConcernEventFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    created = django_filters.DateFromToRangeFilter(field_name="created_at")
    month = MonthFilter(field_name="created_at", is_datetime=True)

    class Meta:
        model = ConcernEvent
        fields = ["concern", "action", "to_status"]


class ConcernEventViewSet(ScopedReadOnlyViewSet):
    """Every change of every concern in scope, newest first."""

    queryset = ConcernEvent.objects.all()
    serializer_class = ConcernEventSerializer
    filterset_class = ConcernEventFilter
    pagination_class = keyset("-created_at", "-id")
    select_related = ("actor",)


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
    ("concern-categories", ConcernCategoryViewSet, "concerncategory"),
    ("concerns", ConcernViewSet, "concern"),
    ("concern-events", ConcernEventViewSet, "concernevent"),
    ("visit-reports", VisitReportViewSet, "visitreport"),
    ("meetings", MeetingViewSet, "meeting"),
    ("disclosures", DisclosureViewSet, "disclosure"),
]

"""REST API of concerns, their categories and events.

Writes go through the services the pages use: `consultations.services` for
concern intake and the workflow verbs. Input serializers check the shape of the input only;
the services decide what is allowed.
"""

import keyword
from collections.abc import Callable
from functools import partial
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import MonthFilter, QuarterFilter, ScopedAccess, keyset
from compounds.models import Compound
from org.api import ScopedReadOnlyViewSet, SubtreeFilter
from org.models import LiaisonDepartment, OrgUnit
from org.rights import may, refusal, require, task
from org.scope import user_scope

from . import services
from .filters import ConcernFilterSet
from .models import Concern, ConcernCategory, ConcernEvent
from .workflow import ACTIONS, READS_HIDDEN_ORIGINALS, VERBS, Action

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


class ServesResidents(permissions.BasePermission):
    """The task of reading concerns (org or company staff): an inspector or a
    resident representative gets a refusal, not an empty list (as on the
    pages)."""

    TASK = "consultations.read_concerns"

    @property
    def message(self) -> str:
        return refusal(task(self.TASK))

    def has_permission(self, request, view) -> bool:
        user = request.user
        return not (user and user.is_authenticated) or may(user, self.TASK)


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
    # Masked for every caller, as on the pages: the full number only through
    # POST /concerns/{id}/reveal-phone/, which the audit trail records.
    phone = serializers.CharField(source="masked_phone", read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "tracking_code",
            "compound",
            "place",
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
        # A hidden description stays with the staff who moderate it, as on
        # the pages.
        if concern.is_hidden and not may(user, READS_HIDDEN_ORIGINALS):
            data["description"] = ""
        return data


# Field classes whose value is the model attribute itself (a str, bool or
# int column, a choice stored as its value): the list copies it as is.
_AS_STORED = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.BooleanField,
    serializers.IntegerField,
    serializers.EmailField,
)


class ConcernListSerializer(ConcernSerializer):
    """The list's rows: ConcernSerializer's fields and masking, built in one
    pass over plain attributes.

    DRF's generic path builds 33 fields for every request and asks each of
    them, for each of 50 rows, for its attribute and its representation;
    here each field's reader is chosen once per process (none of them
    depends on the request), and only dates and related objects go through
    a field. Tests check that both give the same JSON.
    """

    _row_readers: list[tuple[str, Callable[[Concern], Any]]] | None = None

    @classmethod
    def readers(cls) -> list[tuple[str, Callable[[Concern], Any]]]:
        if cls._row_readers is None:
            cls._row_readers = cls._readers(ConcernSerializer())
        return cls._row_readers

    @staticmethod
    def _readers(serializer) -> list[tuple[str, Callable[[Concern], Any]]]:
        readers = []
        for field in serializer._readable_fields:
            name = field.field_name
            if isinstance(field, serializers.PrimaryKeyRelatedField):
                attname = Concern._meta.get_field(field.source).attname
                readers.append((name, partial(_attribute, attname)))
            elif isinstance(field, _AS_STORED) and "." not in field.source:
                readers.append((name, partial(_attribute, field.source)))
            else:
                readers.append((name, partial(_through_field, field)))
        return readers

    def to_representation(self, concern: Concern) -> dict:
        data = {name: read(concern) for name, read in self.readers()}
        if concern.is_hidden and not self._reads_hidden():
            data["description"] = ""
        return data

    def _reads_hidden(self) -> bool:
        if "_reads_hidden" not in self.__dict__:
            request = self.context.get("request")
            self.__dict__["_reads_hidden"] = may(
                getattr(request, "user", None), READS_HIDDEN_ORIGINALS
            )
        return self.__dict__["_reads_hidden"]


# What the list reads: its fields' columns, the phone it masks, the
# category's code.
LIST_COLUMNS = [
    *(
        name
        for name in ConcernSerializer.Meta.fields
        if name not in ("category", "is_overdue")
    ),
    "category__code",
]


def _attribute(name: str, concern: Concern) -> Any:
    return getattr(concern, name)


def _through_field(field: serializers.Field, concern: Concern) -> Any:
    value = field.get_attribute(concern)
    return None if value is None else field.to_representation(value)


class ConcernDetailSerializer(ConcernSerializer):
    events = ConcernEventSerializer(many=True, read_only=True)

    class Meta(ConcernSerializer.Meta):
        fields = [*ConcernSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ConcernFilter(ConcernFilterSet):
    subtree = SubtreeFilter()
    status = django_filters.MultipleChoiceFilter(choices=Concern.Status.choices)
    category = django_filters.CharFilter(field_name="category__code")
    month = MonthFilter(field_name="created_at", is_datetime=True)
    quarter = QuarterFilter(field_name="created_at", is_datetime=True)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RequiredNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


# The API's field for each input a verb takes (workflow.Action.inputs), or
# None where the API does not take it (photos are uploaded on the pages).
API_INPUTS: dict[str, Callable[[], serializers.Field] | None] = {
    "to": partial(
        serializers.ChoiceField,
        choices=ConcernCategory.Handler.choices,
        required=False,
        allow_blank=True,
    ),
    "department": partial(serializers.IntegerField, required=False, min_value=1),
    "days": partial(serializers.IntegerField, min_value=1, max_value=365),
    "rating": partial(serializers.ChoiceField, choices=Concern.Rating.choices),
    "resolved": partial(
        serializers.BooleanField, required=False, allow_null=True, default=None
    ),
    "into": partial(serializers.IntegerField, min_value=1),
    "photos": None,
}

# Inputs that name a row, looked up in what the caller may see.
API_LOOKUPS: dict[str, Callable[[Any], QuerySet]] = {
    "department": lambda user: LiaisonDepartment.objects.visible_to(user),
    "into": lambda user: Concern.objects.visible_to(user),
}


def input_serializer(verb: Action) -> type[serializers.Serializer]:
    """The note, required or not, and the verb's inputs the API takes."""
    base = RequiredNoteInput if verb.note_required else NoteInput
    fields = {
        name: field() for name in verb.inputs if (field := API_INPUTS[name]) is not None
    }
    if not fields:
        return base
    # DispatchInput, FollowUpInput, …: the names in the schema.
    name = "".join(part.title() for part in verb.name.split("_")) + "Input"
    return type(name, (base,), {"__module__": __name__, **fields})


INTAKE_SOURCES = [c for c in Concern.Source.choices if c[0] != Concern.Source.OPEN311]


class ConcernIntakeInput(serializers.Serializer):
    """A concern taken in by staff (phone, walk-in, door-knock, …)."""

    # Or, when the compound is not in the list: the place as said and the
    # community's id (staff assign the compound later).
    compound = serializers.IntegerField(min_value=1, required=False)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    community = serializers.IntegerField(min_value=1, required=False)
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


def workflow_action(attr: str, verb: Action):
    """POST /concerns/{id}/<verb>/: the verb's service, as on the pages."""
    input_class = input_serializer(verb)
    service = getattr(services, verb.service)

    def handler(self, request: Request, pk: str | None = None) -> Response:
        # The table first: a refused role learns nothing of the concern.
        require(request.user, verb.task)
        concern = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        note = values.pop("note", "")
        for name, lookup in API_LOOKUPS.items():
            if name in values:
                values[name] = scoped_object(lookup(request.user), values[name], name)
        concern = service(concern=concern, actor=request.user, note=note, **values)
        visible = self.get_queryset().filter(pk=concern.pk).first()
        if visible is None:
            # Returned by the company: no longer its concern to read.
            return Response({"id": concern.pk, "status": concern.status})
        concern = visible
        return Response(
            ConcernDetailSerializer(concern, context={"request": request}).data
        )

    # DRF maps the POST to the method of this name: it must be the class
    # attribute the action is stored under.
    handler.__name__ = attr
    handler.__doc__ = verb.summary
    # extend_schema goes on top of action(), which would replace its kwargs.
    return extend_schema(
        request=input_class,
        responses={200: ConcernDetailSerializer},
        summary=verb.summary,
    )(
        action(detail=True, methods=["post"], url_path=verb.name.replace("_", "-"))(
            handler
        )
    )


def with_workflow_actions(viewset: type) -> type:
    """Add the actions of every verb in workflow.VERBS to `viewset`."""
    for verb in VERBS.values():
        attr = verb.name
        if keyword.iskeyword(attr) or hasattr(viewset, attr):
            # return is a keyword, dispatch the view's own method.
            attr = f"{attr}_concern"
        setattr(viewset, attr, workflow_action(attr, verb))
    return viewset


class RevealedPhone(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField(help_text="E.164, e.g. +8613800138000")
    formatted_phone = serializers.CharField(help_text="As dialled: 138 0013 8000")
    shown_until = serializers.DateTimeField(
        help_text="End of the reveal window: until then another call returns "
        "the number without a new audit entry"
    )


@with_workflow_actions
class ConcernViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Concerns under the caller's posts, with the workflow as actions.

    Lists are keyset-paginated (newest first) and never count the table.
    """

    queryset = Concern.objects.all()
    serializer_class = ConcernSerializer
    filterset_class = ConcernFilter
    pagination_class = keyset("-created_at", "-id")
    select_related = ("category",)
    permission_classes = [ScopedAccess, ServesResidents]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ConcernDetailSerializer
        if self.action == "create":
            return ConcernIntakeInput
        if self.action == "list":
            return ConcernListSerializer
        return ConcernSerializer

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset.only(*LIST_COLUMNS)
        if self.action != "reveal_phone":
            queryset = queryset.prefetch_related("events__actor")
        return queryset

    @extend_schema(
        request=None,
        responses={200: RevealedPhone},
        summary="Show a resident's full phone number (one audit entry per 5 minutes)",
    )
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request: Request, pk: str | None = None) -> Response:
        """The resident's full number, recorded in the audit trail once per
        reveal window (`services.REVEAL_WINDOW`, as on the detail page)."""
        # The table first: a refused role learns nothing of the concern.
        require(request.user, services.REVEALS_PHONE)
        concerns = self.get_queryset()
        scope = user_scope(request.user)
        if scope.is_company_user:
            # The page's rule: a company reads the numbers of the concerns
            # dispatched to it.
            concerns = concerns.for_company(scope.company_ids)
        # DRF's look-up: an id that is not a number is a 404, not a 500.
        concern = get_object_or_404(concerns, pk=pk)
        phone = services.reveal_phone(
            concern=concern, actor=request.user, request=request
        )
        until = services.phone_shown_until(concern=concern, actor=request.user)
        return Response(
            RevealedPhone(
                {
                    "id": concern.pk,
                    "phone": phone,
                    "formatted_phone": concern.formatted_phone,
                    "shown_until": until,
                }
            ).data
        )

    @extend_schema(
        request=ConcernIntakeInput,
        responses={201: ConcernDetailSerializer},
        summary="Take in a concern (staff intake; same service as the form)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(request.user, ACTIONS["submit"].task)
        data = ConcernIntakeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        compound = scoped_object(
            Compound.objects.visible_to(request.user),
            values.get("compound"),
            "compound",
        )
        community = None
        if compound is None:
            if not values.get("place", "").strip():
                raise serializers.ValidationError(
                    {"compound": [gettext("Choose the compound, or say where it is.")]}
                )
            # The user's communities, or the community of the user's grid.
            units = OrgUnit.objects.visible_to(request.user)
            community = scoped_object(
                OrgUnit.objects.communities().filter(
                    Q(pk__in=units.values("pk"))
                    | Q(pk__in=units.grids().values("parent"))
                ),
                values.get("community"),
                "community",
            )
        category = ConcernCategory.objects.filter(code=values["category"]).first()
        if category is None:
            raise serializers.ValidationError({"category": [_not_found_message()]})
        concern = services.submit_concern(
            compound=compound,
            place=values.get("place", ""),
            community=community,
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
    permission_classes = [ScopedAccess, ServesResidents]


ROUTES: list[tuple] = [
    ("concern-categories", ConcernCategoryViewSet, "concerncategory"),
    ("concerns", ConcernViewSet, "concern"),
    ("concern-events", ConcernEventViewSet, "concernevent"),
]

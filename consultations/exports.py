"""The concern ledger as a workbook: the concerns, and their full event
history on a second sheet, one row per event (see `org.exports`).

The resident's number is masked (`common.phones.mask_phone`), as on every
page until an audited reveal; a hidden description is shown only to those
who read hidden originals on the pages (the street office).
"""

from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.phones import mask_phone
from common.xlsx import Sheet
from org.exports import Field, Ledger, sheet_of
from org.scope import user_scope

from .models import Concern, ConcernEvent


def description_label() -> str:
    return str(Concern._meta.get_field("description").verbose_name)


def concern_sheets(concerns: QuerySet, user) -> list[Sheet]:
    annotations = {}
    description = Field("description")
    if not user_scope(user).sees_hidden_originals:
        description = Field("shown_description", description_label())
        annotations["shown_description"] = Case(
            When(is_hidden=True, then=Value(_("(description hidden)"))),
            default=F("description"),
            output_field=TextField(),
        )
    events = ConcernEvent.objects.filter(concern__in=concerns.values("pk"))
    return [
        sheet_of(
            _("concerns"),
            concerns.order_by("-created_at", "-pk"),
            [
                Field("tracking_code"),
                "created_at",
                Field("compound__name", _("compound")),
                Field("community__name", _("community")),
                Field("grid__name", _("grid")),
                "place",
                Field("category__name", _("category")),
                "kind",
                "source",
                "urgency",
                "status",
                description,
                Field("name", _("resident's name")),
                Field("phone", show=mask_phone),
                Field("handler_company__name", _("handling company")),
                Field("handler_unit__name", _("handling unit")),
                "due_at",
                "responded_at",
                "closed_at",
                "response",
                "rating",
                "reopened_count",
                "is_resolved",
            ],
            **annotations,
        ),
        sheet_of(
            _("concern events"),
            events.order_by("concern__created_at", "concern_id", "created_at", "pk"),
            [
                Field("concern__tracking_code", _("tracking code")),
                "created_at",
                Field("actor__username", _("who")),
                "action",
                Field("from_status", _("from status")),
                Field("to_status", _("to status")),
                "note",
                "is_public",
            ],
        ),
    ]


CONCERNS = Ledger("concerns", gettext_lazy("Concern ledger"), Concern, concern_sheets)

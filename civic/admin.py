"""Admin pages of visit days, meetings and disclosures.

Closing a meeting and turning needs into concerns go through the pages
(and so through `civic_services`); here those fields are read-only.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from org.admin_scope import ScopedAdmin, ScopedTabularInline
from org.rights import require

from . import exports
from . import services as civic_services
from .models import (
    ActionItem,
    Disclosure,
    Meeting,
    MeetingAgendaItem,
    MeetingDecision,
    VisitDayOverride,
    VisitNeed,
    VisitPhoto,
    VisitReport,
)


@admin.register(VisitDayOverride)
class VisitDayOverrideAdmin(ScopedAdmin):
    """The street office moves a month's visit day for its street or one
    compound (civic.set_visit_day)."""

    list_display = ["month", "date", "street", "compound", "reason"]
    list_filter = ["month"]
    fields = ["month", "street", "compound", "date", "reason"]
    date_hierarchy = "month"
    autocomplete_fields = ["compound"]
    list_select_related = ["street", "compound"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "street" in form.base_fields:
            # An override without a street applies in every street: only
            # the superuser sets one. A street office names its own.
            street = form.base_fields["street"]
            street.required = True
            choices = list(street.queryset[:2])
            if len(choices) == 1:
                street.initial = choices[0].pk
        return form


class VisitNeedInline(ScopedTabularInline):
    model = VisitNeed
    extra = 0
    fields = ["text", "concern"]
    readonly_fields = ["concern"]


class VisitPhotoInline(ScopedTabularInline):
    model = VisitPhoto
    extra = 0


@admin.register(VisitReport)
class VisitReportAdmin(ScopedAdmin):
    ledger = exports.VISIT_REPORTS
    list_display = ["date", "compound", "company", "households_visited", "manager"]
    list_filter = ["date", "company"]
    search_fields = ["compound__name", "notes"]
    date_hierarchy = "date"
    autocomplete_fields = ["compound"]
    raw_id_fields = ["manager"]
    list_select_related = ["compound", "company", "manager"]
    inlines = [VisitNeedInline, VisitPhotoInline]


class AgendaInline(ScopedTabularInline):
    model = MeetingAgendaItem
    extra = 0
    raw_id_fields = ["concern"]


class DecisionInline(ScopedTabularInline):
    model = MeetingDecision
    extra = 0
    fields = ["order", "text", "is_published", "published_on"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    ledger = exports.MEETINGS
    list_display = ["date", "kind", "title", "compound", "community", "status"]
    list_filter = ["kind", "status", "date", "themes"]
    search_fields = ["title", "place", "host", "minutes"]
    date_hierarchy = "date"
    autocomplete_fields = ["compound"]
    filter_horizontal = ["themes"]
    list_select_related = ["compound", "community"]
    readonly_fields = ["status", "closed_at", "created_by", "created_at"]
    inlines = [AgendaInline, DecisionInline]


@admin.register(ActionItem)
class ActionItemAdmin(ScopedAdmin):
    """Marking an item done releases its concern's hold, so it goes through
    `complete_action_item` (the action below, or the meeting's page)."""

    list_display = ["concern", "owner", "deadline", "done_at", "done_by", "decision"]
    list_filter = [("done_at", admin.EmptyFieldListFilter), "deadline"]
    search_fields = ["owner", "concern__tracking_code"]
    raw_id_fields = ["concern", "decision"]
    list_select_related = ["concern", "decision", "done_by"]
    readonly_fields = ["concern", "decision", "done_at", "done_by", "done_note"]
    actions = ["mark_done"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark the selected action items done"))
    def mark_done(self, request, queryset):
        require(request.user, "civic.complete_action_item")
        done = 0
        for item in queryset.filter(done_at__isnull=True):
            civic_services.complete_action_item(item=item, actor=request.user)
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d action item marked done.",
                "%(n)d action items marked done.",
                done,
            )
            % {"n": done},
            messages.SUCCESS,
        )


@admin.register(Disclosure)
class DisclosureAdmin(ScopedAdmin):
    ledger = exports.DISCLOSURES
    list_display = ["title", "compound", "kind", "published_on", "objection_until"]
    list_filter = ["kind", "published_on"]
    search_fields = ["title", "content", "compound__name"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["compound"]
    raw_id_fields = ["meeting"]
    list_select_related = ["compound"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

"""Admin of the consultations app.

Concerns: read-only records whose workflow runs through the services (the
admin actions call them, as do the staff pages). Visit days, meetings and
disclosures are in the civic app's admin, partner apps in open311's.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.errors import error_messages
from org.admin_scope import ScopedAdmin, ScopedTabularInline

from . import exports, services
from .calendar_admin import CalendarOverrideAdmin  # noqa: F401 (registers it)
from .models import (
    Concern,
    ConcernCategory,
    ConcernEvent,
    ConcernPhoto,
    Notification,
    Theme,
)
from .notifications import send_notification


@admin.register(ConcernCategory)
class ConcernCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "default_handler",
        "sla_hours",
        "sla_working_days",
        "order",
        "is_active",
    ]
    list_editable = ["order", "is_active"]
    list_filter = ["default_handler", "is_active"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class ConcernEventInline(ScopedTabularInline):
    model = ConcernEvent
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor",
        "note",
        "is_public",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ConcernPhotoInline(ScopedTabularInline):
    model = ConcernPhoto
    extra = 0
    can_delete = False
    fields = ["stage", "image", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _run(verb, label):
    def action(modeladmin, request, queryset):
        done = 0
        for concern in queryset:
            try:
                verb(concern=concern, actor=request.user)
                done += 1
            except ValidationError as exc:
                modeladmin.message_user(
                    request,
                    f"{concern.formatted_code}: {' '.join(error_messages(exc))}",
                    messages.ERROR,
                )
        if done:
            modeladmin.message_user(
                request,
                _("%(label)s: %(n)d concerns.") % {"label": label, "n": done},
                messages.SUCCESS,
            )

    action.short_description = label
    action.__name__ = f"run_{verb.__name__}"
    return action


@admin.register(Concern)
class ConcernAdmin(ScopedAdmin):
    ledger = exports.CONCERNS
    list_display = [
        "formatted_code",
        "compound",
        "category",
        "kind",
        "source",
        "status",
        "flag",
        "created_at",
        "due_at",
    ]
    list_filter = [
        "status",
        "kind",
        "source",
        "urgency",
        "category",
        "themes",
        "is_public_on_open311",
    ]
    search_fields = ["tracking_code"]
    list_select_related = ["compound", "category"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    inlines = [ConcernPhotoInline, ConcernEventInline]
    readonly_fields = [
        "tracking_code",
        "pages",
        "compound",
        "category",
        "themes",
        "kind",
        "source",
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
        "due_on_fallback_calendar",
        "extended",
        "reopened_count",
        "rating",
        "rating_comment",
        "is_resolved",
        "merged_into",
        "partner",
        "created_at",
        "dispatched_at",
        "signed_at",
        "responded_at",
        "escalated_at",
        "closed_at",
    ]
    # The one field staff edit here: whether Open311 publishes the concern.
    fields = [
        *readonly_fields[: readonly_fields.index("hidden_reason") + 1],
        "is_public_on_open311",
        *readonly_fields[readonly_fields.index("hidden_reason") + 1 :],
    ]
    actions = [
        _run(services.accept, _("Accept")),
        _run(services.dispatch, _("Dispatch to the default handler")),
        _run(services.escalate, _("Escalate (督办)")),
        _run(services.close, _("Close")),
    ]

    @admin.display(description=_("tracking code"), ordering="tracking_code")
    def formatted_code(self, obj):
        return obj.formatted_code

    @admin.display(description=_("deadline flag"))
    def flag(self, obj):
        return Concern.AlertLevel(obj.alert_level).label

    @admin.display(description=_("pages"))
    def pages(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("consultations:staff-detail", args=[obj.pk]),
            _("handle"),
            obj.get_absolute_url(),
            _("public page"),
        )

    def has_add_permission(self, request):
        # Concerns are created by submit_concern only: the public form or the
        # staff intake page.
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "subject",
        "sms_template",
        "sent_at",
        "failed_at",
        "attempts",
    ]
    list_filter = [
        "channel",
        ("sent_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["to_email", "to_phone", "subject", "sms_template"]
    readonly_fields = [
        "channel",
        "concern",
        "to_email",
        "to_phone",
        "subject",
        "sms_template",
        "sms_params",
        "body",
        "created_at",
        "sent_at",
        "attempts",
        "retry_at",
        "failed_at",
        "last_error",
    ]
    actions = ["send_now"]

    @admin.display(description=_("to"))
    def recipient(self, obj):
        return obj.recipient

    @admin.action(description=_("Send the selected unsent messages now"))
    def send_now(self, request, queryset):
        sent = sum(
            send_notification(pk)
            for pk in queryset.unsent().values_list("pk", flat=True)
        )
        self.message_user(request, _("%(n)d messages sent.") % {"n": sent})

    def has_add_permission(self, request):
        return False

"""Admin of partner apps (Open311 API keys), their submissions and the
REST API tokens."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from org.admin_scope import ScopedAdmin

from .models import Open311Submission, PartnerApp


@admin.register(PartnerApp)
class PartnerAppAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "key_prefix",
        "is_active",
        "created_by",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "contact", "key_prefix"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "last_used_at"]
    fields = ["name", "contact", "is_active", "notes", *readonly_fields]
    list_select_related = ["created_by"]
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            key = obj.set_key()
            super().save_model(request, obj, form, change)
            self.show_key(request, obj, key)
            return
        super().save_model(request, obj, form, change)

    def show_key(self, request, obj, key: str) -> None:
        messages.warning(
            request,
            gettext(
                "The API key of %(partner)s is %(key)s. Copy it now: it is "
                "stored only as a hash and cannot be shown again."
            )
            % {"partner": obj, "key": key},
        )

    @admin.action(description=_("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for partner in queryset:
            key = partner.set_key()
            partner.save(update_fields=["key_prefix", "key_hash"])
            self.show_key(request, partner, key)


@admin.register(Open311Submission)
class Open311SubmissionAdmin(ScopedAdmin):
    list_display = ["concern", "partner", "created_at", "media_url"]
    list_filter = ["partner"]
    list_select_related = ["concern", "concern__category", "partner"]
    search_fields = ["concern__tracking_code", "account_id", "device_id"]
    raw_id_fields = ["concern"]
    readonly_fields = [
        "concern",
        "partner",
        "media_url",
        "lat",
        "long",
        "address_string",
        "device_id",
        "account_id",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


# REST API tokens are keys to a user's whole scope: only superusers manage
# them here; staff fetch their own from /api/v1/auth/token/.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class SuperuserTokenAdmin(TokenAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

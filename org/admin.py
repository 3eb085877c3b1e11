"""Staff admin for the organisation tree, people, posts and partners."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin

from .admin_scope import (
    ScopedAdmin,
    ScopedAdminMixin,
    ScopedTabularInline,
)
from .models import (
    Alliance,
    AllianceMember,
    CrossAppointment,
    DeliberationGroup,
    DeliberationMember,
    LiaisonContact,
    LiaisonDepartment,
    LinkagePartner,
    OrgUnit,
    Person,
    Post,
    User,
)

admin.site.site_header = _("Jiyang Sub-district Red Property Management Platform")
admin.site.site_title = _("Jiyang Sub-district Red Property Management Platform")
admin.site.index_title = _("Administration")


class ActiveFilter(admin.SimpleListFilter):
    """Posts and seats held today, ended, or not yet begun."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("active", _("current")),
            ("ended", _("ended")),
            ("future", _("not yet begun")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.active(today)
        if self.value() == "ended":
            return queryset.filter(end__lt=today)
        if self.value() == "future":
            return queryset.filter(start__gt=today)
        return queryset


class PostOfUnitInline(ScopedTabularInline):
    model = Post
    fk_name = "unit"
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "start", "end"]
    verbose_name_plural = _("posts in this unit")


class PostOfPersonInline(ScopedTabularInline):
    model = Post
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "start", "end"]
    verbose_name_plural = _("posts held")


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdminMixin, DraggableMPTTAdmin):
    """The four-tier tree, drawn as a tree; drags obey the placement rules."""

    list_display = ["tree_actions", "indented_title", "kind", "code", "phone"]
    list_display_links = ["indented_title"]
    list_filter = ["kind", "code_is_synthetic"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    mptt_level_indent = 24
    expand_tree_by_default = True
    fieldsets = [
        (None, {"fields": ["kind", "name", "parent"]}),
        (
            _("Code"),
            {"fields": ["code", "code_is_synthetic"]},
        ),
        (_("Contact"), {"fields": ["address", "phone", "established", "notes"]}),
    ]
    inlines = [PostOfUnitInline]

    @admin.display(description=_("name"))
    def indented_title(self, item):
        # A class per level (admin-brand.css), not mptt's style attribute,
        # which the content security policy would refuse.
        return format_html(
            '<div class="tree-level-{}">{}</div>', item._mpttfield("level"), item
        )

    @transaction.atomic
    def _move_node(self, request):
        """A drag in the tree: the same placement rules as the form."""
        queryset = self.get_queryset(request)
        position = request.POST.get("position")
        try:
            node = queryset.get(pk=request.POST.get("cut_item"))
            target = queryset.get(pk=request.POST.get("pasted_on"))
        except (OrgUnit.DoesNotExist, TypeError, ValueError):
            self.message_user(
                request, gettext("The unit could not be found."), messages.ERROR
            )
            return HttpResponse("FAIL, invalid objects.")
        if position not in ("last-child", "left", "right"):
            self.message_user(
                request, gettext("Unknown move instruction."), messages.ERROR
            )
            return HttpResponse("FAIL, unknown instruction.")
        if not self.has_change_permission(request, node):
            self.message_user(request, gettext("No permission."), messages.ERROR)
            return HttpResponse("FAIL, no permission.")
        new_parent = target if position == "last-child" else target.parent
        if new_parent is not None and not queryset.filter(pk=new_parent.pk).exists():
            self.message_user(
                request,
                gettext("A unit can only be moved within your own part of the tree."),
                messages.ERROR,
            )
            return HttpResponse("FAIL, outside scope.")
        if new_parent == node.parent:
            # Siblings are ordered by code and name; there is nothing to move.
            return HttpResponse("OK, unchanged.")
        node.parent = new_parent
        try:
            node.save()
        except ValidationError as exc:
            self.message_user(
                request,
                gettext("%(unit)s was not moved: %(reason)s")
                % {"unit": node, "reason": " ".join(exc.messages)},
                messages.ERROR,
            )
            return HttpResponse("FAIL, invalid move.")
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=[node],
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": ["parent"]}}],
            single_object=True,
        )
        self.message_user(request, gettext("%(unit)s has been moved.") % {"unit": node})
        return HttpResponse("OK, moved.")


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "gender", "phone", "is_party_member", "unit", "work_unit"]
    list_filter = [
        "is_party_member",
        "gender",
        ("unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "phone", "work_unit"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]
    inlines = [PostOfPersonInline]


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    list_display = ["person", "unit", "role", "start", "end", "is_active"]
    list_filter = [ActiveFilter, "role", "unit__kind"]
    search_fields = ["person__name", "unit__name"]
    autocomplete_fields = ["person", "unit"]
    list_select_related = ["person", "unit"]
    date_hierarchy = "start"

    @admin.display(description=_("current"), boolean=True)
    def is_active(self, obj):
        return obj.is_active


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    list_display = [
        "username",
        "person",
        "is_staff",
        "is_active",
        "is_superuser",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "person__name", "first_name", "last_name", "email"]
    autocomplete_fields = ["person"]
    list_select_related = ["person"]
    fieldsets = [
        (None, {"fields": ["username", "password", "person"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "person", "password1", "password2"],
            },
        ),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "person" in form.base_fields:
            # A login without a person has no scope; only a superuser makes one.
            form.base_fields["person"].required = True
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser hands out rights; others could otherwise give
            # a login more than they hold themselves.
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly


class AllianceMemberInline(ScopedTabularInline):
    model = AllianceMember
    extra = 0
    autocomplete_fields = ["representative"]


@admin.register(Alliance)
class AllianceAdmin(ScopedAdmin):
    list_display = ["name", "street", "founded", "member_count"]
    ordering = ["name"]
    search_fields = ["name", "street__name"]
    autocomplete_fields = ["street"]
    list_select_related = ["street"]
    inlines = [AllianceMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj):
        return obj._members


@admin.register(AllianceMember)
class AllianceMemberAdmin(ScopedAdmin):
    list_display = ["organisation", "kind", "alliance", "representative", "joined"]
    list_filter = ["kind", "alliance"]
    search_fields = ["organisation", "representative__name"]
    autocomplete_fields = ["alliance", "representative"]
    list_select_related = ["alliance", "representative"]


class LiaisonContactInline(ScopedTabularInline):
    model = LiaisonContact
    extra = 0
    autocomplete_fields = ["community", "person"]


@admin.register(LiaisonDepartment)
class LiaisonDepartmentAdmin(ScopedAdmin):
    list_display = ["name", "kind", "street", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "phone"]
    autocomplete_fields = ["street"]
    list_select_related = ["street"]
    inlines = [LiaisonContactInline]


@admin.register(LiaisonContact)
class LiaisonContactAdmin(ScopedAdmin):
    list_display = ["person", "title", "department", "community"]
    list_filter = [
        "department__kind",
        ("community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["person__name", "department__name", "community__name", "title"]
    autocomplete_fields = ["department", "community", "person"]
    list_select_related = ["person", "department", "community"]


class DeliberationMemberInline(ScopedTabularInline):
    model = DeliberationMember
    extra = 0
    autocomplete_fields = ["person", "department"]


@admin.register(DeliberationGroup)
class DeliberationGroupAdmin(ScopedAdmin):
    list_display = ["name", "community", "founded", "member_count"]
    ordering = ["community", "name"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]
    inlines = [DeliberationMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj):
        return obj._members


@admin.register(DeliberationMember)
class DeliberationMemberAdmin(ScopedAdmin):
    list_display = ["person", "role", "department", "group"]
    list_filter = [
        "department__kind",
        ("group__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["person__name", "group__name", "department__name"]
    autocomplete_fields = ["group", "person", "department"]
    list_select_related = ["person", "department", "group"]


@admin.register(LinkagePartner)
class LinkagePartnerAdmin(ScopedAdmin):
    list_display = ["name", "kind", "community", "person", "services", "founded"]
    list_filter = ["kind", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "services", "person__name"]
    autocomplete_fields = ["community", "person"]
    list_select_related = ["community", "person"]


@admin.register(CrossAppointment)
class CrossAppointmentAdmin(ScopedAdmin):
    list_display = [
        "branch",
        "seat",
        "person",
        "source_organisation",
        "start",
        "end",
        "is_active",
    ]
    list_filter = [
        ActiveFilter,
        "seat",
        ("branch__parent", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["person__name", "branch__name", "source_organisation"]
    autocomplete_fields = ["branch", "person"]
    list_select_related = ["branch", "person"]

    @admin.display(description=_("current"), boolean=True)
    def is_active(self, obj):
        today = timezone.localdate()
        return (obj.start is None or obj.start <= today) and (
            obj.end is None or obj.end >= today
        )

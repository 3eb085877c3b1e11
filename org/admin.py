"""Staff admin for the organisation tree, people, posts and partners."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from mptt.admin import DraggableMPTTAdmin

from . import second_factor, services
from .admin_scope import (
    ScopedAdmin,
    ScopedAdminMixin,
    ScopedTabularInline,
    export_csv,
)
from .models import (
    Alliance,
    AllianceMember,
    AuditEvent,
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
from .rights import Role, may, roles_of

# Authenticators are kept through the login pages and the reset action
# (org.second_factor); their keys are shown to no one.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

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


def _logins_action(request, queryset, *, active: bool) -> None:
    try:
        changed = services.set_logins_active(
            by=request.user, logins=list(queryset), active=active
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return
    text = (
        ngettext("%(n)d login reactivated.", "%(n)d logins reactivated.", changed)
        if active
        else ngettext("%(n)d login deactivated.", "%(n)d logins deactivated.", changed)
    )
    messages.success(request, text % {"n": changed})


@admin.action(description=_("Deactivate the selected logins"), permissions=["change"])
def deactivate_logins(model_admin, request, queryset):
    _logins_action(request, queryset, active=False)


@admin.action(description=_("Reactivate the selected logins"), permissions=["change"])
def reactivate_logins(model_admin, request, queryset):
    _logins_action(request, queryset, active=True)


@admin.action(
    description=_("Give the selected logins a temporary password"),
    permissions=["change"],
)
def issue_temporary_passwords(model_admin, request, queryset):
    """Show each new password once, on this page only: it is stored nowhere."""
    try:
        with transaction.atomic():
            issued = [
                (login, services.reset_password(by=request.user, login=login))
                for login in queryset.select_related("person")
            ]
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return None
    for login, _password in issued:
        model_admin.log_change(request, login, [{"changed": {"fields": ["password"]}}])
    response = TemplateResponse(
        request,
        "admin/org/user/temporary_passwords.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": gettext("Temporary passwords"),
            "issued": issued,
        },
    )
    # The page holds passwords: no cache keeps it.
    response["Cache-Control"] = "no-store"
    return response


@admin.action(
    description=_("Reset the second factor of the selected logins"),
    permissions=["change"],
)
def reset_second_factors(model_admin, request, queryset):
    """A lost phone: the login enrols a new authenticator at its next sign-in."""
    try:
        with transaction.atomic():
            for login in queryset:
                second_factor.reset(by=request.user, login=login, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return
    count = len(queryset)
    messages.success(
        request,
        ngettext(
            "The second factor of %(n)d login was reset; it enrols again at its "
            "next sign-in.",
            "The second factors of %(n)d logins were reset; they enrol again at "
            "their next sign-in.",
            count,
        )
        % {"n": count},
    )


class GivenPasswordForm(AdminPasswordChangeForm):
    """The admin's "change password" of another login: a password someone
    else chose, so its holder changes it at the next sign-in."""

    def save(self, commit=True):
        user = super().save(commit=False)
        if user.has_usable_password():
            user.given_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    """Logins: the street office keeps its own staff's (org.services).

    Rights follow from the person's posts, so there is no group to pick;
    the roles the posts give are shown. Only a superuser makes superusers,
    edits them, or reaches the logins of other streets.
    """

    list_display = [
        "username",
        "person",
        "roles",
        "is_active",
        "is_superuser",
        "last_login",
    ]
    change_password_form = GivenPasswordForm
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["username", "person__name", "first_name", "last_name", "email"]
    autocomplete_fields = ["person"]
    list_select_related = ["person"]
    actions = [
        export_csv,
        deactivate_logins,
        reactivate_logins,
        issue_temporary_passwords,
        reset_second_factors,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "username",
                    "password",
                    "must_change_password",
                    "second_factor_state",
                    "person",
                ]
            },
        ),
        (_("Roles and posts"), {"fields": ["roles", "posts"]}),
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
                "fields": [
                    "username",
                    "person",
                    "usable_password",
                    "password1",
                    "password2",
                ],
                "description": _(
                    "Rights follow from the person's posts: give the person a "
                    "post in your street (on the person's page) and the login "
                    "holds the role of that post."
                ),
            },
        ),
    ]

    @admin.display(description=_("roles"))
    def roles(self, obj):
        held = roles_of(obj)
        return "、".join(str(role.label) for role in Role if role in held) or "-"

    @admin.display(description=_("second factor"))
    def second_factor_state(self, obj):
        device = second_factor.confirmed_device(obj)
        if device is None:
            state = (
                gettext("not enrolled: enrols at the next sign-in")
                if second_factor.is_required(obj)
                else gettext("not enrolled (optional for this login)")
            )
        else:
            state = gettext("authenticator app enrolled")
        return format_html(
            '{}<div class="help">{}</div>',
            state,
            gettext(
                "A lost phone: choose “Reset the second factor of the selected "
                "logins” in the login list."
            ),
        )

    @admin.display(description=_("current posts"))
    def posts(self, obj):
        if obj.person_id is None:
            return "-"
        posts = Post.objects.active().filter(person_id=obj.person_id)
        items = format_html_join(
            "", "<div>{}</div>", ((post,) for post in posts.select_related("unit"))
        )
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:org_person_change", args=[obj.person_id]),
            gettext("Change the posts on the person's page"),
        )
        return format_html("{}<div>{}</div>", items, link) if items else link

    # Reading follows the model permissions; writing also needs the task, as
    # the services ask (org.services).
    def _may_keep_logins(self, request) -> bool:
        return request.user.is_superuser or may(request.user, "org.edit_logins")

    def has_add_permission(self, request):
        return self._may_keep_logins(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self._may_keep_logins(request) and super().has_change_permission(
            request, obj
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "person" in form.base_fields:
            # A login without a person has no scope; only a superuser makes one.
            form.base_fields["person"].required = True
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + [
            "roles",
            "posts",
            "second_factor_state",
        ]
        if not request.user.is_superuser:
            # Only a superuser hands out rights; others could otherwise give
            # a login more than they hold themselves.
            readonly += ["is_superuser", "groups", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            readonly.append("is_active")
        return readonly

    def save_model(self, request, obj, form, change):
        if change:
            services.check_may_manage_login(by=request.user, login=obj)
            super().save_model(request, obj, form, change)
            return
        services.create_login(
            by=request.user,
            person=obj.person,
            username=obj.username,
            password=form.cleaned_data.get("password1") or None,
            usable_password=form.cleaned_data.get("set_usable_password", True),
            login=obj,
        )
        self.assert_visible(request, [obj])


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


class AuditObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of object in the trail, by the names people use (诉求)."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        found = (
            model_admin.get_queryset(request)
            .exclude(object_type="")
            .order_by("object_type")
            .values_list("object_type", flat=True)
            .distinct()
        )
        return [(label, AuditEvent(object_type=label).object_label) for label in found]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(object_type=self.value())
        return queryset


class AuditActorFilter(admin.SimpleListFilter):
    """Who: the login names in the user's part of the trail."""

    title = _("who")
    parameter_name = "username"

    def lookups(self, request, model_admin):
        found = (
            model_admin.get_queryset(request)
            .exclude(username="")
            .order_by("username")
            .values_list("username", flat=True)
            .distinct()[:200]
        )
        return [(name, name) for name in found]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(username=self.value())
        return queryset


class DateRangeFilter(admin.FieldListFilter):
    """From one day to another, both included (two date inputs)."""

    template = "admin/org/auditevent/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.since_name = f"{field_path}__date__gte"
        self.until_name = f"{field_path}__date__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("date range")

    def expected_parameters(self):
        return [self.since_name, self.until_name]

    def has_output(self):
        return True

    def _value(self, name) -> str:
        value = self.used_parameters.get(name, "")
        return value[-1] if isinstance(value, list) else value

    def choices(self, changelist):
        mine = set(self.expected_parameters())
        yield {
            "since_name": self.since_name,
            "until_name": self.until_name,
            "since": self._value(self.since_name),
            "until": self._value(self.until_name),
            "kept": [
                (name, value)
                for name, values in changelist.params.items()
                if name not in mine
                for value in (values if isinstance(values, list) else [values])
            ],
        }


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """The audit trail, read-only: no one adds, changes or deletes an entry."""

    list_display = (
        "at",
        "username",
        "action",
        "object_kind",
        "object_id",
        "object_repr",
        "changes_text",
        "detail",
        "address",
        "request_id",
    )
    list_filter = (
        AuditActorFilter,
        "action",
        AuditObjectTypeFilter,
        ("at", admin.DateFieldListFilter),
        ("at", DateRangeFilter),
    )
    search_fields = ("username", "detail", "object_id", "object_repr", "request_id")
    date_hierarchy = "at"
    actions = [export_csv]

    @admin.display(description=_("object type"), ordering="object_type")
    def object_kind(self, obj):
        return obj.object_label

    @admin.display(description=_("changes (old → new)"))
    def changes_text(self, obj):
        return obj.changes_text()

    # Reading needs org.view_auditevent, which the task org.read_audit gives
    # the street office (org/roles.py); no one gets the others.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        # An entry outside the user's street answers 404, like every scoped
        # admin, before the refusal that every entry gets.
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        raise PermissionDenied

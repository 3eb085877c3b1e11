"""Staff admin for companies, compounds, committees and facilities."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from org.admin_scope import ScopedAdmin, ScopedStackedInline, ScopedTabularInline

from . import exports, reports, services
from .models import (
    PARTY_ORG_THRESHOLD,
    BuildingHead,
    Committee,
    CommitteeMember,
    CompanyStaff,
    Compound,
    Facility,
    PackageMembership,
    PartyInstructor,
    PartyOrganisation,
    PropertyCompany,
    ServiceContract,
    ServicePackage,
    active_on_q,
)

TERM_WARNING_DAYS = 90


class NoOverlapFormSet(BaseInlineFormSet):
    """Refuse two rows of one submission whose periods overlap.

    The model's own check only sees rows already stored; rows submitted
    together are compared here.
    """

    start_field = "start"
    end_field = "end"
    message = _("Two rows in this list overlap in time.")

    def clean(self):
        super().clean()
        periods = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            start = form.cleaned_data.get(self.start_field)
            end = form.cleaned_data.get(self.end_field)
            if start is None:
                continue
            key = self.group_key(form)
            for other_key, other_start, other_end in periods:
                if key != other_key:
                    continue
                if (end is None or other_start <= end) and (
                    other_end is None or start <= other_end
                ):
                    raise ValidationError(self.message)
            periods.append((key, start, end))

    def group_key(self, form):
        return None


class PerCompoundNoOverlapFormSet(NoOverlapFormSet):
    def group_key(self, form):
        compound = form.cleaned_data.get("compound")
        return compound.pk if compound else None


class CommitteeTermFormSet(NoOverlapFormSet):
    start_field = "term_start"
    end_field = "term_end"
    message = _("Two committees in this list have overlapping terms.")


class CurrentFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("current")), ("ended", _("ended"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.filter(active_on_q(today))
        if self.value() == "ended":
            return queryset.filter(end__lt=today)
        return queryset


# Companies ---------------------------------------------------------------


class ComplianceFilter(admin.SimpleListFilter):
    title = _("party-building compliance")
    parameter_name = "compliance"

    def lookups(self, request, model_admin):
        return [
            ("breaking", _("breaking the rule")),
            *PropertyCompany.Compliance.choices,
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "breaking":
            return queryset.breaking_party_rule()
        if value in PropertyCompany.Compliance.values:
            return queryset.filter(party_compliance=value)
        return queryset


class PartyOrganisationInline(ScopedStackedInline):
    model = PartyOrganisation
    extra = 0
    max_num = 1
    autocomplete_fields = ["secretary"]


class PartyInstructorInline(ScopedTabularInline):
    model = PartyInstructor
    extra = 0
    formset = NoOverlapFormSet
    autocomplete_fields = ["person"]


class CompanyStaffInline(ScopedTabularInline):
    model = CompanyStaff
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ScopedAdmin):
    ledger = exports.COMPANIES
    list_display = [
        "name",
        "credit_code",
        "party_member_count",
        "compliance",
        "contact_person",
        "contact_phone",
    ]
    list_filter = [
        ComplianceFilter,
        ("registered_with", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "credit_code", "contact_person", "contact_phone"]
    autocomplete_fields = ["registered_with"]
    list_select_related = ["registered_with"]
    inlines = [PartyOrganisationInline, PartyInstructorInline, CompanyStaffInline]
    change_list_template = "admin/compounds/reports_link_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_compliance()

    @admin.display(
        description=_("party-building compliance"), ordering="party_compliance"
    )
    def compliance(self, obj):
        ok = obj.keeps_party_rule
        return format_html(
            '<span class="{}">{}{}</span>',
            "status-good" if ok else "status-bad",
            "" if ok else "⚠ ",
            obj.party_compliance_label,
        )


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(ScopedAdmin):
    list_display = ["name", "company", "secretary", "founded"]
    search_fields = ["name", "company__name", "secretary__name"]
    autocomplete_fields = ["company", "secretary"]
    list_select_related = ["company", "secretary"]


@admin.register(PartyInstructor)
class PartyInstructorAdmin(ScopedAdmin):
    list_display = ["person", "company", "start", "end"]
    list_filter = [CurrentFilter]
    search_fields = ["person__name", "company__name"]
    autocomplete_fields = ["company", "person"]
    list_select_related = ["company", "person"]


class CompanyStaffForm(forms.ModelForm):
    """A seat for a person picked from those one may see, or a new person."""

    new_person_name = forms.CharField(
        label=_("or a new person's name"),
        max_length=50,
        required=False,
        help_text=_(
            "Not yet on file? Enter the name (and phone) instead of picking; "
            "the person is registered with the company's supervising street."
        ),
    )
    new_person_phone = forms.CharField(
        label=_("new person's phone"), max_length=30, required=False
    )

    class Meta:
        model = CompanyStaff
        fields = ["company", "person", "new_person_name", "new_person_phone"]
        fields += ["role", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "person" in self.fields and self.instance.pk is None:
            self.fields["person"].required = False

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not (
            cleaned.get("person") or cleaned.get("new_person_name", "").strip()
        ):
            self.add_error(
                "person", _("Choose a person or enter the new person's name.")
            )
        return cleaned


@admin.action(
    description=_("End the selected staff seats today"), permissions=["change"]
)
def end_staff_seats(model_admin, request, queryset):
    try:
        ended = services.end_company_staff(
            by=request.user, seats=list(queryset.select_related("company", "person"))
        )
    except PermissionDenied as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return
    except ValidationError as exc:
        model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)
        return
    model_admin.message_user(
        request,
        ngettext("%(n)d staff seat ended.", "%(n)d staff seats ended.", ended)
        % {"n": ended},
    )


@admin.register(CompanyStaff)
class CompanyStaffAdmin(ScopedAdmin):
    """A company keeps its own staff; the street keeps every company's."""

    form = CompanyStaffForm
    list_display = ["person", "role", "company", "start", "end"]
    list_filter = ["role", CurrentFilter, ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__name", "company__name"]
    autocomplete_fields = ["company", "person"]
    list_select_related = ["company", "person"]
    actions = [*ScopedAdmin.actions, end_staff_seats]

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        if PropertyCompany.objects.visible_to(request.user).count() == 1:
            # One company (a company's own staff): the column says nothing
            # and squeezes the others on a phone.
            shown.remove("company")
        return shown

    def get_fields(self, request, obj=None):
        fields = ["company", "person", "new_person_name", "new_person_phone"]
        if obj is not None:
            fields = ["company", "person"]
        return [*fields, "role", "start", "end"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A company's staff add to their own company.
        companies = PropertyCompany.objects.visible_to(request.user)
        if "company" not in initial and companies.count() == 1:
            initial["company"] = companies.get().pk
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            services.check_may_keep_staff(by=request.user, company=obj.company)
            super().save_model(request, obj, form, change)
            return
        services.add_company_staff(
            by=request.user,
            company=obj.company,
            role=obj.role,
            person=form.cleaned_data.get("person"),
            new_person_name=form.cleaned_data.get("new_person_name", ""),
            new_person_phone=form.cleaned_data.get("new_person_phone", ""),
            start=obj.start,
            end=obj.end,
            seat=obj,
        )
        self.assert_visible(request, [obj])


# Compounds ---------------------------------------------------------------


class ThreeWithoutFilter(admin.SimpleListFilter):
    title = _("three-without")
    parameter_name = "three_without"

    def lookups(self, request, model_admin):
        return [
            ("all", _("three-without compound")),
            ("some", _("lacks one or two")),
            ("none", _("lacks none")),
        ]

    def queryset(self, request, queryset):
        lacks = ["lacks_supervising_unit", "lacks_property_service", "lacks_security"]
        every = Q(**dict.fromkeys(lacks, True))
        some = Q()
        for name in lacks:
            some |= Q(**{name: True})
        if self.value() == "all":
            return queryset.filter(every)
        if self.value() == "some":
            return queryset.filter(some).exclude(every)
        if self.value() == "none":
            return queryset.exclude(some)
        return queryset


class ServedFilter(admin.SimpleListFilter):
    title = _("property company today")
    parameter_name = "served"

    def lookups(self, request, model_admin):
        return [("yes", _("served by a company")), ("no", _("no company"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(current_company_name=None)
        if self.value() == "no":
            return queryset.filter(current_company_name=None)
        return queryset


class ServiceContractInline(ScopedTabularInline):
    model = ServiceContract
    extra = 0
    formset = NoOverlapFormSet
    autocomplete_fields = ["company"]


class BuildingHeadInline(ScopedTabularInline):
    model = BuildingHead
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin):
    ledger = exports.COMPOUNDS
    list_display = [
        "name",
        "community",
        "grid",
        "kind",
        "management_mode",
        "three_without",
        "current_company",
        "households",
    ]
    list_filter = [
        ("community", admin.RelatedOnlyFieldListFilter),
        ("grid", admin.RelatedOnlyFieldListFilter),
        "kind",
        "management_mode",
        ThreeWithoutFilter,
        ServedFilter,
        "service_grade",
    ]
    search_fields = ["name", "address"]
    autocomplete_fields = ["grid", "party_group"]
    list_select_related = ["grid", "community"]
    inlines = [ServiceContractInline, BuildingHeadInline]
    change_list_template = "admin/compounds/reports_link_change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "grid", "party_group", "kind", "management_mode"]}),
        (
            _("Size and place"),
            {
                "fields": [
                    "address",
                    ("latitude", "longitude"),
                    ("households", "buildings", "year_built"),
                    "service_grade",
                ]
            },
        ),
        (
            _("Three-without facts"),
            {
                "fields": [
                    "lacks_supervising_unit",
                    "lacks_property_service",
                    "lacks_security",
                ]
            },
        ),
        (None, {"fields": ["notes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_company()

    @admin.display(description=_("three-without"))
    def three_without(self, obj):
        return obj.three_without_label or "—"

    @admin.display(description=_("property company"), ordering="current_company_name")
    def current_company(self, obj):
        return getattr(obj, "current_company_name", None) or "—"

    def get_urls(self):
        return [
            path(
                "reports/",
                self.admin_site.admin_view(self.reports_view),
                name="compounds_reports",
            ),
            *super().get_urls(),
        ]

    def reports_view(self, request):
        """The street office's reports, each cut to the user's scope."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reports"),
            "opts": self.opts,
            "breakers": reports.party_rule_breakers(user=user).select_related(
                "registered_with"
            ),
            "threshold": PARTY_ORG_THRESHOLD,
            "gaps": reports.cross_appointment_gaps(user=user),
            "governance_gaps": reports.governance_gaps(user=user),
            "can_add_seat": user.has_perm("org.add_crossappointment"),
            "can_change_compound": user.has_perm("compounds.change_compound"),
            "can_add_committee": user.has_perm("compounds.add_committee"),
            "can_add_building_head": user.has_perm("compounds.add_buildinghead"),
            "terms": reports.terms_ending_soon(user=user, days=TERM_WARNING_DAYS),
            "term_days": TERM_WARNING_DAYS,
            "facilities": reports.facility_summary(user=user),
            "company_changelist": reverse("admin:compounds_propertycompany_changelist"),
            "committee_changelist": reverse("admin:compounds_committee_changelist"),
        }
        return TemplateResponse(request, "admin/compounds/reports.html", context)


@admin.register(ServiceContract)
class ServiceContractAdmin(ScopedAdmin):
    list_display = ["compound", "company", "start", "end", "monthly_fee_per_sqm"]
    list_filter = [
        CurrentFilter,
        ("company", admin.RelatedOnlyFieldListFilter),
        ("compound__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["compound__name", "company__name"]
    autocomplete_fields = ["compound", "company"]
    list_select_related = ["compound", "company"]
    date_hierarchy = "start"


class PackageMembershipInline(ScopedTabularInline):
    model = PackageMembership
    extra = 0
    formset = PerCompoundNoOverlapFormSet
    autocomplete_fields = ["compound"]


@admin.register(ServicePackage)
class ServicePackageAdmin(ScopedAdmin):
    list_display = ["name", "company", "lead_compound", "start", "end", "size"]
    ordering = ["name"]
    list_filter = [CurrentFilter, ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "company__name", "lead_compound__name"]
    autocomplete_fields = ["company", "lead_compound"]
    list_select_related = ["company", "lead_compound"]
    inlines = [PackageMembershipInline]

    def get_queryset(self, request):
        today = timezone.localdate()
        return (
            super()
            .get_queryset(request)
            .annotate(
                _size=Count(
                    "memberships",
                    filter=active_on_q(today, "memberships__"),
                )
            )
        )

    @admin.display(description=_("compounds now"), ordering="_size")
    def size(self, obj):
        return obj._size


@admin.register(PackageMembership)
class PackageMembershipAdmin(ScopedAdmin):
    list_display = ["compound", "package", "start", "end"]
    list_filter = [
        CurrentFilter,
        "package",
        ("compound__community", admin.RelatedOnlyFieldListFilter),
        ("compound__grid", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["compound__name", "package__name"]
    autocomplete_fields = ["package", "compound"]
    list_select_related = ["compound", "package"]


class TermFilter(admin.SimpleListFilter):
    title = _("term")
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return [
            ("ending", _("ends within %(days)d days") % {"days": TERM_WARNING_DAYS}),
            ("current", _("in term")),
            ("ended", _("term ended")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "ending":
            return queryset.terms_ending_within(TERM_WARNING_DAYS, today)
        if self.value() == "current":
            return queryset.current(today)
        if self.value() == "ended":
            return queryset.filter(term_end__lt=today)
        return queryset


class CommitteeMemberInline(ScopedTabularInline):
    model = CommitteeMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Committee)
class CommitteeAdmin(ScopedAdmin):
    ledger = exports.COMMITTEES
    list_display = [
        "name",
        "kind",
        "compound",
        "established",
        "term_start",
        "term_end",
        "ends_soon",
        "has_party_organisation",
        "is_benchmark",
    ]
    list_filter = [
        "kind",
        TermFilter,
        "is_benchmark",
        "has_party_organisation",
        ("compound__community", admin.RelatedOnlyFieldListFilter),
        ("compound__grid", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "compound__name"]
    autocomplete_fields = ["compound", "modelled_on"]
    list_select_related = ["compound"]
    inlines = [CommitteeMemberInline]
    change_list_template = "admin/compounds/reports_link_change_list.html"

    @admin.display(description=_("term ends soon"), boolean=True)
    def ends_soon(self, obj):
        today = timezone.localdate()
        return today <= obj.term_end <= today + timedelta(days=TERM_WARNING_DAYS)


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ScopedAdmin):
    list_display = ["person", "role", "committee", "party_member"]
    list_filter = ["role", "person__is_party_member"]
    search_fields = ["person__name", "committee__name"]
    autocomplete_fields = ["committee", "person"]
    list_select_related = ["person", "committee"]

    @admin.display(description=_("party member"), boolean=True)
    def party_member(self, obj):
        return obj.person.is_party_member


@admin.register(BuildingHead)
class BuildingHeadAdmin(ScopedAdmin):
    list_display = ["person", "compound", "building", "start", "end"]
    list_filter = [
        "compound__kind",
        ("compound__community", admin.RelatedOnlyFieldListFilter),
        ("compound__grid", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["person__name", "compound__name", "building"]
    autocomplete_fields = ["compound", "person"]
    list_select_related = ["person", "compound"]


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    list_display = [
        "kind",
        "count",
        "compound",
        "community",
        "location",
        "completed_on",
    ]
    list_filter = ["kind", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["location", "compound__name", "notes"]
    autocomplete_fields = ["compound", "community"]
    list_select_related = ["compound", "community"]
    date_hierarchy = "completed_on"
    change_list_template = "admin/compounds/reports_link_change_list.html"

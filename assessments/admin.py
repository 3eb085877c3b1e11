"""Admin for the scheme, inspections, draws, rectification notices and scores.

A scheme version in use is read-only; submitted inspections are read-only
(amendments go through the inspection pages); draws are seen only by the
street's cadres (their queryset's `visible_to`). Computed scores and
rankings are read-only; scoring runs are started from the run page
(`assessments:runs`), which queues them; rewards are approved and paid, and
exit cases moved, through `assessments.services.cycle`, here or on the pages.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from org.admin_scope import ScopedAdmin
from org.models import OrgUnit

from . import exports
from .draw import verify_plan
from .models import (
    AssessmentScheme,
    ExitCase,
    ExitCaseDocument,
    ExitEvent,
    ExitLadderStep,
    Inspection,
    InspectionItemResult,
    InspectionPanelMember,
    InspectionPlan,
    MonthlyCompanyScore,
    MonthlyCompoundScore,
    NoticeSeries,
    PlannedVisit,
    PrizeTier,
    QuarterlyBonus,
    QuarterlyRanking,
    QuarterNotice,
    QuarterReRank,
    RectificationNotice,
    RectificationRound,
    Reward,
    SchemeCategory,
    SchemeItem,
    ScoringRun,
    VetoRule,
)
from .services.cycle import approve_reward, pay_reward
from .services.inspections import shows_panel_names
from .services.notices import published_quarters_under

# Scheme ---------------------------------------------------------------------


class FrozenWhenInUse:
    """Read-only once the scheme has scored an inspection."""

    def scheme_in_use(self, obj) -> bool:
        if obj is None:
            return False
        scheme = obj if isinstance(obj, AssessmentScheme) else obj.scheme_of()
        return scheme is not None and scheme.is_in_use

    def has_change_permission(self, request, obj=None):
        if self.scheme_in_use(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.scheme_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if self.scheme_in_use(obj):
            return False
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj)
        return super().has_add_permission(request)


class SchemeCategoryInline(FrozenWhenInUse, admin.TabularInline):
    model = SchemeCategory
    extra = 0
    show_change_link = True
    fields = ["order", "code", "name", "name_en", "max_points"]


class VetoRuleInline(FrozenWhenInUse, admin.TabularInline):
    model = VetoRule
    extra = 0
    fields = ["code", "name", "name_en"]


class PrizeTierInline(FrozenWhenInUse, admin.TabularInline):
    model = PrizeTier
    extra = 0
    fields = ["rank", "title", "title_en", "amount"]


class NewVersionForm(helpers.ActionForm):
    valid_from = forms.DateField(
        label=_("valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(FrozenWhenInUse, admin.ModelAdmin):
    list_display = ["name", "version", "valid_from", "in_use", "total"]
    list_filter = ["name"]
    search_fields = ["name"]
    inlines = [SchemeCategoryInline, VetoRuleInline, PrizeTierInline]
    action_form = NewVersionForm
    actions = ["new_version_from_date"]
    fieldsets = [
        (None, {"fields": ["name", "version", "valid_from", "description"]}),
        (
            _("Quarterly formula"),
            {
                "fields": [
                    "weight_inspection",
                    "weight_satisfaction",
                    "weight_concern_timeliness",
                    "weight_reopen_rate",
                    "weight_visit_day",
                    "quarterly_bonus_cap",
                    "min_inspections_per_quarter",
                ]
            },
        ),
        (
            _("Inspections"),
            {
                "fields": [
                    "veto_score",
                    "satisfaction_min_sample",
                    "allow_consecutive_draws",
                    "second_visit_percent",
                    "rectification_days",
                ]
            },
        ),
        (_("Exit mechanism"), {"fields": ["bottom_n", "consecutive_k"]}),
    ]

    @admin.display(boolean=True, description=_("frozen (scored or ranked)"))
    def in_use(self, obj):
        return obj.is_in_use

    def warn_of_published_quarters(self, request, scheme) -> None:
        """A version that would now govern a published quarter ranked under
        another one: say so, since ranking it again needs a decision."""
        for notice in published_quarters_under(scheme):
            self.message_user(
                request,
                gettext(
                    "This version starts on %(date)s, inside %(quarter)s of "
                    "%(street)s, which was ranked under another version and "
                    "published (notice %(number)s). The published ranking "
                    "stays as it is; ranking the quarter again under this "
                    "version needs a re-rank decision on the ranking page."
                )
                % {
                    "date": scheme.valid_from,
                    "quarter": exports.quarter_label(notice.quarter),
                    "street": notice.street.name,
                    "number": notice.number,
                },
                messages.WARNING,
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            scheme = self.get_object(request, object_id)
            if scheme is not None:
                self.warn_of_published_quarters(request, scheme)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.warn_of_published_quarters(request, obj)

    @admin.display(description=_("total points"))
    def total(self, obj):
        return obj.total_points

    @admin.action(description=_("New version from a date (give the date below)"))
    def new_version_from_date(self, request, queryset):
        form = NewVersionForm(request.POST)
        valid_from = form.fields["valid_from"].clean(request.POST.get("valid_from"))
        if not valid_from:
            self.message_user(
                request,
                gettext("Give the date the new version starts."),
                messages.ERROR,
            )
            return
        for scheme in queryset:
            try:
                clone = scheme.new_version(valid_from)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Created %(scheme)s.") % {"scheme": clone},
                    messages.SUCCESS,
                )


class SchemeItemInline(FrozenWhenInUse, admin.TabularInline):
    model = SchemeItem
    extra = 0
    fields = [
        "order",
        "code",
        "name",
        "name_en",
        "max_points",
        "deduction",
        "rule",
        "allows_na",
        "is_satisfaction_poll",
    ]


@admin.register(SchemeCategory)
class SchemeCategoryAdmin(FrozenWhenInUse, admin.ModelAdmin):
    list_display = ["code", "name", "scheme", "max_points"]
    list_filter = ["scheme"]
    list_select_related = ["scheme"]
    inlines = [SchemeItemInline]


# Inspections ----------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PanelInline(ReadOnlyInline):
    model = InspectionPanelMember
    fields = ["person", "role"]


class ItemResultInline(ReadOnlyInline):
    model = InspectionItemResult
    fields = ["item", "occurrences", "not_applicable", "points", "note"]


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    """Inspections are filed on the inspection pages; here they are read."""

    ledger = exports.INSPECTIONS

    list_display = [
        "compound",
        "date",
        "version",
        "status",
        "is_current",
        "score",
        "page_link",
    ]
    list_filter = [
        "status",
        "is_current",
        "month",
        ("street", admin.RelatedOnlyFieldListFilter),
        ("community", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["compound"]
    search_fields = ["compound__name"]
    date_hierarchy = "date"
    inlines = [PanelInline, ItemResultInline]
    readonly_fields = [
        "compound",
        "scheme",
        "date",
        "month",
        "status",
        "version",
        "supersedes",
        "amendment_reason",
        "is_current",
        "veto",
        "veto_note",
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
        "note",
        "score",
        "submitted_at",
        "submitted_by",
        "created_by",
    ]
    exclude = ["planned_visit", "created_at"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if shows_panel_names(request.user):
            return fields
        # A company reads its deductions, not who scored it.
        return [f for f in fields if f not in ("submitted_by", "created_by")]

    @admin.display(description=_("page"))
    def page_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("assessments:inspection", args=[obj.pk]),
            gettext("open the page"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The sealed draw --------------------------------------------------------------


class PlannedVisitInline(ReadOnlyInline):
    model = PlannedVisit
    fields = ["compound", "window_start", "window_end"]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ScopedAdmin):
    list_display = ["street", "month", "visit_count", "verified", "created_by"]
    list_filter = ["month"]
    list_select_related = ["street", "created_by"]
    inlines = [PlannedVisitInline]
    readonly_fields = [
        "street",
        "month",
        "seed",
        "plan_hash",
        "quota",
        "candidates",
        "second_visit_percent",
        "second_visit_candidates",
        "created_by",
        "created_at",
    ]

    @admin.display(description=_("visits"))
    def visit_count(self, obj):
        return obj.visits.count()

    @admin.display(boolean=True, description=_("hash verified"))
    def verified(self, obj):
        return verify_plan(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Rectification notices --------------------------------------------------------


class RoundInline(ReadOnlyInline):
    model = RectificationRound
    fields = ["at", "kind", "text", "by"]
    readonly_fields = fields


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(ScopedAdmin):
    inlines = [RoundInline]
    list_display = ["__str__", "company", "deadline", "status", "overdue"]
    list_filter = ["status", "deadline"]
    list_select_related = ["inspection__compound", "item_result__item", "company"]
    search_fields = ["company__name", "inspection__compound__name"]
    readonly_fields = [
        "inspection",
        "item_result",
        "company",
        "requirement",
        "deadline",
        "status",
        "answer_note",
        "answered_at",
        "answered_by",
        "verified_by",
        "verified_at",
        "verification_note",
        "created_by",
        "created_at",
        "reminded_on",
    ]

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj):
        return obj.is_overdue

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Scores, rankings, prizes and the exit ladder ---------------------------------
# Computed rows are read-only; runs are started from the "add" form, which
# calls the same services as the commands and the beat schedule.


class ReadOnlyScoresAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlyCompoundScore)
class MonthlyCompoundScoreAdmin(ReadOnlyScoresAdmin):
    ledger = exports.MONTHLY_SCORES
    list_display = [
        "month",
        "compound",
        "company",
        "score",
        "inspections",
        "vetoed",
        "households",
    ]
    list_filter = ["month", "vetoed", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["compound__name", "company__name"]
    list_select_related = ["compound", "company"]
    date_hierarchy = "month"


@admin.register(MonthlyCompanyScore)
class MonthlyCompanyScoreAdmin(ReadOnlyScoresAdmin):
    list_display = [
        "month",
        "street",
        "company",
        "score",
        "compounds",
        "households",
        "inspections",
        "vetoes",
    ]
    list_filter = ["month", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["company__name"]
    list_select_related = ["company", "street"]
    date_hierarchy = "month"


@admin.register(QuarterlyRanking)
class QuarterlyRankingAdmin(ReadOnlyScoresAdmin):
    ledger = exports.RANKINGS
    list_display = [
        "quarter",
        "street",
        "rank",
        "company",
        "score",
        "inspection_average",
        "satisfaction",
        "bonus",
        "prize",
        "is_bottom",
        "consecutive_bottom",
    ]
    list_filter = ["quarter", ("street", admin.RelatedOnlyFieldListFilter), "is_bottom"]
    search_fields = ["company__name"]
    list_select_related = ["company", "street", "prize"]


@admin.register(NoticeSeries)
class NoticeSeriesAdmin(ScopedAdmin):
    """The street's prefix of document numbers (文号); the numbers are
    taken when a notice is published."""

    list_display = ["street", "prefix"]
    list_select_related = ["street"]
    fields = ["street", "prefix"]

    def get_readonly_fields(self, request, obj=None):
        return ["street"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterNotice)
class QuarterNoticeAdmin(ReadOnlyScoresAdmin):
    list_display = ["number", "quarter", "street", "published_by", "published_at"]
    list_filter = ["quarter", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number"]
    list_select_related = ["street", "published_by"]


@admin.register(QuarterReRank)
class QuarterReRankAdmin(ReadOnlyScoresAdmin):
    """Decisions to rank a published quarter again: a record, never edited."""

    list_display = ["decided_at", "quarter", "street", "decided_by", "changed"]
    list_filter = ["quarter", "changed", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reason"]
    list_select_related = ["street", "decided_by"]
    fields = [
        "street",
        "quarter",
        "notice",
        "decided_by",
        "decided_at",
        "reason",
        "scheme",
        "changed",
        "result_before",
        "result_after",
        "run",
    ]
    readonly_fields = fields

    @admin.display(description=_("result before"))
    def result_before(self, obj):
        return result_table(obj.old_result)

    @admin.display(description=_("result after"))
    def result_after(self, obj):
        return result_table(obj.new_result)


def result_table(rows: list[dict]):
    """A stored ranking result as a small table."""
    steps = dict(ExitLadderStep.Kind.choices)
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                row.get("rank") or "—",
                row.get("company", ""),
                row.get("score", ""),
                row.get("prize", ""),
                steps.get(row.get("ladder", ""), ""),
            )
            for row in rows
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
        "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
        gettext("Rank"),
        gettext("Company"),
        gettext("Quarter score"),
        gettext("Prize"),
        gettext("Exit ladder"),
        body,
    )


@admin.register(ScoringRun)
class ScoringRunAdmin(ScopedAdmin):
    list_display = [
        "started_at",
        "kind",
        "period",
        "street",
        "outcome",
        "rows_written",
        "duration_ms",
        "finished_at",
    ]
    list_filter = ["kind", "outcome"]
    search_fields = ["period", "error"]
    readonly_fields = [
        "street",
        "started_at",
        "finished_at",
        "rows_written",
        "duration_ms",
        "outcome",
        "error",
        "note",
        "parts",
        "parts_done",
        "started_by",
    ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return ["kind", "period", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "period", *self.readonly_fields]

    def has_add_permission(self, request):
        # A run is queued from its page (assessments:runs), on Celery.
        return False


@admin.register(QuarterlyBonus)
class QuarterlyBonusAdmin(ScopedAdmin):
    """加分, capped per quarter by the scheme (`QuarterlyBonus.clean`); the
    ranking reads it when the quarter is ranked (again)."""

    list_display = ["quarter", "street", "company", "points", "reason", "created_by"]
    list_filter = ["quarter", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["company__name", "reason"]
    autocomplete_fields = ["company"]
    exclude = ["created_by", "created_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "street" and field is not None:
            field.queryset = field.queryset.filter(kind=OrgUnit.Kind.STREET)
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["quarter"].help_text = gettext(
            "A quarter such as 2026Q3. Rank the quarter again for the bonus to count."
        )
        form.base_fields["points"].help_text = gettext(
            "The bonuses of a quarter add up to the scheme's cap at most."
        )
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class PaymentAdminForm(forms.ModelForm):
    class Meta:
        model = Reward
        fields = ["payment_reference", "paid_on"]
        widgets = {
            "paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        }


@admin.register(Reward)
class RewardAdmin(ScopedAdmin):
    """Approve (action) and record the payment (change form) through the
    services; a paid reward is read-only and cannot be deleted."""

    ledger = exports.REWARDS

    form = PaymentAdminForm
    list_display = [
        "ranking",
        "title",
        "amount",
        "approved_by",
        "approved_at",
        "payment_reference",
        "paid_on",
        "paid_recorded_by",
    ]
    list_filter = ["ranking__quarter", "ranking__street"]
    search_fields = ["ranking__company__name", "payment_reference"]
    list_select_related = ["ranking__company", "approved_by", "paid_recorded_by"]
    readonly_fields = [
        "ranking",
        "title",
        "amount",
        "approved_by",
        "approved_at",
        "paid_recorded_by",
        "paid_recorded_at",
    ]
    fields = [*readonly_fields, "payment_reference", "paid_on"]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_paid:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_paid:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.approved_at:
            # Paid only once approved: approve first (list action).
            return [*self.readonly_fields, "payment_reference", "paid_on"]
        return self.readonly_fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            # A bulk delete would bypass the paid-reward rule of the model.
            del actions["delete_selected"]
        return actions

    def save_model(self, request, obj, form, change):
        if obj.paid_on:
            try:
                pay_reward(
                    reward_id=obj.pk,
                    actor=request.user,
                    reference=obj.payment_reference,
                    paid_on=obj.paid_on,
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        elif form.changed_data:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Approve the selected rewards"))
    def approve(self, request, queryset):
        count = 0
        for reward in queryset.filter(approved_at__isnull=True):
            approve_reward(reward_id=reward.pk, actor=request.user)
            count += 1
        self.message_user(request, _("%(n)s rewards approved.") % {"n": count})


class PageLinkMixin:
    page_url_name = ""

    @admin.display(description=_("page"))
    def page_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse(self.page_url_name, args=[obj.pk]),
            gettext("open the page"),
        )


@admin.register(ExitLadderStep)
class ExitLadderStepAdmin(PageLinkMixin, ReadOnlyScoresAdmin):
    """Steps are reached by the ranking; warnings and interviews are
    recorded on the step's page, which keeps every record."""

    page_url_name = "assessments:ladder-step"
    list_display = [
        "quarter",
        "street",
        "company",
        "kind",
        "consecutive",
        "interview_on",
        "rectification_deadline",
        "page_link",
    ]
    list_filter = ["quarter", "kind", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["company__name"]


class ExitCaseDocumentInline(admin.TabularInline):
    model = ExitCaseDocument
    extra = 1


class ExitEventInline(ReadOnlyInline):
    model = ExitEvent
    fields = ["on", "kind", "deadline", "handover_on", "note", "recorded_by"]
    readonly_fields = fields


@admin.register(ExitCase)
class ExitCaseAdmin(PageLinkMixin, ScopedAdmin):
    """The case moves on its page (assessments:exit-case); here its
    documents are kept and its history read."""

    ledger = exports.EXIT_CASES

    page_url_name = "assessments:exit-case"
    list_display = [
        "company",
        "street",
        "opened_quarter",
        "status",
        "handover_on",
        "opened_at",
        "page_link",
    ]
    list_filter = ["status", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["company__name"]
    fields = [
        "company",
        "street",
        "run_start",
        "opened_quarter",
        "ranking",
        "status",
        "status_changed_at",
        "handover_on",
        "note",
        "page_link",
    ]
    readonly_fields = [
        "company",
        "street",
        "run_start",
        "opened_quarter",
        "ranking",
        "status",
        "status_changed_at",
        "handover_on",
        "page_link",
    ]
    inlines = [ExitEventInline, ExitCaseDocumentInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Sealed monthly draws, unannounced inspections and rectification notices."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.periods import Month
from common.uploads import PolicyImageField, RandomUploadPath
from compounds.models import Compound, PropertyCompany
from org.models import OrgUnit, Person, Post
from org.place import PlacedInTree
from org.scope import Scope, ScopedQuerySet, user_scope

from .scheme import AssessmentScheme, SchemeItem, VetoRule

__all__ = [
    "Inspection",
    "InspectionItemResult",
    "InspectionPanelMember",
    "InspectionPhoto",
    "InspectionPlan",
    "PlannedVisit",
    "RectificationNotice",
    "RectificationPhoto",
    "RectificationRound",
    "CADRE_ROLES",
    "INSPECTING_ROLES",
    "PLAN_ROLES",
    "inspecting_street_ids",
    "plan_street_ids",
]

# Cadres: street-office posts that sit on inspection panels and alone see
# the sealed draw. Resident representatives inspect but never see the draw;
# company staff see neither, whatever posts they also hold.
CADRE_ROLES = (
    Post.Role.SECRETARY,
    Post.Role.DEPUTY_SECRETARY,
    Post.Role.COMMITTEE_MEMBER,
    Post.Role.FULL_TIME_STAFF,
    Post.Role.INSPECTOR,
)
PLAN_ROLES = CADRE_ROLES
INSPECTING_ROLES = (*CADRE_ROLES, Post.Role.RESIDENT_REPRESENTATIVE)


def street_ids_for_roles(user, roles) -> list[int] | None:
    """Streets where `user` holds a street post in `roles`; None: all."""
    return user_scope(user).street_ids_for_roles(roles)


def plan_street_ids(user) -> list[int] | None:
    """Streets whose sealed draws `user` may see; None means every street."""
    return street_ids_for_roles(user, PLAN_ROLES)


def inspecting_street_ids(user) -> list[int] | None:
    """Streets where `user` may file inspections; None means every street."""
    return street_ids_for_roles(user, INSPECTING_ROLES)


def wide_scope(scope: Scope) -> Scope:
    """The scope without the posts of a resident representative.

    A representative's post places them in the street, but they see only
    the inspections they sat on (and the drafts they started), not every
    inspection of the street: those come from `panel_q`.
    """
    wide = {
        pk for pk, role in scope.post_roles if role != Post.Role.RESIDENT_REPRESENTATIVE
    }
    return Scope(
        units=tuple(unit for unit in scope.units if unit.pk in wide),
        company_ids=scope.company_ids,
        compound_ids=scope.compound_ids,
        post_roles=frozenset(p for p in scope.post_roles if p[0] in wide),
    )


def panel_q(user, path: str = "") -> Q:
    """Inspections (at `path`) on whose panel `user` sat, or that they began."""
    prefix = f"{path}__" if path else ""
    q = Q(**{f"{prefix}created_by_id": user.pk})
    if user.person_id:
        seats = InspectionPanelMember.objects.filter(person_id=user.person_id)
        q |= Q(**{f"{prefix}pk__in": seats.values("inspection_id")})
    return q


class SealedQuerySet(models.QuerySet):
    """The sealed draw: only a street's inspection staff see it."""

    street_path = "street"

    def visible_to(self, user):
        streets = plan_street_ids(user)
        if streets is None:
            return self
        return self.filter(**{f"{self.street_path}__in": streets})


class InspectionPlanQuerySet(SealedQuerySet):
    street_path = "street"


class InspectionPlan(models.Model):
    """One street's sealed draw for one month."""

    street = models.ForeignKey(
        OrgUnit,
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="inspection_plans",
        limit_choices_to={"kind": OrgUnit.Kind.STREET},
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    seed = models.CharField(_("random seed"), max_length=64)
    plan_hash = models.CharField(_("plan hash (SHA-256)"), max_length=64)
    # The draw's inputs, kept so that anyone can re-derive it from the seed.
    candidates = models.JSONField(
        _("compounds eligible for the draw"), default=list, blank=True
    )
    quota = models.PositiveIntegerField(_("compounds to draw"), default=0)
    # The second visits' inputs (assessments/draw.py): the compounds already
    # covered this quarter and the chance each one had of being drawn again.
    second_visit_candidates = models.JSONField(
        _("compounds eligible for a second visit"), default=list, blank=True
    )
    second_visit_percent = models.PositiveSmallIntegerField(
        _("chance of a second visit (%)"), default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection plan (sealed draw)")
        verbose_name_plural = _("inspection plans (sealed draws)")
        ordering = ["-month", "street"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "month"],
                name="inspection_plan_street_month_unique",
                violation_error_message=_("This month has already been drawn."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="inspection_plan_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.street} · {self.month:%Y-%m}"


class PlannedVisitQuerySet(SealedQuerySet):
    street_path = "plan__street"


class PlannedVisit(models.Model):
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="planned_visits",
    )
    window_start = models.DateField(_("window starts"))
    window_end = models.DateField(_("window ends"))

    objects = PlannedVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["plan", "window_start", "compound__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "compound"], name="planned_visit_unique"
            ),
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="planned_visit_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} · {self.window_start} – {self.window_end}"


class InspectionQuerySet(ScopedQuerySet):
    scope_through = ""
    scope_compound = "compound"

    def visible_to(self, user):
        """Submitted inspections under the user's posts, of the compounds
        their company serves or behind a notice to their company; drafts (a
        visit in progress) only to the street's cadres. A resident
        representative sees only the inspections they sat on or began."""
        scope = user_scope(user)
        if scope.everything:
            return self
        if scope.is_empty:
            return self.none()
        submitted = Q(status=Inspection.Status.SUBMITTED)
        q = self.scope_q(Scope(units=wide_scope(scope).units)) & submitted
        if scope.compound_ids:
            q |= Q(compound_id__in=scope.compound_ids) & submitted
        if scope.company_ids:
            notices = RectificationNotice.objects.filter(
                company_id__in=scope.company_ids
            )
            q |= Q(pk__in=notices.values("inspection_id")) & submitted
        streets = plan_street_ids(user)
        if streets:
            q |= Q(status=Inspection.Status.DRAFT, street_id__in=streets)
        if any(
            role == Post.Role.RESIDENT_REPRESENTATIVE for _pk, role in scope.post_roles
        ):
            q |= panel_q(user)
        return self.filter(q)

    def submitted(self):
        return self.filter(status=Inspection.Status.SUBMITTED)

    def drafts(self):
        return self.filter(status=Inspection.Status.DRAFT)

    def current(self):
        return self.filter(is_current=True)

    def scored(self):
        """The inspections that count: current submitted versions."""
        return self.filter(status=Inspection.Status.SUBMITTED, is_current=True)

    def in_month(self, month: Month):
        return self.filter(month=month.start)


class Inspection(PlacedInTree):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    # The compound's place in the tree on the day of the visit: a later
    # move in the tree does not rewrite past inspections.
    follows_tree_moves = False

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("scheme version"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    planned_visit = models.ForeignKey(
        PlannedVisit,
        verbose_name=_("planned visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
    )
    date = models.DateField(_("date of the visit"))
    month = models.DateField(_("month"), editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("amends"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amended_by",
    )
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    is_current = models.BooleanField(
        _("current version"),
        default=True,
        help_text=_("Only the current submitted version of an inspection counts."),
    )
    veto = models.ForeignKey(
        VetoRule,
        verbose_name=_("veto"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    veto_note = models.TextField(_("veto note"), blank=True)
    satisfied = models.PositiveIntegerField(_("satisfied households"), default=0)
    basically_satisfied = models.PositiveIntegerField(
        _("basically satisfied households"), default=0
    )
    dissatisfied = models.PositiveIntegerField(_("dissatisfied households"), default=0)
    note = models.TextField(_("general note"), blank=True)
    score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(version__gte=1), name="inspection_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="inspection_month_first_day"
            ),
        ]
        indexes = [
            models.Index(fields=["street", "month"], name="insp_street_month"),
            models.Index(fields=["community", "month"], name="insp_community_month"),
            models.Index(fields=["grid", "month"], name="insp_grid_month"),
            models.Index(fields=["compound", "month"], name="insp_compound_month"),
            models.Index(
                fields=["month", "compound"],
                condition=Q(status="submitted", is_current=True),
                name="insp_scored_month",
            ),
        ]

    def __str__(self) -> str:
        return _("%(compound)s on %(date)s (v%(version)s)") % {
            "compound": self.compound,
            "date": self.date,
            "version": self.version,
        }

    def save(self, *args, **kwargs) -> None:
        if self.date:
            self.month = Month.of(self.date).start
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def polled_households(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    def serving_company(self) -> PropertyCompany | None:
        contract = self.compound.contract_on(self.date)
        return contract.company if contract else None


class InspectionPanelMember(models.Model):
    class Role(models.TextChoices):
        CADRE = "cadre", _("cadre")
        RESIDENT_REP = "resident_rep", _("resident representative")

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="panel",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="inspection_seats",
    )
    role = models.CharField(
        pgettext_lazy("panel", "role"), max_length=16, choices=Role.choices
    )

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["inspection", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "person"], name="panel_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


class InspectionItemResult(models.Model):
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    item = models.ForeignKey(
        SchemeItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    occurrences = models.PositiveIntegerField(_("occurrences"), default=0)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    note = models.TextField(_("note"), blank=True)
    points = models.DecimalField(
        _("points earned"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Filled at submission; empty when the item does not apply."),
    )

    class Meta:
        verbose_name = _("item result")
        verbose_name_plural = _("item results")
        ordering = ["inspection", "item__category__order", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"], name="item_result_unique"
            ),
            models.CheckConstraint(
                condition=Q(occurrences__gte=0), name="item_result_occurrences_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} × {self.occurrences}"

    @property
    def deducted(self) -> Decimal:
        return min(self.item.max_points, self.occurrences * self.item.deduction)

    @property
    def failed(self) -> bool:
        return not self.not_applicable and self.occurrences > 0


# Named by the first migrations; the policy field stores under random names.
inspection_photo_path = RandomUploadPath("inspections")


class InspectionPhoto(models.Model):
    result = models.ForeignKey(
        InspectionItemResult,
        verbose_name=_("item result"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = PolicyImageField(_("photo"), policy="inspection_photo")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["result", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.image.name


class RectificationNoticeQuerySet(ScopedQuerySet):
    scope_through = "inspection"
    scope_company = "company"

    def visible_to(self, user):
        """Notices under the user's posts or to their company; a resident
        representative's, only of the inspections they sat on."""
        scope = user_scope(user)
        if scope.everything:
            return self
        q = self.scope_q(wide_scope(scope))
        if any(
            role == Post.Role.RESIDENT_REPRESENTATIVE for _pk, role in scope.post_roles
        ):
            q |= panel_q(user, "inspection")
        return self.filter(q)

    def due_for_reminder(self, on: date, days_before: tuple[int, ...]):
        """Open notices whose deadline is `days` after `on` for one of
        `days_before`, not yet reminded on `on`."""
        deadlines = [on + timedelta(days=days) for days in days_before]
        return self.open().filter(deadline__in=deadlines).exclude(reminded_on=on)

    def open(self):
        S = RectificationNotice.Status
        return self.filter(status__in=[S.OPEN, S.RETURNED])

    def overdue(self, on: date | None = None):
        """Notices not yet answered whose deadline has passed."""
        on = on or timezone.localdate()
        return self.open().filter(deadline__lt=on)

    def for_company(self, company: PropertyCompany):
        return self.filter(company=company)


class RectificationNotice(models.Model):
    """整改通知: a failed item to put right by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting answer")
        ANSWERED = "answered", _("answered, awaiting verification")
        RETURNED = "returned", _("returned: not rectified")
        VERIFIED = "verified", _("verified: rectified")

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    item_result = models.ForeignKey(
        InspectionItemResult,
        verbose_name=_("failed item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications",
    )
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="rectification_notices",
    )
    requirement = models.TextField(_("what to rectify"), blank=True)
    deadline = models.DateField(pgettext_lazy("rectification", "deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    answer_note = models.TextField(pgettext_lazy("rectification", "answer"), blank=True)
    answered_at = models.DateTimeField(
        pgettext_lazy("rectification", "answered at"), null=True, blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    reminded_on = models.DateField(
        _("last reminded on"),
        null=True,
        blank=True,
        help_text=_("The day the company was last reminded of the deadline."),
    )

    objects = RectificationNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["company", "status", "deadline"])]

    def __str__(self) -> str:
        item = self.item_result.item.code if self.item_result_id else "—"
        return f"{self.inspection.compound} · {item} · {self.deadline}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in (self.Status.OPEN, self.Status.RETURNED)
            and self.deadline < timezone.localdate()
        )


class RectificationRound(models.Model):
    """One step of a notice's rounds: the company's answer, or the street's
    re-check (returned or accepted). Rows are only ever added, so every
    answer and every return stays on the notice's page."""

    class Kind(models.TextChoices):
        ANSWER = "answer", pgettext_lazy("rectification", "answer")
        RETURNED = "returned", _("returned: not rectified")
        ACCEPTED = "accepted", _("verified: rectified")

    notice = models.ForeignKey(
        RectificationNotice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="rounds",
    )
    kind = models.CharField(
        pgettext_lazy("rectification round", "kind"),
        max_length=12,
        choices=Kind.choices,
    )
    text = models.TextField(pgettext_lazy("rectification round", "text"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("rectification round", "by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(
        pgettext_lazy("rectification round", "at"), default=timezone.now
    )

    class Meta:
        verbose_name = _("rectification round")
        verbose_name_plural = _("rectification rounds")
        ordering = ["notice", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.get_kind_display()} · {self.at:%Y-%m-%d}"

    @property
    def is_answer(self) -> bool:
        return self.kind == self.Kind.ANSWER


# Named by the first migrations; the policy field stores under random names.
rectification_photo_path = RandomUploadPath("rectifications")


class RectificationPhoto(models.Model):
    notice = models.ForeignKey(
        RectificationNotice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    round = models.ForeignKey(
        RectificationRound,
        verbose_name=_("rectification round"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    image = PolicyImageField(_("photo"), policy="rectification_photo")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification photo")
        verbose_name_plural = _("rectification photos")

    def __str__(self) -> str:
        return self.image.name

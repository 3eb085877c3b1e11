"""What is governed: compounds, the companies serving them, committees,
building heads and facilities."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from org.models import OrgUnit, Person
from org.place import PlacedInTree
from org.scope import Scope, ScopedQuerySet

# The seed's rule: a company with this many party members or more sets up its
# own party organisation; below it, the street dispatches an instructor.
PARTY_ORG_THRESHOLD = 3


def validate_credit_code(value: str) -> None:
    """Refuse a unified social credit code whose check character is wrong."""
    try:
        uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _(
                "%(code)s is not a valid unified social credit code (18 "
                "characters with a correct check character)."
            ),
            params={"code": value},
            code="invalid_credit_code",
        ) from None


def periods_overlap_q(start: date | None, end: date | None, prefix: str = "") -> Q:
    """Rows whose [start, end] period (open ends allowed) meets [start, end]."""
    q = Q()
    if end is not None:
        q &= Q(**{f"{prefix}start__lte": end}) | Q(**{f"{prefix}start__isnull": True})
    if start is not None:
        q &= Q(**{f"{prefix}end__gte": start}) | Q(**{f"{prefix}end__isnull": True})
    return q


def active_on_q(on: date, prefix: str = "") -> Q:
    return periods_overlap_q(on, on, prefix)


def lock_compound(compound_id: int | None) -> None:
    """Hold the compound's row until the transaction ends.

    Period rules (one company, one package, one committee at a time) are
    checked by reading the other rows of the compound; two writers checking
    at once could both pass. Locking the compound first serialises them on
    PostgreSQL; SQLite's IMMEDIATE transactions serialise every writer.
    """
    if compound_id is not None:
        list(Compound.objects.select_for_update().filter(pk=compound_id).values("pk"))


class PropertyCompanyQuerySet(ScopedQuerySet):
    scope_unit = "registered_with"
    scope_company = ""

    def scope_q(self, scope: Scope) -> Q:
        # Besides the street that keeps its file, a company is visible to
        # the staff of the communities and grids whose compounds it serves
        # today.
        q = super().scope_q(scope)
        if scope.units:
            serving = (
                ServiceContract.objects.filter(ServiceContract.objects.scope_q(scope))
                .filter(active_on_q(timezone.localdate()))
                .values("company_id")
            )
            q |= Q(pk__in=serving)
        return q

    def with_compliance(self):
        """Annotate `party_compliance` (see PropertyCompany.Compliance)."""
        today = timezone.localdate()
        has_org = Exists(PartyOrganisation.objects.filter(company=OuterRef("pk")))
        has_instructor = Exists(
            PartyInstructor.objects.filter(company=OuterRef("pk")).filter(
                active_on_q(today)
            )
        )
        C = PropertyCompany.Compliance
        return self.annotate(
            party_compliance=Case(
                When(
                    Q(party_member_count__gte=PARTY_ORG_THRESHOLD) & has_org,
                    then=Value(C.ORGANISATION),
                ),
                When(
                    party_member_count__gte=PARTY_ORG_THRESHOLD,
                    then=Value(C.NEEDS_ORGANISATION),
                ),
                When(has_instructor, then=Value(C.INSTRUCTOR)),
                default=Value(C.NEEDS_INSTRUCTOR),
                output_field=models.CharField(),
            )
        )

    def breaking_party_rule(self):
        C = PropertyCompany.Compliance
        return self.with_compliance().filter(
            party_compliance__in=[C.NEEDS_ORGANISATION, C.NEEDS_INSTRUCTOR]
        )


class PropertyCompany(models.Model):
    class Compliance(models.TextChoices):
        ORGANISATION = "organisation", _("own party organisation")
        INSTRUCTOR = "instructor", _("party-building instructor dispatched")
        NEEDS_ORGANISATION = (
            "needs_organisation",
            _("3 or more party members but no party organisation"),
        )
        NEEDS_INSTRUCTOR = (
            "needs_instructor",
            _("fewer than 3 party members and no instructor"),
        )

    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    registered_with = models.ForeignKey(
        OrgUnit,
        verbose_name=_("supervising street"),
        on_delete=models.PROTECT,
        related_name="registered_companies",
        limit_choices_to={"kind": OrgUnit.Kind.STREET},
        help_text=_("The street property office that keeps this company's file."),
    )
    legal_representative = models.CharField(
        _("legal representative"), max_length=50, blank=True
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    party_member_count = models.PositiveIntegerField(_("party members"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    objects = PropertyCompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Normalised first, so "9137 0811…" pasted with spaces or in lower
        # case is judged by its characters, not by its length.
        if self.credit_code:
            self.credit_code = uscc.compact(self.credit_code)
        super().clean_fields(exclude)

    def clean(self) -> None:
        if self.registered_with_id and self.registered_with.kind != OrgUnit.Kind.STREET:
            raise ValidationError(
                {"registered_with": _("Choose a street property office.")}
            )

    @property
    def needs_party_organisation(self) -> bool:
        return self.party_member_count >= PARTY_ORG_THRESHOLD

    @property
    def party_compliance(self) -> str:
        """The rule's status; read from `with_compliance()` when annotated."""
        annotated = self.__dict__.get("_party_compliance")
        if annotated is not None:
            return annotated
        C = self.Compliance
        if self.needs_party_organisation:
            has_org = PartyOrganisation.objects.filter(company=self).exists()
            return C.ORGANISATION if has_org else C.NEEDS_ORGANISATION
        has_instructor = self.instructors.filter(
            active_on_q(timezone.localdate())
        ).exists()
        return C.INSTRUCTOR if has_instructor else C.NEEDS_INSTRUCTOR

    @party_compliance.setter
    def party_compliance(self, value: str) -> None:
        self.__dict__["_party_compliance"] = value

    @property
    def party_compliance_label(self) -> str:
        return str(self.Compliance(self.party_compliance).label)

    @property
    def keeps_party_rule(self) -> bool:
        return self.party_compliance in (
            self.Compliance.ORGANISATION,
            self.Compliance.INSTRUCTOR,
        )

    def compounds_served(self, on: date | None = None):
        on = on or timezone.localdate()
        return Compound.objects.filter(
            service_contracts__in=self.contracts.filter(active_on_q(on))
        ).distinct()


class CompanyScopedQuerySet(ScopedQuerySet):
    """Rows belonging to a company are visible wherever the company is."""

    scope_unit = "company__registered_with"
    scope_company = "company"

    def scope_q(self, scope: Scope) -> Q:
        companies = PropertyCompany.objects.filter(
            PropertyCompany.objects.scope_q(scope)
        ).values("pk")
        return Q(company__in=companies)


class PartyOrganisation(models.Model):
    company = models.OneToOneField(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="party_organisation",
    )
    name = models.CharField(_("name"), max_length=100)
    secretary = models.ForeignKey(
        Person,
        verbose_name=_("secretary"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    founded = models.DateField(_("founded"), null=True, blank=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("company party organisation")
        verbose_name_plural = _("company party organisations")

    def __str__(self) -> str:
        return self.name


class PartyInstructor(models.Model):
    """党建指导员 dispatched by the street to a company without a party org."""

    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="instructors",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("instructor"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField(_("since"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party-building instructor")
        verbose_name_plural = _("party-building instructors")
        ordering = ["company", "-start"]

    def __str__(self) -> str:
        return f"{self.company} · {self.person}"


class CompanyStaffQuerySet(CompanyScopedQuerySet):
    def active(self, on: date | None = None):
        return self.filter(active_on_q(on or timezone.localdate()))


class CompanyStaff(models.Model):
    """A person working for a company; a manager's login sees its compounds."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("project manager")
        PARTY_SECRETARY = "party_secretary", _("party secretary")
        STAFF = "staff", _("staff")

    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="staff",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="company_posts",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = CompanyStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("company staff")
        verbose_name_plural = _("company staff")

    def __str__(self) -> str:
        return f"{self.company} · {self.person} · {self.get_role_display()}"


class CompoundQuerySet(ScopedQuerySet):
    scope_through = ""
    scope_ancestors = {"group": "party_group"}
    scope_compound = ""

    def with_current_company(self, on: date | None = None):
        """Annotate `current_company_name` (blank when nobody serves it)."""
        on = on or timezone.localdate()
        contracts = (
            ServiceContract.objects.filter(compound=OuterRef("pk"))
            .filter(active_on_q(on))
            .order_by("-start")
        )
        return self.annotate(
            current_company_name=Subquery(contracts.values("company__name")[:1])
        )

    def named_like(self, text: str):
        """Compounds whose name contains `text`, by name (the pickers)."""
        return self.filter(name__icontains=text).order_by("name", "pk")

    def in_unit(self, unit: OrgUnit):
        if unit.kind == OrgUnit.Kind.GROUP:
            return self.filter(party_group=unit)
        return self.filter(**{f"{unit.kind}": unit})

    def three_without(self):
        return self.filter(
            lacks_supervising_unit=True,
            lacks_property_service=True,
            lacks_security=True,
        )

    def with_governance(self, on: date | None = None):
        """Annotate who governs each compound on `on`: `has_company` (a
        service contract), `has_committee` (a committee in its term),
        `has_building_head` and `has_party_group`."""
        on = on or timezone.localdate()
        mine = {"compound": OuterRef("pk")}
        return self.annotate(
            has_company=Exists(
                ServiceContract.objects.filter(**mine).filter(active_on_q(on))
            ),
            has_committee=Exists(Committee.objects.current(on).filter(**mine)),
            has_building_head=Exists(
                BuildingHead.objects.filter(**mine).filter(active_on_q(on))
            ),
            has_party_group=ExpressionWrapper(
                Q(party_group__isnull=False), output_field=models.BooleanField()
            ),
        )

    def governed_by_no_one(self, on: date | None = None):
        """No party group, no committee in term, no building head and no
        company: nobody answers for the compound."""
        return self.with_governance(on).filter(
            has_party_group=False,
            has_committee=False,
            has_building_head=False,
            has_company=False,
        )

    def with_governance_gaps(self, on: date | None = None):
        """The compounds with a governance gap, each annotated as in
        `with_governance`: governed by no one, company-managed without a
        company, or self-governed without a committee or building head."""
        company_mode = Q(management_mode=Compound.ManagementMode.COMPANY)
        return self.with_governance(on).filter(
            Q(
                has_party_group=False,
                has_committee=False,
                has_building_head=False,
                has_company=False,
            )
            | (company_mode & Q(has_company=False))
            | (~company_mode & Q(has_committee=False, has_building_head=False))
        )

    def served_by(self, company: "PropertyCompany", on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(
            Exists(
                ServiceContract.objects.filter(
                    compound=OuterRef("pk"), company=company
                ).filter(active_on_q(on))
            )
        )


class Compound(PlacedInTree):
    class Kind(models.TextChoices):
        COMMERCIAL = "commercial", _("commercial housing")
        OLD = "old", _("old compound")
        STANDALONE = "standalone", _("standalone building")

    class ManagementMode(models.TextChoices):
        COMPANY = "company", _("property company")
        SELF = "self", _("self-management committee")
        BUILDING_HEADS = "building_heads", _("building heads")

    class Grade(models.IntegerChoices):
        ONE = 1, _("grade 1")
        TWO = 2, _("grade 2")
        THREE = 3, _("grade 3")

    # The compound's grid is where its place comes from: the community and
    # the street are copied from the grid's ancestors.
    place_from = ""

    name = models.CharField(_("name"), max_length=100)
    grid = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="compounds",
        limit_choices_to={"kind": OrgUnit.Kind.GRID},
    )
    party_group = models.ForeignKey(
        OrgUnit,
        verbose_name=_("building-compound party group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_compounds",
        limit_choices_to={"kind": OrgUnit.Kind.GROUP},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    buildings = models.PositiveIntegerField(_("buildings"), default=1)
    year_built = models.PositiveSmallIntegerField(
        _("year built"), null=True, blank=True
    )
    service_grade = models.PositiveSmallIntegerField(
        _("service grade"), choices=Grade.choices, default=Grade.THREE
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    lacks_supervising_unit = models.BooleanField(
        _("no supervising unit"), default=False
    )
    lacks_property_service = models.BooleanField(
        _("no property management"), default=False
    )
    lacks_security = models.BooleanField(_("no security"), default=False)
    management_mode = models.CharField(
        _("management mode"), max_length=16, choices=ManagementMode.choices
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = CompoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "name"], name="compound_name_unique_in_grid"
            ),
            models.CheckConstraint(
                condition=Q(service_grade__in=[1, 2, 3]), name="compound_grade_1_to_3"
            ),
        ]
        indexes = [
            models.Index(fields=["street", "name"]),
            models.Index(fields=["community", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_three_without(self) -> bool:
        """三无小区: no supervising unit, no property management, no security."""
        return (
            self.lacks_supervising_unit
            and self.lacks_property_service
            and self.lacks_security
        )

    @property
    def three_without_label(self) -> str:
        """The three-without label, or which of the three facts hold."""
        if self.is_three_without:
            return str(_("three-without compound"))
        lacks = [
            str(label)
            for missing, label in (
                (self.lacks_supervising_unit, _("no supervising unit")),
                (self.lacks_property_service, _("no property management")),
                (self.lacks_security, _("no security")),
            )
            if missing
        ]
        return gettext(", ").join(lacks)

    def clean(self) -> None:
        errors = {}
        if self.grid_id and self.grid.kind != OrgUnit.Kind.GRID:
            errors["grid"] = _("A compound belongs to a grid party branch.")
        if self.party_group_id:
            group = self.party_group
            if group.kind != OrgUnit.Kind.GROUP:
                errors["party_group"] = _("Choose a building-compound party group.")
            elif self.grid_id and group.parent_id != self.grid_id:
                errors["party_group"] = _(
                    "The party group must belong to the compound's grid."
                )
        if errors:
            raise ValidationError(errors)

    def copy_place(self) -> None:
        if self.grid.kind != OrgUnit.Kind.GRID:
            raise ValidationError(
                {"grid": _("A compound belongs to a grid party branch.")}
            )
        super().copy_place()

    def contract_on(self, on: date | None = None) -> "ServiceContract | None":
        on = on or timezone.localdate()
        return (
            self.service_contracts.filter(active_on_q(on))
            .select_related("company")
            .first()
        )

    @property
    def current_company(self) -> "PropertyCompany | None":
        contract = self.contract_on()
        return contract.company if contract else None


class CompoundScopedQuerySet(ScopedQuerySet):
    scope_through = "compound"
    scope_ancestors = {"group": "compound__party_group"}
    scope_compound = "compound"

    def active(self, on: date | None = None):
        return self.filter(active_on_q(on or timezone.localdate()))


class ServiceContract(models.Model):
    """A company serves a compound from a date to a date (open: still serving)."""

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="service_contracts",
    )
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    monthly_fee_per_sqm = models.DecimalField(
        _("fee (yuan per m² per month)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )

    objects = CompoundScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["compound", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="contract_end_after_start",
                violation_error_message=_("A contract cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.compound}"

    def save(self, *args, **kwargs) -> None:
        # Checked on every save, not only in forms, so no writer can store
        # two companies serving one compound at once.
        with transaction.atomic():
            lock_compound(self.compound_id)
            self.validate_no_overlap()
            super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("A contract cannot end before it starts.")})
        self.validate_no_overlap()

    def validate_no_overlap(self) -> None:
        """Refuse a period in which another company already serves the compound."""
        if not (self.compound_id and self.start):
            return
        clash = (
            ServiceContract.objects.filter(compound_id=self.compound_id)
            .filter(periods_overlap_q(self.start, self.end))
            .exclude(pk=self.pk)
            .select_related("company", "compound")
            .first()
        )
        if clash:
            raise ValidationError(
                _("%(compound)s is already served by %(company)s in this period.")
                % {"compound": clash.compound, "company": clash.company},
                code="overlap",
            )


class ServicePackageQuerySet(ScopedQuerySet):
    scope_through = "lead_compound"
    scope_ancestors = {"group": "lead_compound__party_group"}
    scope_company = "company"

    def scope_q(self, scope: Scope) -> Q:
        # A package led from elsewhere is still visible to the staff of any
        # compound in it.
        members = PackageMembership.objects.filter(
            PackageMembership.objects.scope_q(scope)
        ).values("package_id")
        return super().scope_q(scope) | Q(pk__in=members)


class ServicePackage(models.Model):
    """打包片区: adjacent old compounds bundled under one company (以中心带周边)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="packages",
    )
    lead_compound = models.ForeignKey(
        Compound,
        verbose_name=_("lead compound"),
        on_delete=models.PROTECT,
        related_name="led_packages",
        help_text=_("The centre that brings its neighbours along."),
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ServicePackageQuerySet.as_manager()

    class Meta:
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PackageMembership(models.Model):
    """A compound's time in a package; at most one active package at a time."""

    package = models.ForeignKey(
        ServicePackage,
        verbose_name=_("package"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="package_memberships",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = CompoundScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("package membership")
        verbose_name_plural = _("package memberships")
        ordering = ["package", "compound__name"]
        constraints = [
            # The database backs the rule for the open-ended (current) case;
            # clean() refuses every overlapping period.
            models.UniqueConstraint(
                fields=["compound"],
                condition=Q(end__isnull=True),
                name="one_open_package_per_compound",
                violation_error_message=_(
                    "This compound is already in an active package."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package} · {self.compound}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            lock_compound(self.compound_id)
            self.validate_no_overlap()
            super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError(
                {"end": _("A membership cannot end before it starts.")}
            )
        self.validate_no_overlap()

    def validate_no_overlap(self) -> None:
        """Refuse a second package for the compound in the same period."""
        if not (self.compound_id and self.start):
            return
        clash = (
            PackageMembership.objects.filter(compound_id=self.compound_id)
            .filter(periods_overlap_q(self.start, self.end))
            .exclude(pk=self.pk)
            .select_related("package", "compound")
            .first()
        )
        if clash:
            raise ValidationError(
                _("%(compound)s is already in the package %(package)s in this period.")
                % {"compound": clash.compound, "package": clash.package},
                code="overlap",
            )


class CommitteeQuerySet(CompoundScopedQuerySet):
    def current(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(term_start__lte=on, term_end__gte=on)

    def terms_ending_within(self, days: int = 90, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(term_end__gte=on, term_end__lte=on + timedelta(days=days))


class Committee(models.Model):
    """An owners' committee (业委会) or self-management committee (自管会)."""

    class Kind(models.TextChoices):
        OWNERS = "owners", _("owners' committee")
        SELF_MANAGEMENT = "self", _("self-management committee")

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="committees",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    established = models.DateField(_("established"))
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    has_party_organisation = models.BooleanField(
        _("has a party organisation"), default=False
    )
    is_benchmark = models.BooleanField(
        _("benchmark"),
        default=False,
        help_text=_("A model the surrounding compounds follow."),
    )
    modelled_on = models.ForeignKey(
        "self",
        verbose_name=_("modelled on"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followers",
        limit_choices_to={"is_benchmark": True},
    )
    # The day the staff were last told the term is ending, claimed before
    # they are told: a second run on the same day tells nobody again.
    term_reminded_on = models.DateField(
        _("term reminder sent on"), null=True, blank=True, editable=False
    )

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("owners' and self-management committees")
        ordering = ["compound__name", "-term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")),
                name="committee_term_end_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            lock_compound(self.compound_id)
            self.validate_no_overlap()
            super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError(
                {"term_end": _("A term cannot end before it starts.")}
            )
        if self.modelled_on_id and self.modelled_on_id == self.pk:
            raise ValidationError(
                {"modelled_on": _("A committee cannot be modelled on itself.")}
            )
        self.validate_no_overlap()

    def validate_no_overlap(self) -> None:
        """Refuse a term that overlaps another committee's term in the compound."""
        if not (self.compound_id and self.term_start and self.term_end):
            return
        clash = (
            Committee.objects.filter(compound_id=self.compound_id)
            .filter(term_start__lte=self.term_end, term_end__gte=self.term_start)
            .exclude(pk=self.pk)
            .first()
        )
        if clash:
            raise ValidationError(
                _(
                    "The term overlaps the term of %(other)s "
                    "(%(start)s – %(end)s) in the same compound."
                )
                % {"other": clash, "start": clash.term_start, "end": clash.term_end},
                code="overlap",
            )

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.term_start <= today <= self.term_end


class CommitteeMemberQuerySet(ScopedQuerySet):
    scope_through = "committee__compound"
    scope_ancestors = {"group": "committee__compound__party_group"}
    scope_compound = "committee__compound"


class CommitteeMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        VICE_CHAIR = "vice_chair", _("vice chair")
        MEMBER = "member", _("member")
        PARTY_LEADER = "party_leader", _("party leader")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="committee_seats",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "person"], name="committee_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.person}"

    @property
    def is_party_member(self) -> bool:
        return self.person.is_party_member


class BuildingHead(models.Model):
    """楼长: leads residents' self-government of one building."""

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="building_heads",
    )
    building = models.CharField(
        _("building"),
        max_length=50,
        blank=True,
        help_text=_("e.g. building 3; blank for the whole compound"),
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = CompoundScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("building head")
        verbose_name_plural = _("building heads")
        ordering = ["compound__name", "building"]

    def __str__(self) -> str:
        return f"{self.compound} {self.building} · {self.person}"


class FacilityQuerySet(ScopedQuerySet):
    # Work outside compounds (e.g. on a lane) hangs under its community only;
    # the rest also under its compound's grid and party group.
    scope_through = ""
    scope_ancestors = {"group": "compound__party_group"}
    scope_compound = "compound"

    def summary(self):
        """Per kind: total count, compounds and communities it reaches."""
        return (
            self.values("kind")
            .annotate(
                total=models.Sum("count"),
                compounds=models.Count("compound", distinct=True),
                communities=models.Count("community", distinct=True),
            )
            .order_by("kind")
        )


class Facility(PlacedInTree):
    """A facility or upgrade: charging piles, sheds, conversions, repairs…"""

    class Kind(models.TextChoices):
        EV_CHARGER = "ev_charger", _("e-bike charging pile group")
        BIKE_SHED = "bike_shed", _("bike shed")
        CLOTHES_RACK = "clothes_rack", _("public clothes rack")
        PARKING = "parking", _("parking spaces")
        FITNESS = "fitness", _("fitness equipment")
        ACCESS_CONTROL = "access_control", _("smart access control")
        GAS_PIPELINE = "gas_pipeline", _("LPG-to-pipeline gas conversion")
        RAIN_SEWAGE = "rain_sewage", _("rain-sewage separation")
        PIPE_NETWORK = "pipe_network", _("pipe network")
        ROAD_REPAIR = "road_repair", _("road repair")
        WALL_PAINTING = "wall_painting", _("wall painting")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="facilities",
        null=True,
        blank=True,
        help_text=_(
            "Blank for work outside compounds, e.g. business premises on a lane."
        ),
    )
    # The place comes from the compound; work outside compounds names its
    # community, and has no grid.
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="facilities",
        limit_choices_to={"kind": OrgUnit.Kind.COMMUNITY},
        blank=True,
    )
    grid = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )
    location = models.CharField(_("location"), max_length=100, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility or upgrade")
        verbose_name_plural = _("facilities and upgrades")
        ordering = ["kind", "community", "compound__name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.count}"

    def clean(self) -> None:
        if not self.compound_id and not self.community_id:
            raise ValidationError(
                _("Give the compound, or the community for work outside one.")
            )
        if self.compound_id:
            self.copy_place()
        elif self.community.kind != OrgUnit.Kind.COMMUNITY:
            raise ValidationError({"community": _("Choose a community.")})
        if not self.compound_id and not self.location:
            raise ValidationError({"location": _("Say where, e.g. the lane's name.")})

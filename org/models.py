"""Who governs: the four-tier organisation tree, people, posts and logins.

The tree is street property office → community environment & property
committee → grid party branch → building-compound party group. Every
django-mptt call of the project stays in this app (see `OrgUnitQuerySet`).
"""

import re
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from .place import resync_places
from .private_files import PrivateJobStorage
from .scope import (
    Scope,
    ScopedQuerySet,
    company_people_q,
    company_scope,
    subtree_q,
)
from .scope_cache import cached_scope


class OrgUnitQuerySet(TreeQuerySet, ScopedQuerySet):
    scope_unit = ""

    def streets(self):
        return self.filter(kind=OrgUnit.Kind.STREET)

    def communities(self):
        return self.filter(kind=OrgUnit.Kind.COMMUNITY)

    def grids(self):
        return self.filter(kind=OrgUnit.Kind.GRID)

    def groups(self):
        return self.filter(kind=OrgUnit.Kind.GROUP)

    def subtree_of(self, *units: "OrgUnit"):
        """The units themselves and everything below them."""
        return self.filter(subtree_q("", units))

    def ancestors_of(self, unit: "OrgUnit", include_self: bool = True):
        return unit.get_ancestors(include_self=include_self)

    def in_tree_order(self):
        """Each unit before its children, depth first, as the tree is drawn."""
        return self.order_by("tree_id", "lft")


class OrgUnit(MPTTModel):
    class Kind(models.TextChoices):
        STREET = "street", _("Street property office")
        COMMUNITY = "community", _("Community environment & property committee")
        GRID = "grid", _("Grid party branch")
        GROUP = "group", _("Building-compound party group")

    # The one allowed parent kind of each kind; the street is a root.
    PARENT_KIND = {
        Kind.STREET: None,
        Kind.COMMUNITY: Kind.STREET,
        Kind.GRID: Kind.COMMUNITY,
        Kind.GROUP: Kind.GRID,
    }
    # Digits of the statistical code at each level: county 6 + street 3 +
    # community 3 + grid 3. A party group has no statistical code of its own.
    CODE_LENGTH = {Kind.STREET: 9, Kind.COMMUNITY: 12, Kind.GRID: 15}

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(
        _("code"),
        max_length=18,
        blank=True,
        help_text=_(
            "Statistical division code: 9 digits for a street, 12 for a "
            "community, 15 for a grid (county 6 + street 3 + community 3 + "
            "grid 3)."
        ),
    )
    code_is_synthetic = models.BooleanField(
        _("code is synthetic"),
        default=False,
        help_text=_("The code was assigned locally, not by the statistics bureau."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    established = models.DateField(_("established"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class MPTTMeta:
        order_insertion_by = ["code", "name"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="orgunit_code_unique",
                violation_error_message=_("Another unit already has this code."),
            ),
            models.UniqueConstraint(
                fields=["parent", "name"], name="orgunit_name_unique_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.validate_tree_rules()

    def validate_tree_rules(self) -> None:
        """Refuse a unit placed under the wrong kind or carrying a bad code."""
        expected = self.PARENT_KIND.get(self.kind)
        if self.kind not in self.PARENT_KIND:
            raise ValidationError({"kind": _("Unknown kind of unit.")})
        if expected is None and self.parent_id is not None:
            raise ValidationError(
                {"parent": _("A street property office is the top of its tree.")}
            )
        if expected is not None:
            if self.parent is None:
                raise ValidationError(
                    {
                        "parent": _("A %(kind)s must sit under a %(parent)s.")
                        % {
                            "kind": self.get_kind_display(),
                            "parent": self.Kind(expected).label,
                        }
                    }
                )
            if self.parent.kind != expected:
                raise ValidationError(
                    {
                        "parent": _(
                            "A %(kind)s must sit directly under a %(parent)s, "
                            "not under a %(actual)s."
                        )
                        % {
                            "kind": self.get_kind_display(),
                            "parent": self.Kind(expected).label,
                            "actual": self.parent.get_kind_display(),
                        }
                    }
                )
        if self.pk:
            child_kind = next(
                (k for k, p in self.PARENT_KIND.items() if p == self.kind), None
            )
            if self.children.exclude(kind=child_kind).exists():
                raise ValidationError(
                    {"kind": _("The units below this one do not fit under this kind.")}
                )
            if self.parent_id and self.parent.is_descendant_of(self, include_self=True):
                raise ValidationError(
                    {"parent": _("A unit cannot be moved under itself.")}
                )
        self.validate_code()

    def validate_code(self) -> None:
        if not self.code:
            return
        length = self.CODE_LENGTH.get(self.kind)
        if length is None:
            if not re.fullmatch(r"\d{1,18}", self.code):
                raise ValidationError({"code": _("A code has digits only.")})
            return
        if not re.fullmatch(rf"\d{{{length}}}", self.code):
            raise ValidationError(
                {
                    "code": _("The code of a %(kind)s has exactly %(n)d digits.")
                    % {"kind": self.get_kind_display(), "n": length}
                }
            )
        parent_code = self.parent.code if self.parent_id else ""
        if parent_code and not self.code.startswith(parent_code):
            raise ValidationError(
                {
                    "code": _("The code must begin with the parent's code %(code)s.")
                    % {"code": parent_code}
                }
            )

    def save(self, *args, **kwargs) -> None:
        # Enforced here too, so no path (shell, command, API) can store a
        # misplaced unit.
        self.validate_tree_rules()
        moved = False
        if self.pk:
            old_parent = (
                OrgUnit.objects.filter(pk=self.pk)
                .values_list("parent_id", flat=True)
                .first()
            )
            moved = old_parent != self.parent_id
        with transaction.atomic():
            super().save(*args, **kwargs)
            if moved:
                # Every placed row under the unit (compounds, concerns,
                # meetings…) takes its new ancestors with the move.
                resync_places(self)

    # Questions about the tree, answered here so callers never touch MPTT.
    def ancestor_of_kind(self, kind: str) -> "OrgUnit | None":
        if self.kind == kind:
            return self
        return self.get_ancestors().filter(kind=kind).first()

    @property
    def street(self) -> "OrgUnit":
        return self.get_root()

    @property
    def level_label(self) -> str:
        return self.get_kind_display()

    def subtree(self):
        return OrgUnit.objects.subtree_of(self)

    def contains(self, other: "OrgUnit") -> bool:
        return other.is_descendant_of(self, include_self=True)

    def active_posts(self, on: date | None = None):
        return self.posts.active(on)

    @property
    def secretary(self) -> "Person | None":
        post = self.active_posts().filter(role=Post.Role.SECRETARY).first()
        return post.person if post else None


class PersonQuerySet(ScopedQuerySet):
    scope_unit = "unit"

    def scope_q(self, scope: Scope) -> Q:
        # Company staff also see their own company's people, so that they
        # can add and remove their staff (and see no one else).
        return super().scope_q(scope) | company_people_q(scope.company_ids)


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "m", _("male")
        FEMALE = "f", _("female")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    work_unit = models.CharField(
        _("work unit"),
        max_length=100,
        blank=True,
        help_text=_("The organisation the person comes from, e.g. a company."),
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("registered with"),
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_("The unit that keeps this person's record."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PostQuerySet(ScopedQuerySet):
    scope_unit = "unit"

    def active(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on) | Q(start__isnull=True)).filter(
            Q(end__gte=on) | Q(end__isnull=True)
        )


class Post(models.Model):
    class Role(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
        COMMITTEE_MEMBER = "committee_member", _("committee member")
        FULL_TIME_STAFF = "full_time_staff", _("full-time staff")
        GRID_WORKER = "grid_worker", _("grid worker")
        INSPECTOR = "inspector", _("inspector (cadre)")
        RESIDENT_REPRESENTATIVE = (
            "resident_representative",
            _("resident representative"),
        )
        BUILDING_HEAD = "building_head", _("building head")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="posts"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["unit__tree_id", "unit__lft", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="post_end_after_start",
                violation_error_message=_("A post cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.unit} · {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (self.start is None or self.start <= today) and (
            self.end is None or self.end >= today
        )


class UserQuerySet(ScopedQuerySet):
    scope_unit = "person__unit"


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A staff login. What it may see comes from its person's posts."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
    )

    # Set when someone else chose the password (a new login, a reset): the
    # holder must choose their own before anything else
    # (org.middleware.PasswordChangeRequired).
    must_change_password = models.BooleanField(
        _("must change the password at the next sign-in"), default=False
    )

    objects = ScopedUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def set_password(self, raw_password) -> None:
        # The holder's own choice; services that set a password for someone
        # else raise the flag again afterwards (`given_password`).
        super().set_password(raw_password)
        self.must_change_password = False

    def given_password(self, raw_password) -> None:
        """Set a password someone else chose: changed at the next sign-in."""
        super().set_password(raw_password)
        self.must_change_password = True

    @cached_property
    def scope(self) -> Scope:
        """What this user may see (see `org.scope`), once per user object.

        Computed on first use, or read from the cache (`cached_scope`); a
        post that starts or ends shows from the next request.
        """
        if not self.is_active:
            return Scope()
        if self.is_superuser:
            return Scope(everything=True)
        if self.person_id is None:
            return Scope()
        key = f"{self.pk}:{self.person_id}:{timezone.localdate().isoformat()}"
        return cached_scope(key, self._compute_scope)

    def _compute_scope(self) -> Scope:
        post_roles = frozenset(
            Post.objects.active()
            .filter(person_id=self.person_id)
            .values_list("unit_id", "role")
        )
        company_ids, compound_ids = company_scope(self.person_id)
        return Scope(
            units=tuple(
                OrgUnit.objects.filter(pk__in={unit for unit, _role in post_roles})
            ),
            company_ids=company_ids,
            compound_ids=compound_ids,
            post_roles=post_roles,
        )


# The red-property alliance, liaison departments, deliberation groups and
# the social organisations of 三社联动.


class StreetScopedQuerySet(ScopedQuerySet):
    scope_unit = "street"


class Alliance(models.Model):
    """The street's red-property party-building alliance (红色物业党建联盟)."""

    street = models.OneToOneField(
        OrgUnit,
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="alliance",
        limit_choices_to={"kind": OrgUnit.Kind.STREET},
    )
    name = models.CharField(_("name"), max_length=100)
    founded = models.DateField(_("founded"), null=True, blank=True)
    charter = models.TextField(_("charter"), blank=True)

    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("red-property alliance")
        verbose_name_plural = _("red-property alliances")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.street_id and self.street.kind != OrgUnit.Kind.STREET:
            raise ValidationError({"street": _("Choose a street property office.")})


class AllianceMemberQuerySet(ScopedQuerySet):
    scope_unit = "alliance__street"


class AllianceMember(models.Model):
    class Kind(models.TextChoices):
        PARTY_ORG = "party_org", _("party organisation")
        COMPANY = "company", _("property company")
        GOVERNMENT = "government", _("government department")
        SOCIAL_ORG = "social_org", _("social organisation")
        OTHER = "other", _("other")

    alliance = models.ForeignKey(
        Alliance,
        verbose_name=_("alliance"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    organisation = models.CharField(_("member organisation"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    representative = models.ForeignKey(
        Person,
        verbose_name=_("representative"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    joined = models.DateField(_("joined"), null=True, blank=True)

    objects = AllianceMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")
        ordering = ["alliance", "kind", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"], name="alliance_member_unique"
            )
        ]

    def __str__(self) -> str:
        return self.organisation


class LiaisonDepartment(models.Model):
    """A department that sinks its strength into the communities."""

    class Kind(models.TextChoices):
        POLICE = "police", _("police station")
        MARKET = "market", _("market regulation")
        SAFETY = "safety", _("safety supervision")
        OTHER = "other", _("other department")

    street = models.ForeignKey(
        OrgUnit,
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="liaison_departments",
        limit_choices_to={"kind": OrgUnit.Kind.STREET},
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = StreetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison department")
        verbose_name_plural = _("liaison departments")
        ordering = ["street", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"], name="liaison_dept_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CommunityScopedQuerySet(ScopedQuerySet):
    scope_unit = "community"


class LiaisonContact(models.Model):
    """Who in a department answers for one community (e.g. the beat officer)."""

    department = models.ForeignKey(
        LiaisonDepartment,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="liaison_contacts",
        limit_choices_to={"kind": OrgUnit.Kind.COMMUNITY},
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("contact person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=50, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison contact")
        verbose_name_plural = _("liaison contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "community", "person"],
                name="liaison_contact_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.community} · {self.person}"

    def clean(self) -> None:
        if self.community_id and self.community.kind != OrgUnit.Kind.COMMUNITY:
            raise ValidationError({"community": _("Choose a community.")})


class DeliberationGroup(models.Model):
    """议事小组: the community with its liaison departments, deliberating."""

    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="deliberation_groups",
        limit_choices_to={"kind": OrgUnit.Kind.COMMUNITY},
    )
    name = models.CharField(_("name"), max_length=100)
    founded = models.DateField(_("founded"), null=True, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deliberation group")
        verbose_name_plural = _("deliberation groups")
        ordering = ["community", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.community_id and self.community.kind != OrgUnit.Kind.COMMUNITY:
            raise ValidationError({"community": _("Choose a community.")})


class DeliberationMemberQuerySet(ScopedQuerySet):
    scope_unit = "group__community"


class DeliberationMember(models.Model):
    group = models.ForeignKey(
        DeliberationGroup,
        verbose_name=_("deliberation group"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        LiaisonDepartment,
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliberation_seats",
    )
    role = models.CharField(_("role in the group"), max_length=50, blank=True)

    objects = DeliberationMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("deliberation group member")
        verbose_name_plural = _("deliberation group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"], name="deliberation_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.person}"


class LinkagePartner(models.Model):
    """三社联动: social organisations, social workers and volunteers."""

    class Kind(models.TextChoices):
        SOCIAL_ORG = "social_org", _("social organisation")
        SOCIAL_WORKER = "social_worker", _("social worker")
        VOLUNTEER = "volunteer", _("volunteer")

    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="linkage_partners",
        limit_choices_to={"kind": OrgUnit.Kind.COMMUNITY},
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    person = models.ForeignKey(
        Person,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    services = models.CharField(_("services offered"), max_length=200, blank=True)
    founded = models.DateField(_("founded / joined"), null=True, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("linkage partner")
        verbose_name_plural = _("linkage partners (三社联动)")
        ordering = ["community", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "name"], name="linkage_partner_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.community_id and self.community.kind != OrgUnit.Kind.COMMUNITY:
            raise ValidationError({"community": _("Choose a community.")})


class CrossAppointmentQuerySet(PostQuerySet):
    scope_unit = "branch"


class CrossAppointment(models.Model):
    """交叉任职: a committee seat on a grid party branch held from outside.

    The party leaders of the serving property company, of the community and
    of the owners' committee sit as committee members of the grid branch.
    """

    class Seat(models.TextChoices):
        COMPANY = "company", _("property company party leader")
        COMMUNITY = "community", _("community party leader")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee party leader")

    branch = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid party branch"),
        on_delete=models.PROTECT,
        related_name="cross_appointments",
        limit_choices_to={"kind": OrgUnit.Kind.GRID},
    )
    seat = models.CharField(_("seat"), max_length=20, choices=Seat.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="cross_appointments",
    )
    source_organisation = models.CharField(
        _("comes from"),
        max_length=100,
        help_text=_(
            "The company, community or owners' committee the person represents."
        ),
    )
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    # The day the staff were told the seat fell empty when this holder left,
    # claimed before they are told, so they are told once.
    vacancy_reminded_on = models.DateField(
        _("vacancy reminder sent on"), null=True, blank=True, editable=False
    )

    objects = CrossAppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("cross-appointment")
        verbose_name_plural = _("cross-appointments")
        ordering = ["branch__tree_id", "branch__lft", "seat"]

    def __str__(self) -> str:
        return f"{self.branch} · {self.get_seat_display()} · {self.person}"

    def clean(self) -> None:
        if self.branch_id and self.branch.kind != OrgUnit.Kind.GRID:
            raise ValidationError({"branch": _("Choose a grid party branch.")})
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("A seat cannot end before it starts.")})
        if self.branch_id and self.seat:
            holders = CrossAppointment.objects.filter(
                branch_id=self.branch_id, seat=self.seat
            ).exclude(pk=self.pk)
            if self.end:
                holders = holders.filter(Q(start__isnull=True) | Q(start__lte=self.end))
            if self.start:
                holders = holders.filter(Q(end__isnull=True) | Q(end__gte=self.start))
            if holders.exists():
                raise ValidationError(
                    _("Someone else holds this seat of the branch in this period.")
                )


class AuditEventQuerySet(ScopedQuerySet):
    # The street office reads the events of its street; events with no
    # street (a failed sign-in with an unknown name) only the superuser.
    scope_unit = "street"

    def update(self, **kwargs):
        raise ValidationError(_("Audit events cannot be changed."))

    def delete(self):
        raise ValidationError(_("Audit events cannot be deleted."))

    def purge_older_than(self, days: int) -> int:
        """Delete events older than `days` days (the retention); the count."""
        cutoff = timezone.now() - timedelta(days=days)
        # The only way rows leave the trail: the retention sweep.
        old = models.QuerySet(self.model, using=self.db).filter(at__lt=cutoff)
        return old.delete()[0]


class AuditEvent(models.Model):
    """One entry of the security audit trail (安全审计): append-only."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("signed in")
        SIGN_OUT = "sign_out", _("signed out")
        SIGN_IN_FAILED = "sign_in_failed", _("failed sign-in")
        REVEAL_PHONE = "reveal_phone", _("viewed a resident's phone number")
        SECOND_FACTOR_ENROLLED = "2fa_enrolled", _("enrolled an authenticator")
        SECOND_FACTOR_FAILED = "2fa_failed", _("wrong second-factor code")
        SECOND_FACTOR_RESET = "2fa_reset", _("reset a login's second factor")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        LEDGER_IMPORT = "ledger_import", _("imported a ledger workbook")
        LEDGER_UPDATE = "ledger_update", _("updated a record from a ledger workbook")
        ERASE_RESIDENT_DATA = "erase_resident_data", _("erased residents' data")
        EXPORT_RESIDENT_DATA = "export_resident_data", _("exported a resident's data")
        EXPORT = "export", _("exported a ledger")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "org.User",
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as typed, so the trail still says who after a login is gone.
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    # {field: [old, new]} of a create, change or delete (org.change_audit).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    street = models.ForeignKey(
        OrgUnit,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit events cannot be deleted."))

    def changes_text(self) -> str:
        """The changes as people read them: 姓名：旧 → 新；…"""
        model = self._object_model()
        labels = (
            {field.name: str(field.verbose_name) for field in model._meta.fields}
            if model is not None
            else {}
        )
        parts = []
        for name, (old, new) in (self.changes or {}).items():
            before = "-" if old in (None, "") else old
            after = "-" if new in (None, "") else new
            parts.append(f"{labels.get(name, name)}：{before} → {after}")
        return "；".join(parts)

    def _object_model(self):
        if not self.object_type:
            return None
        try:
            return apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return None

    @property
    def object_label(self) -> str:
        """The object's kind as people call it (诉求), else its model label."""
        if not self.object_type:
            return ""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return self.object_type
        return str(model._meta.verbose_name)


# Ledger jobs: imports and large exports that run on Celery.


class LedgerJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs `user` started, and for street-office staff those of
        their street; the superuser sees all."""
        if user is None or not user.is_authenticated:
            return self.none()
        scope = user.scope
        if scope.everything:
            return self
        streets = [unit.pk for unit in scope.staff_units if unit.kind == "street"]
        return self.filter(Q(user=user) | Q(street_id__in=streets))

    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())

    def ready_downloads_for(self, user):
        """The user's own finished exports whose file is still kept."""
        return self.filter(
            user=user,
            kind=LedgerJob.Kind.EXPORT,
            state=LedgerJob.State.DONE,
            expires_at__gt=timezone.now(),
        ).exclude(result="")


class LedgerJob(models.Model):
    """An import or a large export of a ledger, run by a Celery worker.

    The uploaded workbook and the exported file live in private storage
    (`LEDGER_JOB_DIR`, never served); both go with the job when it expires
    (`expires_at`, LEDGER_JOB_HOURS after it was started) by the beat task
    `purge_ledger_jobs_task`. While a job runs, its progress is kept in the
    cache (`org.jobs`), readable by the page from another process even
    when the import runs inside a transaction; the row holds the figures
    at the start and the end.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The import ledger's slug or the export ledger's name.
    ledger = models.CharField(_("ledger"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    user = models.ForeignKey(
        "org.User",
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="ledger_jobs",
    )
    street = models.ForeignKey(
        OrgUnit,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.QUEUED
    )
    # An import job first checks (the dry run); once confirmed it imports.
    confirmed = models.BooleanField(_("confirmed"), default=False)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    upload = models.FileField(
        _("uploaded workbook"),
        storage=PrivateJobStorage(),
        upload_to="uploads/",
        blank=True,
        max_length=300,
    )
    result = models.FileField(
        _("result file"),
        storage=PrivateJobStorage(),
        upload_to="results/",
        blank=True,
        max_length=300,
    )
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    # An export's rows: the pickled query of the scoped list, signed with
    # the secret key so that only the portal's own queries are loaded.
    query = models.BinaryField(_("query"), null=True, blank=True, editable=False)
    # An import's report (counts, the first problems and changes).
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    objects = LedgerJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger job")
        verbose_name_plural = _("ledger jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title or self.ledger} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        if self.kind == self.Kind.IMPORT:
            return reverse("compounds:ledger-job", args=[self.ledger, self.pk])
        return reverse("ledger-job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def rows_done_text(self) -> str:
        # Grouped by thousands, as the Excel sheets show their counts.
        return f"{self.rows_done:,}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def delete_files(self) -> None:
        for file in (self.upload, self.result):
            if file:
                file.delete(save=False)

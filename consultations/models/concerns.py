"""Residents' concerns (居民说事): categories, the concern, its events,
photos, holds on closing and the notification outbox."""

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.phones import format_phone, mask_phone
from common.uploads import PolicyImageField, RandomUploadPath, signed_media_url
from consultations.workflow import ACTION_CHOICES, Status
from org.place import PlacedInTree, optional_grid, recent_in_place
from org.scope import ScopedQuerySet

from ..deadlines import add_working_days

__all__ = [
    "Concern",
    "ConcernCategory",
    "ConcernEvent",
    "ConcernHold",
    "ConcernPhoto",
    "ConcernQuerySet",
    "Notification",
    "new_tracking_code",
]

# Letters and digits a resident can read out over the phone without
# confusion: no 0/O, 1/I/L.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12  # 31**12 ≈ 2**59: not guessable


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(text: str) -> str:
    """What a resident typed (spaces, dashes, lower case) → the stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:32]


class ConcernCategory(models.Model):
    class Handler(models.TextChoices):
        COMPANY = "company", _("serving property company")
        COMMUNITY = "community", _("community")
        GRID = "grid", _("grid")
        LIAISON = "liaison", _("liaison department")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    default_handler = models.CharField(
        _("default handler"),
        max_length=16,
        choices=Handler.choices,
        default=Handler.COMPANY,
    )
    sla_hours = models.PositiveIntegerField(
        _("time limit (hours)"), null=True, blank=True
    )
    sla_working_days = models.PositiveIntegerField(
        _("time limit (working days)"), null=True, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("concern category")
        verbose_name_plural = _("concern categories")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sla_hours__isnull=True) | Q(sla_working_days__isnull=True),
                name="category_one_time_limit",
                violation_error_message=_(
                    "Give the time limit in hours or in working days, not both."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        lang = get_language() or ""
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name


RATING_SALT = "consultations.rating-link"


# The columns a list row shows (for_list_page); the handlers by name only.
LIST_COLUMNS = (
    "tracking_code",
    "status",
    "source",
    "category_id",
    "compound__name",
    "place",
    "description",
    "is_hidden",
    "created_at",
    "due_at",
    "handler_company__name",
    "handler_unit__name",
    "handler_department__name",
)


class ConcernQuerySet(ScopedQuerySet):
    scope_through = ""
    scope_compound = "compound"
    scope_company = "handler_company"
    # Names, phones: staff posts and the company it is dispatched to.
    holds_residents_data = True

    def open(self):
        return self.filter(status__in=Concern.OPEN_STATUSES)

    def overdue(self, now=None):
        """Open concerns past their deadline (red)."""
        now = now or timezone.now()
        return self.open().filter(due_at__lt=now)

    def due_soon(self, now=None):
        """Open concerns due within one working day (yellow)."""
        now = now or timezone.now()
        cutoff = add_working_days(now, 1).moment
        return self.open().filter(due_at__gte=now, due_at__lte=cutoff)

    def due_on(self, day):
        """Open concerns whose deadline falls on the local `day`."""
        return self.open().filter(due_at__date=day)

    def public(self):
        return self.exclude(status=Concern.Status.MERGED)

    def on_open311(self):
        """What Open311 publishes: public, and marked for it."""
        return self.public().filter(is_public_on_open311=True)

    def needing_compound(self):
        """Reported as not in the list; staff still have to assign one."""
        return self.filter(compound__isnull=True)

    def for_rating_token(self, token: str):
        """The concern a rating link is for, while the link is unused."""
        try:
            value = signing.Signer(salt=RATING_SALT).unsign(token)
            pk, _sep, round_ = value.partition(".")
            pk, round_ = int(pk), int(round_)
        except (signing.BadSignature, ValueError):
            return self.none()
        return self.filter(pk=pk, rating_round=round_)

    def for_company(self, company_ids):
        return self.filter(handler_company_id__in=company_ids)

    def with_list_columns(self):
        return self.select_related(
            "compound",
            "category",
            "handler_company",
            "handler_unit",
            "handler_department",
        )

    def for_list_page(self):
        """Only what a list row shows: its own columns and the names it joins.

        A list page's 50 rows then carry a dozen columns, not the concern's
        forty and each joined table's; the category comes from the page's
        own category list (`Concern.prepare_rows`), so it needs no join.
        """
        return self.select_related(
            "compound", "handler_company", "handler_unit", "handler_department"
        ).only(*LIST_COLUMNS)

    def in_unit(self, unit):
        """Concerns under `unit`, through the indexed ancestor columns."""
        if unit.kind in ("street", "community", "grid"):
            return self.filter(**{f"{unit.kind}_id": unit.pk})
        return self.filter(compound__party_group=unit)

    def rates(self, group_field: str):
        """三率 per `group_field` and month of submission.

        response: signed for within a working day of dispatch / dispatched;
        resolution: the resident says it is solved / residents asked;
        satisfaction: satisfied or basically satisfied / rated.
        """
        R = Concern.Rating
        return (
            self.annotate(month=TruncMonth("created_at"))
            .values(group_field, "month")
            .annotate(
                total=Count("pk"),
                dispatched=Count("pk", filter=Q(dispatched_at__isnull=False)),
                signed_on_time=Count(
                    "pk",
                    filter=Q(
                        dispatched_at__isnull=False,
                        signed_at__isnull=False,
                        signed_at__lte=F("sign_due_at"),
                    ),
                ),
                asked=Count("pk", filter=Q(is_resolved__isnull=False)),
                resolved=Count("pk", filter=Q(is_resolved=True)),
                rated=Count("pk", filter=~Q(rating="")),
                satisfied=Count("pk", filter=Q(rating__in=[R.SATISFIED, R.BASIC])),
            )
            .order_by("-month", group_field)
        )


class Concern(PlacedInTree):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("consultation")
        HELP = "help", _("request for help")
        COMPLAINT = "complaint", _("complaint")
        REPORT = "report", _("report")
        SUGGESTION = "suggestion", _("suggestion")
        PRAISE = "praise", _("praise")

    class Source(models.TextChoices):
        WEB = "web", _("web form")
        PHONE = "phone", _("phone call")
        WALK_IN = "walk_in", _("walk-in")
        DOOR_KNOCK = "door_knock", _("door-knock visit (敲门行动)")
        TEA_TABLE = "tea_table", _("tea table (流动茶桌)")
        HOTLINE_12345 = "hotline_12345", _("12345 hotline")
        VISIT_DAY = "visit_day", _("visit day")
        OPEN311 = "open311", _("Open311")
        STAFF = "staff", _("staff")

    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", _("emergency")
        URGENT = "urgent", _("urgent")
        NORMAL = "normal", _("normal")

    # The states and their transitions are the workflow's (workflow.py).
    Status = Status

    # The residents' own channels: what comes in through them is published
    # on Open311 unless staff unmark it; staff-entered concerns are not
    # unless staff mark them.
    SELF_SERVICE_SOURCES = (Source.WEB, Source.OPEN311)

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASIC = "basic", _("basically satisfied")
        DISSATISFIED = "dissatisfied", _("dissatisfied")

    class AlertLevel(models.TextChoices):
        NONE = "", _("on time")
        YELLOW = "yellow", _("due within a working day")
        RED = "red", _("overdue")

    # Still needing work from someone; the deadline sweep looks at these.
    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.REOPENED,
        Status.ESCALATED,
    )
    DONE_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)

    tracking_code = models.CharField(
        _("tracking code"),
        max_length=16,
        unique=True,
        default=new_tracking_code,
        editable=False,
    )
    # Empty while the resident's compound was not in the list: the concern
    # then sits in the community the resident chose (no grid), with the
    # place as typed in `place`, until staff assign the compound
    # (services.assign_compound).
    compound = models.ForeignKey(
        "compounds.Compound",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="concerns",
        null=True,
        blank=True,
    )
    grid = optional_grid()
    place = models.CharField(
        _("place as reported"),
        max_length=100,
        blank=True,
        help_text=_("What the resident typed when the compound was not in the list."),
    )
    category = models.ForeignKey(
        ConcernCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.CONSULTATION
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.WEB
    )
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("description"))
    is_hidden = models.BooleanField(_("description hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    # Open311 publishes a concern only when this is set: submit_concern sets
    # it for the residents' own channels (web form, Open311), staff may set
    # it in the admin for a concern they took in.
    is_public_on_open311 = models.BooleanField(
        _("published on Open311"),
        default=False,
        help_text=_(
            "Whether partner platforms may read this concern (its public text, "
            "compound and submitted photos; never the contact details)."
        ),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.SUBMITTED,
    )
    handler_company = models.ForeignKey(
        "compounds.PropertyCompany",
        verbose_name=_("handling company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    handler_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_concerns",
    )
    handler_department = models.ForeignKey(
        "org.LiaisonDepartment",
        verbose_name=_("handling department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    response = models.TextField(_("answer"), blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    due_on_fallback_calendar = models.BooleanField(
        _("deadline counted without the official calendar"),
        default=False,
        help_text=_(
            "The official calendar does not cover the deadline's year: "
            "Monday to Friday plus the overrides were counted."
        ),
    )
    sign_due_at = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    extended = models.BooleanField(_("extended"), default=False)
    # An extension asked for by the handler and not yet granted or declined
    # by the dispatcher; the deadline moves only when it is granted.
    extension_days_requested = models.PositiveSmallIntegerField(
        _("extension asked for (working days)"), null=True, blank=True
    )
    extension_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extension asked for by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    rating = models.CharField(
        _("rating"), max_length=16, choices=Rating.choices, blank=True
    )
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    is_resolved = models.BooleanField(
        _("resolved (resident says)"), null=True, blank=True
    )
    # Counts the ratings given; a rating link names the round it is for, so
    # it works once (see `rating_token`).
    rating_round = models.PositiveSmallIntegerField(
        _("ratings given"), default=0, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_concerns",
    )
    partner = models.CharField(_("partner"), max_length=100, blank=True)
    # What the street reports the issue under (themes.py); set by staff.
    themes = models.ManyToManyField(
        "consultations.Theme",
        verbose_name=_("themes"),
        blank=True,
        related_name="concerns",
    )
    submission_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The deadline the handler was last reminded of the day before: an
    # extended or reopened concern (a new deadline) is reminded again.
    due_reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created_at", "-id"]
        indexes = [
            *recent_in_place("concern"),
            models.Index(
                fields=["handler_company", "-created_at", "-id"],
                name="concern_company_recent",
            ),
            models.Index(fields=["status", "due_at"], name="concern_status_due"),
            models.Index(
                fields=["community", "-created_at"],
                condition=Q(compound__isnull=True),
                name="concern_needs_compound",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(compound__isnull=False) | ~Q(place=""),
                name="concern_compound_or_place",
                violation_error_message=_("Choose the compound, or say where it is."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.formatted_code} · {self.category}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:track", args=[self.tracking_code])

    @property
    def formatted_code(self) -> str:
        """The code in groups of four, as read out over the phone."""
        code = self.tracking_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def formatted_phone(self) -> str:
        """The resident's number as staff dial it (`138 0013 8000`)."""
        return format_phone(self.phone)

    @property
    def masked_phone(self) -> str:
        """The number as staff see it before revealing it (`138****8000`)."""
        return mask_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())

    @property
    def alert_level(self) -> str:
        """'red' when overdue, 'yellow' within a working day of it, else ''."""
        now = timezone.now()
        return self.alert_level_at(now, add_working_days(now, 1).moment)

    @classmethod
    def prepare_rows(cls, rows: list["Concern"], categories=()) -> None:
        """Set each row's flag, status and source labels, and category.

        The labels are resolved once per page in the active language, not
        once a row through `get_status_display` (a gettext call each); the
        deadline flag takes one calendar look-up for the page. A row whose
        category is not among `categories` keeps its own (a query).
        """
        now = timezone.now()
        yellow_from = add_working_days(now, 1).moment
        statuses = {value: str(label) for value, label in cls.Status.choices}
        sources = {value: str(label) for value, label in cls.Source.choices}
        by_id = {category.pk: category for category in categories}
        for row in rows:
            row.flag = row.alert_level_at(now, yellow_from)
            row.status_label = statuses.get(row.status, row.status)
            row.source_label = sources.get(row.source, row.source)
            if row.category_id in by_id:
                row.category = by_id[row.category_id]

    def alert_level_at(self, now, yellow_from) -> str:
        """The flag at `now`, given the end of the next working day.

        Lists compute `yellow_from` once per page instead of per row.
        """
        if not self.is_open or not self.due_at:
            return self.AlertLevel.NONE
        if self.due_at < now:
            return self.AlertLevel.RED
        if self.due_at <= yellow_from:
            return self.AlertLevel.YELLOW
        return self.AlertLevel.NONE

    @property
    def needs_compound(self) -> bool:
        """Reported as not in the list, and no compound assigned yet."""
        return self.compound_id is None

    @property
    def place_display(self) -> str:
        """The compound's name, or the place the resident typed."""
        if self.compound_id is not None:
            return self.compound.name
        return _("%(place)s (not in the list)") % {"place": self.place}

    @property
    def handler_display(self) -> str:
        handler = self.handler_company or self.handler_unit or self.handler_department
        return str(handler) if handler else ""

    @property
    def has_handler(self) -> bool:
        return bool(
            self.handler_company_id
            or self.handler_unit_id
            or self.handler_department_id
        )

    @property
    def extension_requested(self) -> bool:
        return self.extension_days_requested is not None

    @property
    def can_be_rated(self) -> bool:
        # Rating moves it on, so one rating per answer.
        return self.status == self.Status.RESPONDED

    @property
    def rating_token(self) -> str:
        """The resident's one-time rating link's token for this round.

        Signed with the secret key, so it cannot be made from the tracking
        code (which staff and the company read); it names the round, so a
        rating used it up.
        """
        return signing.Signer(salt=RATING_SALT).sign(f"{self.pk}.{self.rating_round}")

    def get_rating_url(self) -> str:
        return reverse("consultations:rate", args=[self.rating_token])

    @property
    def public_description(self) -> str:
        return "" if self.is_hidden else self.description


class ConcernChildQuerySet(ScopedQuerySet):
    """Rows hanging off a concern see what their concern sees."""

    scope_through = "concern"
    scope_compound = "concern__compound"
    scope_company = "concern__handler_company"
    holds_residents_data = True


class ConcernEventQuerySet(ConcernChildQuerySet):
    # Events carry their concern's place (PlacedInTree): a subtree's events
    # are an index range of their own, not a join on every concern.
    scope_through = ""

    def public(self):
        return self.filter(is_public=True)


class ConcernEvent(PlacedInTree):
    """One change of a concern, placed where its concern is.

    The place copies follow the concern: set on save from the concern,
    moved with it by `services.assign_compound` and with the tree by
    `org.place.resync_places`.
    """

    place_from = "concern"

    concern = models.ForeignKey(
        Concern,
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    # Empty while the concern's compound is not known (see Concern.grid).
    grid = optional_grid()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=ACTION_CHOICES)
    from_status = models.CharField(
        _("from"), max_length=16, choices=Concern.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=16, choices=Concern.Status.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = ConcernEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern event")
        verbose_name_plural = _("concern events")
        ordering = ["created_at", "id"]
        indexes = recent_in_place("event")

    def __str__(self) -> str:
        return f"{self.concern_id} · {self.action}"


# Named by the first migrations; the policy field stores under random names.
concern_photo_path = RandomUploadPath("concerns")


class ConcernPhoto(models.Model):
    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("with the concern")
        RESPONSE = "response", _("with the answer")

    concern = models.ForeignKey(
        Concern,
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = PolicyImageField(_("image"), policy="concern_photo")
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.SUBMITTED
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = ConcernChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern photo")
        verbose_name_plural = _("concern photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.image.name

    @property
    def signed_url(self) -> str:
        """A link that shows the photo without a login for a while: for the
        resident's tracking page (jiyang/media.py)."""
        return signed_media_url(self.image.name)


class ConcernHoldQuerySet(ConcernChildQuerySet):
    def open(self):
        return self.filter(released_at__isnull=True)


class ConcernHold(models.Model):
    """Something outside the workflow that keeps a concern from closing.

    Other apps place and release holds through `services.place_hold` and
    `services.release_hold` (a meeting's action item on the concern, for
    example), so the workflow never needs to know what they are.
    """

    concern = models.ForeignKey(
        Concern,
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        related_name="holds",
    )
    reason = models.CharField(_("reason"), max_length=300)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    objects = ConcernHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("hold on closing")
        verbose_name_plural = _("holds on closing")
        ordering = ["placed_at", "id"]
        indexes = [
            models.Index(
                fields=["concern"],
                condition=Q(released_at__isnull=True),
                name="concernhold_open",
            )
        ]

    def __str__(self) -> str:
        return self.reason

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class NotificationQuerySet(ConcernChildQuerySet):
    def unsent(self):
        """Waiting to be sent: neither sent nor given up for good."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)


class Notification(models.Model):
    """An e-mail or SMS waiting in the outbox, written with the change it
    reports."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    channel = models.CharField(
        _("channel"), max_length=5, choices=Channel.choices, default=Channel.EMAIL
    )
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    to_email = models.EmailField(_("to"), blank=True)
    to_phone = models.CharField(_("to phone"), max_length=20, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # An SMS is a template filed with the provider plus its parameters;
    # `body` keeps the text as the phone shows it.
    sms_template = models.CharField(_("SMS template"), max_length=30, blank=True)
    sms_params = models.JSONField(_("SMS parameters"), default=list, blank=True)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Set when the provider refuses for good (an unapproved template):
    # such a row is not retried.
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    # After a failed try the sweep waits until then (doubling each time).
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_unsent",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel="email") & ~Q(to_email=""))
                | (Q(channel="sms") & ~Q(to_phone="") & ~Q(sms_template="")),
                name="notification_has_recipient",
            )
        ]

    def __str__(self) -> str:
        if self.channel == self.Channel.SMS:
            return f"{self.to_phone} · {self.sms_template}"
        return f"{self.to_email} · {self.subject}"

    @property
    def recipient(self) -> str:
        return self.to_phone if self.channel == self.Channel.SMS else self.to_email

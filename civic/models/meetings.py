"""Consultation meetings: tea tables (流动茶桌), joint property meetings
(物业联席会议), owners' assemblies, hearings and the like, with their agenda,
decisions and the action items those decisions put on concerns."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import OrgUnit
from org.place import PlacedInTree
from org.scope import ScopedQuerySet

__all__ = [
    "ActionItem",
    "Meeting",
    "MeetingAgendaItem",
    "MeetingDecision",
]


# A meeting carries copies of its street, community and grid (a meeting of
# a whole community has no grid); its agenda, decisions and action items
# are scoped through it.
class MeetingQuerySet(ScopedQuerySet):
    scope_through = ""
    scope_compound = "compound"

    def planned(self):
        return self.filter(status=Meeting.Status.PLANNED)

    def closed(self):
        return self.filter(status=Meeting.Status.CLOSED)


class Meeting(PlacedInTree):
    class Kind(models.TextChoices):
        TEA_TABLE = "tea_table", _("tea table")
        JOINT_PROPERTY = "joint_property", _("joint property meeting")
        OWNERS_ASSEMBLY = "owners_assembly", _("owners' assembly")
        HEARING = "hearing", _("hearing")
        COORDINATION = "coordination", _("coordination meeting")
        EVALUATION = "evaluation", _("evaluation meeting")
        DELIBERATION = "deliberation", _("deliberation-group meeting")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CLOSED = "closed", _("held")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    compound = models.ForeignKey(
        "compounds.Compound",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="meetings",
        null=True,
        blank=True,
        help_text=_("Leave blank for a meeting of the whole community."),
    )
    # The place comes from the compound; a meeting of a whole community
    # names the community, and has no grid.
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="meetings",
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
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    host = models.CharField(_("host"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    attendee_count = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    attending_organisations = models.TextField(
        _("attending organisations"),
        blank=True,
        help_text=_("One organisation per line."),
    )
    themes = models.ManyToManyField(
        "consultations.Theme",
        verbose_name=_("themes"),
        blank=True,
        related_name="meetings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["community", "-date"]),
            models.Index(fields=["compound", "-date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} · {self.title}"

    def clean(self) -> None:
        if not self.compound_id and not self.community_id:
            raise ValidationError(_("Choose a compound or a community."))
        if (
            not self.compound_id
            and self.community_id
            and self.community.kind != OrgUnit.Kind.COMMUNITY
        ):
            raise ValidationError({"community": _("Choose a community.")})
        self.copy_place()

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def organisations(self) -> list[str]:
        return [
            line.strip()
            for line in self.attending_organisations.splitlines()
            if line.strip()
        ]

    @property
    def where(self) -> str:
        return str(self.compound or self.community)


class MeetingChildQuerySet(ScopedQuerySet):
    """Agenda items and decisions see what their meeting sees."""

    scope_through = "meeting"
    scope_compound = "meeting__compound"


class MeetingAgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="agenda_items",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("topic"), max_length=200)
    concern = models.ForeignKey(
        "consultations.Concern",
        verbose_name=_("concern"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )

    objects = MeetingChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class MeetingDecisionQuerySet(MeetingChildQuerySet):
    def published(self):
        return self.filter(is_published=True, meeting__status=Meeting.Status.CLOSED)


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("decision"), max_length=2000)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Published decisions appear on the compound's public board."),
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)

    objects = MeetingDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class ActionItemQuerySet(ScopedQuerySet):
    scope_through = "decision__meeting"
    scope_compound = "decision__meeting__compound"

    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, on=None):
        return self.open().filter(deadline__lt=on or timezone.localdate())


class ActionItem(models.Model):
    """Work a decision puts on a concern; while open the concern stays open."""

    decision = models.ForeignKey(
        MeetingDecision,
        verbose_name=_("decision"),
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    concern = models.ForeignKey(
        "consultations.Concern",
        verbose_name=_("concern"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    owner = models.CharField(
        _("owner"),
        max_length=100,
        help_text=_("The organisation or person responsible."),
    )
    deadline = models.DateField(_("deadline"))
    # The concern's hold on closing, released when the item is done.
    hold = models.OneToOneField(
        "consultations.ConcernHold",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="action_item",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.CharField(_("how it was done"), max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(
                fields=["concern"],
                condition=Q(done_at__isnull=True),
                name="action_item_open_by_concern",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.deadline}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.deadline < timezone.localdate()

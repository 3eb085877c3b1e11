"""Forms of the visit-day, meeting and disclosure pages."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.uploads import POLICIES, prepare_uploads
from compounds.models import Compound
from consultations.models import Concern, ConcernCategory
from org.models import OrgUnit
from org.rights import may

from . import services as civic_services
from .models import Disclosure, Meeting

MAX_NEEDS = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class VisitReportForm(forms.Form):
    compound = forms.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none()
    )
    date = forms.DateField(
        label=_("Visit date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    households_visited = forms.IntegerField(
        label=_("Households visited"),
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.CharField(
        label=_("Needs heard"),
        required=False,
        max_length=10000,
        help_text=_("One need per line; each can become a concern afterwards."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = civic_services.manager_compounds(
            user
        ).order_by("name")
        self.fields["photos"].help_text = _("Up to %(n)d JPEG, PNG or WebP photos.") % {
            "n": settings.VISIT_MAX_PHOTOS
        }

    def clean_date(self) -> date:
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise ValidationError(_("A visit cannot be reported before it happened."))
        return value

    def clean_needs(self) -> list[str]:
        lines = [
            line.strip()[:2000]
            for line in self.cleaned_data["needs"].splitlines()
            if line.strip()
        ]
        if len(lines) > MAX_NEEDS:
            raise ValidationError(
                _("At most %(n)d needs per report.") % {"n": MAX_NEEDS}
            )
        return lines

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        return prepare_uploads(photos, policy=POLICIES["visit_photo"])


class NeedToConcernForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ConcernCategory.objects.filter(is_active=True).order_by("order"),
        empty_label=_("Choose a category"),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Concern.Urgency.choices,
        initial=Concern.Urgency.NORMAL,
    )


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "compound", "community", "date", "place", "host"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.visible_to(user).order_by(
            "name"
        )
        self.fields["community"].queryset = (
            OrgUnit.objects.visible_to(user).communities().order_by("name")
        )
        self.fields["community"].required = False

    def clean(self):
        data = super().clean()
        compound, community = data.get("compound"), data.get("community")
        if not compound and not community:
            raise ValidationError(_("Choose a compound or a community."))
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200, required=False)
    concern = forms.ModelChoiceField(
        label=_("Concern"),
        queryset=Concern.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        concerns = Concern.objects.visible_to(user).exclude(
            status__in=Concern.DONE_STATUSES
        )
        if meeting.compound_id:
            concerns = concerns.filter(compound_id=meeting.compound_id)
        else:
            concerns = concerns.filter(community_id=meeting.community_id)
        self.fields["concern"].queryset = concerns.order_by("-created_at")
        self.fields["concern"].label_from_instance = lambda c: (
            f"{c.formatted_code} · {c.description[:30]}"
        )

    def clean(self):
        data = super().clean()
        if not data.get("title") and not data.get("concern"):
            raise ValidationError(_("Give the topic or choose a concern."))
        return data


class CloseMeetingForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attendee_count = forms.IntegerField(
        label=_("Attendees"), min_value=1, max_value=100000
    )
    attending_organisations = forms.CharField(
        label=_("Attending organisations"),
        required=False,
        max_length=3000,
        help_text=_("One organisation per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    publish = forms.BooleanField(label=_("Publish on the board"), required=False)
    concern = forms.ModelChoiceField(
        label=_("Action item on concern"),
        queryset=Concern.objects.none(),
        required=False,
        empty_label=_("(no action item)"),
    )
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, concerns=None, **kwargs):
        super().__init__(*args, **kwargs)
        if concerns is not None:
            self.fields["concern"].queryset = concerns
            self.fields["concern"].label_from_instance = lambda c: (
                f"{c.formatted_code} · {c.description[:30]}"
            )

    def clean(self):
        data = super().clean()
        if data.get("concern") and not data.get("text"):
            raise ValidationError(_("An action item belongs to a decision."))
        if data.get("concern") and not (data.get("owner") and data.get("deadline")):
            raise ValidationError(_("An action item needs an owner and a deadline."))
        return data


DecisionFormSet = forms.formset_factory(DecisionForm, extra=3, max_num=10)


class ActionItemDoneForm(forms.Form):
    note = forms.CharField(
        label=_("How it was done"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the lines are painted")}),
    )


class DisclosureForm(forms.ModelForm):
    objection_days = forms.IntegerField(
        label=_("Objection window (days)"),
        min_value=0,
        max_value=90,
        initial=civic_services.DEFAULT_OBJECTION_DAYS,
        help_text=_("0: no objections are taken."),
    )

    class Meta:
        model = Disclosure
        fields = ["compound", "kind", "title", "content", "attachment", "published_on"]
        widgets = {
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attachment": forms.ClearableFileInput(
                attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.visible_to(user).order_by(
            "name"
        )
        self.fields["published_on"].required = False
        self.fields["published_on"].help_text = _("Blank: today.")
        if not may(user, "civic.publish_disclosure"):
            # The serving company: its own duties of disclosure only.
            self.fields["kind"].choices = [
                (value, label)
                for value, label in self.fields["kind"].choices
                if not value or value in civic_services.COMPANY_DISCLOSURE_KINDS
            ]

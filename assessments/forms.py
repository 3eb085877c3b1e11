"""Forms of the inspection and rectification pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.uploads import POLICIES, prepare_uploads
from org.models import OrgUnit, Person

from .models import InspectionPanelMember
from .services.inspections import ItemEntry, eligible_people, panel_conflicts


def clean_photos(files, *, policy: str = "inspection_photo") -> list:
    """The photos of one upload, checked and re-encoded by their policy."""
    return prepare_uploads(files, policy=POLICIES[policy])


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple
    # Person id → why they may not sit (shown beside the name).
    conflicts: dict[int, str] = {}

    def label_from_instance(self, obj: Person) -> str:
        reason = self.conflicts.get(obj.pk)
        if not reason:
            return obj.name
        return _("%(name)s (%(reason)s)") % {"name": obj.name, "reason": reason}


class InspectionPanelForm(forms.Form):
    """Who sits on the panel; the panel rules are the service's
    (`validate_panel`), whose errors the view adds to the form."""

    cadres = PeopleField(queryset=Person.objects.none(), label=_("Cadres"))
    resident_reps = PeopleField(
        queryset=Person.objects.none(), label=_("Resident representatives")
    )

    def __init__(self, *args, compound, on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound
        on = on or timezone.localdate()
        Role = InspectionPanelMember.Role
        self.fields["cadres"].queryset = eligible_people(
            compound.street, Role.CADRE, on
        )
        self.fields["resident_reps"].queryset = eligible_people(
            compound.street, Role.RESIDENT_REP, on
        )
        conflicts = panel_conflicts(compound, on)
        for name in ("cadres", "resident_reps"):
            self.fields[name].conflicts = conflicts

    def panel(self) -> list[tuple[Person, str]]:
        Role = InspectionPanelMember.Role
        return [(p, Role.CADRE) for p in self.cleaned_data["cadres"]] + [
            (p, Role.RESIDENT_REP) for p in self.cleaned_data["resident_reps"]
        ]


class InspectionStartForm(InspectionPanelForm):
    date = forms.DateField(
        label=_("Date of the visit"),
        # ISO, the only value an <input type="date"> accepts.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    field_order = ["date", "cadres", "resident_reps"]

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, compound=compound, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class InspectionSheetForm(forms.Form):
    """A draft's whole sheet; `cleaned_data` are the arguments of `save_sheet`.

    The poll, veto and note are fields; each item of the draft is read from
    `occ_<item pk>`, `na_<item pk>`, `note_<item pk>` and `photo_<item pk>`
    into `cleaned_data["entries"]`.
    """

    satisfied = forms.IntegerField(label=_("Satisfied"), min_value=0, initial=0)
    basically_satisfied = forms.IntegerField(
        label=_("Basically satisfied"), min_value=0, initial=0
    )
    dissatisfied = forms.IntegerField(label=_("Dissatisfied"), min_value=0, initial=0)
    veto = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Veto"), empty_label=_("None")
    )
    veto_note = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea({"rows": 2})
    )
    note = forms.CharField(
        label=_("General note"), required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.fields["veto"].queryset = inspection.scheme.vetoes.all()

    def clean(self):
        data = super().clean()
        data["entries"] = [
            self._entry(result.item)
            for result in self.inspection.results.select_related("item")
        ]
        return data

    def _entry(self, item) -> ItemEntry:
        raw = self.data.get(f"occ_{item.pk}", "0").strip() or "0"
        try:
            occurrences = int(raw)
        except ValueError:
            raise ValidationError(
                _("%(code)s: enter a whole number of occurrences.")
                % {"code": item.code}
            ) from None
        return ItemEntry(
            item=item,
            occurrences=occurrences,
            not_applicable=bool(self.data.get(f"na_{item.pk}")),
            note=self.data.get(f"note_{item.pk}", "").strip(),
            photos=clean_photos(self.files.getlist(f"photo_{item.pk}")),
        )


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea({"rows": 2})
    )


class RaiseRectificationForm(forms.Form):
    deadline = forms.DateField(
        label=pgettext_lazy("rectification", "Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    requirement = forms.CharField(
        label=_("What to rectify"), required=False, widget=forms.Textarea({"rows": 2})
    )


class AnswerRectificationForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea({"rows": 4}))


class VerifyRectificationForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Rectified: accept")), ("0", _("Not rectified: return"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea({"rows": 2})
    )


class DrawForm(forms.Form):
    street = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), label=_("Street"), empty_label=None
    )
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.streets()
        if streets is not None:
            units = units.filter(pk__in=streets)
        self.fields["street"].queryset = units
        self.fields["month"].initial = timezone.localdate()

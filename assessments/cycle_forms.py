"""Forms of the street office's cycle pages: runs, rewards, the exit ladder."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ExitCase, ScoringRun
from .runs import run_streets


class DateInput(forms.DateInput):
    """`<input type=date>` wants ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _date_field(label, *, required=True, today=True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        initial=timezone.localdate if today else None,
    )


class StreetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class RunForm(forms.Form):
    kind = forms.ChoiceField(label=_("Job"), choices=ScoringRun.Kind.choices)
    period = forms.CharField(
        label=_("Period"),
        max_length=8,
        help_text=_("A month such as 2026-10, or a quarter such as 2026Q3."),
        widget=forms.TextInput(attrs={"placeholder": "2026-10 / 2026Q3"}),
    )
    street = StreetChoiceField(
        label=_("Street"), queryset=None, required=False, empty_label=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["street"]
        field.queryset = run_streets(user)
        if user.is_superuser:
            field.empty_label = _("every street")


class PaymentForm(forms.Form):
    payment_reference = forms.CharField(
        label=_("Payment reference"),
        max_length=64,
        error_messages={"required": _("Give the payment reference.")},
    )
    paid_on = _date_field(_("Paid on"))


class LadderStepForm(forms.Form):
    on = _date_field(_("Date"))
    deadline = _date_field(_("Rectify by"), required=False, today=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseStepForm(forms.Form):
    """One form for every move of an exit case (the button says which)."""

    ACTIONS = {
        "owners_consulted": ExitCase.Status.OWNERS_CONSULTED,
        "decide": ExitCase.Status.HANDOVER,
        "refused": ExitCase.Status.REFUSED,
        "close": ExitCase.Status.CLOSED,
        "withdraw": ExitCase.Status.WITHDRAWN,
        "note": "",
    }

    action = forms.ChoiceField(
        choices=[(key, key) for key in ACTIONS], widget=forms.HiddenInput
    )
    on = _date_field(_("Date"))
    handover_on = _date_field(_("Handover date"), required=False, today=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReRankForm(forms.Form):
    """The decision to rank a published quarter again."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the reason for ranking the quarter again.")
        },
    )
    confirm = forms.BooleanField(
        label=_(
            "I decide that the published quarter is ranked again; the result "
            "may change, and the decision is recorded with the result before "
            "and after."
        ),
        error_messages={"required": _("Confirm the decision.")},
    )

"""Forms of the concern pages: the public form, staff intake, the rating
form and the staff action form. They only parse input; the services decide."""

import re
import secrets
from collections.abc import Callable
from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from common.parsing import parse_id
from common.phones import parse_phone
from compounds.models import Compound
from org.models import LiaisonDepartment, OrgUnit

from .held_photos import held_under, take_photos
from .models import Concern, ConcernCategory, Theme
from .services import MAX_EXTENSION_DAYS, max_description_length
from .uploads import PreparedPhoto, max_photos, prepare_photo, prepare_photos
from .workflow import Action

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
# Compounds a search on the form page lists (as the type-ahead does).
COMPOUND_MATCHES = 20


def new_form_token() -> str:
    return secrets.token_hex(16)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to N photos; each verified and re-encoded (see uploads.py)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        # The photos that passed, even when another did not: the public form
        # holds them for the resident's next try (held_photos.py).
        self.accepted: list[PreparedPhoto] = []
        if len(files) > max_photos():
            return prepare_photos(files)  # refuses with the count message
        errors = []
        for upload in files:
            try:
                self.accepted.append(prepare_photo(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return self.accepted


class CompoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Compound) -> str:
        return obj.name


class ConcernForm(forms.Form):
    # The public form's select holds only the chosen compound and the
    # matches of a search (`?q=` without JavaScript, the type-ahead with
    # it): thousands of options made the page hundreds of KB. Any compound
    # of the queryset still validates.
    limit_compound_choices = True

    compound = CompoundChoiceField(
        label=_("Compound"),
        queryset=Compound.objects.none(),
        empty_label=_("Choose your compound"),
        required=False,
        error_messages={
            "invalid_choice": _("Choose a compound from the list."),
        },
    )
    # "Not in the list": the place as the resident says it, and the
    # community it is in; staff assign the compound later.
    place = forms.CharField(
        label=_("Where is it? (compound, building or street)"),
        max_length=100,
        required=False,
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=OrgUnit.objects.none(),
        empty_label=_("Choose the community"),
        required=False,
        help_text=_("Not sure? Choose the nearest; staff will check."),
        error_messages={"invalid_choice": _("Choose a community from the list.")},
    )
    category = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=ConcernCategory.objects.none(),
        empty_label=_("Choose a category"),
        error_messages={
            "invalid_choice": _("Choose a category from the list."),
            "required": _("Choose what it is about."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Concern.Kind.choices,
        initial=Concern.Kind.CONSULTATION,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the concern.")},
    )
    photos = PhotosField(
        label=_("Photos"),
        help_text=_("Up to 3 photos, JPEG, PNG or WebP, at most 5 MB each."),
    )
    name = forms.CharField(
        label=_("Your name (optional)"), max_length=50, required=False
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
        ),
        help_text=_("Only staff see it, to call you back."),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=254,
        help_text=_("We e-mail you when your concern is answered."),
    )
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, compounds=None, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._find_held_photos()
        self.fields["compound"].queryset = (
            compounds if compounds is not None else Compound.objects.all()
        ).order_by("name")
        self.compound_matches: list[Compound] | None = None
        if self.limit_compound_choices:
            self._limit_compound_choices(search)
        self.fields["community"].queryset = OrgUnit.objects.communities().order_by(
            "tree_id", "lft"
        )
        self.fields["category"].queryset = ConcernCategory.objects.filter(
            is_active=True
        )
        self.fields["description"].max_length = max_description_length()
        self.fields["description"].validators.append(
            MaxLengthValidator(max_description_length())
        )
        self.fields["description"].widget.attrs["maxlength"] = str(
            max_description_length()
        )
        self.fields["description"].help_text = _(
            "Where, what, since when. At most %(n)d characters."
        ) % {"n": max_description_length()}
        self.fields["photos"].help_text = _(
            "Up to %(n)d photos, JPEG, PNG or WebP, at most 5 MB each."
        ) % {"n": max_photos()}

    def _find_held_photos(self) -> None:
        """The photos held from an earlier try (`held`), less `held_drop`."""
        token = self.data.get("held", "") if self.is_bound else ""
        token = token.strip().lower() if isinstance(token, str) else ""
        self.held_token = token if TOKEN_RE.match(token) else None
        getlist = getattr(self.data, "getlist", None)
        drop = {parse_id(v) for v in getlist("held_drop")} if getlist else set()
        held = held_under(self.held_token)
        self.held_photos = [p for p in held if p.pk not in drop]
        self.dropped_photos = [p for p in held if p.pk in drop]

    @property
    def new_photos(self) -> list[PreparedPhoto]:
        """This post's photos that passed the checks (even if others did not)."""
        return list(getattr(self.fields["photos"], "accepted", []))

    def photos_to_submit(self) -> list[PreparedPhoto]:
        """The held photos, then this post's."""
        return take_photos(self.held_photos) + list(self.cleaned_data["photos"])

    @property
    def not_listed(self) -> bool:
        """The resident said the compound is not in the list."""
        return bool(self.is_bound and (self.data.get("place") or "").strip())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("compound") is not None:
            cleaned["place"], cleaned["community"] = "", None
        elif "compound" not in self.errors:
            if not (cleaned.get("place") or "").strip():
                if "place" not in self.errors:
                    self.add_error("compound", _("Choose your compound."))
            elif cleaned.get("community") is None and "community" not in self.errors:
                self.add_error("community", _("Choose the community it is in."))
        new = cleaned.get("photos") or []
        if self.held_photos and len(self.held_photos) + len(new) > max_photos():
            self.add_error(
                "photos",
                ValidationError(
                    _(
                        "At most %(n)d photos may be attached; %(held)d are "
                        "already kept for you."
                    )
                    % {"n": max_photos(), "held": len(self.held_photos)},
                    code="too_many",
                ),
            )
        return cleaned

    def _limit_compound_choices(self, search: str) -> None:
        field = self.fields["compound"]
        if search:
            self.compound_matches = list(
                field.queryset.named_like(search)[:COMPOUND_MATCHES]
            )
            if len(self.compound_matches) == 1 and not self.is_bound:
                self.initial["compound"] = self.compound_matches[0].pk
        chosen_id = parse_id(
            self.data.get(self.add_prefix("compound"))
            if self.is_bound
            else self.initial.get("compound")
        )

        def choices() -> list[tuple]:
            shown = list(field.queryset.filter(pk=chosen_id)) if chosen_id else []
            shown += [c for c in self.compound_matches or () if c.pk != chosen_id]
            return [("", field.empty_label)] + [
                (c.pk, field.label_from_instance(c)) for c in shown
            ]

        # Read when the select is drawn: a valid post never draws it.
        field.widget.choices = CallableChoiceIterator(choices)

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if not text:
            raise ValidationError(_("Describe the concern."))
        return text

    def clean_phone(self) -> str:
        return parse_phone(self.cleaned_data.get("phone", ""), strict=True)

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise ValidationError(_("This form could not be sent. Please try again."))
        return ""

    def clean_token(self) -> str | None:
        token = (self.cleaned_data.get("token") or "").strip().lower()
        return token if TOKEN_RE.match(token) else None


class StaffIntakeForm(ConcernForm):
    """Staff enter a concern for a resident, saying where it came from."""

    # Staff pick among the compounds of their own units: a plain select.
    limit_compound_choices = False

    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            (value, label)
            for value, label in Concern.Source.choices
            if value not in (Concern.Source.WEB, Concern.Source.OPEN311)
        ],
        initial=Concern.Source.PHONE,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Concern.Urgency.choices,
        initial=Concern.Urgency.NORMAL,
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=Concern.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the three answers.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# The page's field for each input a verb takes (workflow.Action.inputs).
INPUT_FIELDS: dict[str, Callable[[], forms.Field]] = {
    "to": partial(
        forms.ChoiceField,
        label=_("Dispatch to"),
        choices=[("", _("default for the category")), *ConcernCategory.Handler.choices],
        required=False,
    ),
    "department": partial(
        forms.ModelChoiceField,
        label=_("Liaison department"),
        queryset=LiaisonDepartment.objects.all(),
        required=False,
    ),
    "days": partial(
        forms.IntegerField,
        label=_("Working days"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        required=False,
    ),
    # No default: the follow-up records what the resident said.
    "rating": partial(
        forms.ChoiceField,
        label=_("Resident's rating"),
        choices=[("", "—"), *Concern.Rating.choices],
        error_messages={
            "required": _("Record the rating the resident gave on the call.")
        },
    ),
    "resolved": partial(forms.NullBooleanField, label=_("Resolved?"), required=False),
    # The concern kept; its queryset is what the user sees (ActionForm).
    "into": partial(
        forms.ModelChoiceField,
        queryset=Concern.objects.none(),
        error_messages={
            "required": _("Choose the concern to keep."),
            "invalid_choice": _("Choose the concern to keep."),
        },
    ),
    "photos": partial(PhotosField, label=_("Photos")),
}


class ActionForm(forms.Form):
    """One workflow verb's note and inputs (staff and managers).

    Its cleaned data are the keyword arguments of the verb's service besides
    the concern and the actor.
    """

    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, action: Action, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in action.inputs:
            self.fields[name] = INPUT_FIELDS[name]()
        if "into" in self.fields:
            self.fields["into"].queryset = Concern.objects.visible_to(user)


class ThemesForm(forms.Form):
    """The themes staff tag a concern with (none clears them)."""

    themes = forms.ModelMultipleChoiceField(
        label=_("themes"),
        queryset=Theme.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

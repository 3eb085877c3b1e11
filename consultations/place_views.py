"""Staff pages for concerns reported as "not in the list" (不在列表中).

A resident who did not find the compound wrote the place and chose the
community; such a concern sits in that community with no compound until
staff of the area assign one (`services.assign_compound`).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import add_to_form
from compounds.models import Compound
from org.rights import require

from . import services
from .models import Concern

# Compounds a search on the assign page lists.
MATCHES = 30


class AssignCompoundForm(forms.Form):
    compound = forms.ModelChoiceField(
        label=gettext_lazy("Compound"),
        queryset=Compound.objects.none(),
        empty_label=gettext_lazy("Choose the compound"),
        error_messages={
            "required": gettext_lazy("Choose the compound."),
            "invalid_choice": gettext_lazy("Choose a compound from the list."),
        },
    )

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds


def _concerns(user):
    return Concern.objects.visible_to(user).needing_compound()


def _choices(user, concern: Concern, search: str):
    """The compounds of the concern's community, or the street's matches."""
    compounds = Compound.objects.visible_to(user).filter(street=concern.street_id)
    if search:
        return compounds.named_like(search)[:MATCHES]
    return compounds.filter(community=concern.community_id).order_by("name", "pk")


@login_required
def needing_compound(request):
    """/concerns/staff/places/: concerns waiting for their compound."""
    require(request.user, "consultations.assign_compound")
    rows = (
        _concerns(request.user)
        .exclude(status__in=Concern.DONE_STATUSES)
        .select_related("community", "category")
        .order_by("-created_at", "-id")
    )
    return render(request, "consultations/needing_compound_list.html", {"rows": rows})


@login_required
def assign_compound(request, pk: int):
    """/concerns/staff/places/<id>/: choose the compound of one concern."""
    require(request.user, "consultations.assign_compound")
    concern = get_object_or_404(
        _concerns(request.user).select_related("community", "category"), pk=pk
    )
    search = request.GET.get("q", "").strip()[:50]
    if request.method == "POST":
        # Any compound of the street the user sees is allowed, not only
        # those listed: the search may have found it in another community.
        compounds = Compound.objects.visible_to(request.user).filter(
            street=concern.street_id
        )
        form = AssignCompoundForm(request.POST, compounds=compounds)
        if form.is_valid():
            try:
                services.assign_compound(
                    concern=concern,
                    compound=form.cleaned_data["compound"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Filed under %(compound)s.")
                    % {"compound": form.cleaned_data["compound"].name},
                )
                return redirect("consultations:staff-detail", pk=concern.pk)
        status = 400
    else:
        status = 200
    choices = list(_choices(request.user, concern, search))
    form = form if request.method == "POST" else None
    form = form or AssignCompoundForm(compounds=Compound.objects.none())
    form.fields["compound"].queryset = Compound.objects.filter(
        pk__in=[c.pk for c in choices]
    ).order_by("name", "pk")
    return render(
        request,
        "consultations/assign_compound.html",
        {"concern": concern, "form": form, "search": search},
        status=status,
    )

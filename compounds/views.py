"""Staff pages of compounds: the 扫码说事 posters.

Which compounds comes from `Compound.objects.visible_to(user)`; whether the
user may print them at all from the rights table (`compounds.print_posters`).
"""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from org.models import OrgUnit
from org.rights import require

from .models import Compound
from .posters import poster_for, posters_for


def _visible_compounds(user):
    return (
        Compound.objects.visible_to(user)
        .select_related("community", "grid")
        .order_by("community__name", "name", "pk")
    )


@login_required
def poster_index(request):
    """/posters/: the user's compounds by community, each with its poster."""
    require(request.user, "compounds.print_posters")
    compounds = list(_visible_compounds(request.user))
    communities = [
        (community, list(rows))
        for community, rows in groupby(compounds, key=lambda c: c.community)
    ]
    return render(request, "compounds/poster_index.html", {"communities": communities})


@login_required
def compound_poster(request, pk: int):
    """/posters/compound/<id>/: one compound's A4 poster."""
    require(request.user, "compounds.print_posters")
    compound = get_object_or_404(_visible_compounds(request.user), pk=pk)
    return render(
        request,
        "compounds/poster_print.html",
        {"posters": [poster_for(compound, request)], "title": compound.name},
    )


@login_required
def community_posters(request, pk: int):
    """/posters/community/<id>/: one poster per page for a whole community."""
    require(request.user, "compounds.print_posters")
    community = get_object_or_404(OrgUnit.objects.communities(), pk=pk)
    compounds = _visible_compounds(request.user).filter(community=community)
    if not compounds:
        raise Http404
    return render(
        request,
        "compounds/poster_print.html",
        {"posters": posters_for(compounds, request), "title": community.name},
    )

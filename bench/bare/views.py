"""The three bare views: what Django itself costs for each kind of work."""

import functools
import uuid
from datetime import UTC, datetime

from django import forms
from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

from .models import Concern

LIST_COLUMNS = (
    "id",
    "tracking_code",
    "compound_id",
    "street_id",
    "community_id",
    "status",
    "description",
    "created_at",
)
# Filled by the view; every other NOT NULL column without a default gets
# the empty value of its type.
GIVEN = {
    "tracking_code": "%(code)s",
    "compound_id": "c.id",
    "street_id": "c.street_id",
    "community_id": "c.community_id",
    "grid_id": "c.grid_id",
    "category_id": "%(category)s",
    "description": "%(description)s",
    "status": "'submitted'",
    "kind": "'complaint'",
    "source": "'web'",
    "urgency": "'normal'",
    "created_at": "now()",
    "updated_at": "now()",
    "due_at": "now() + interval '7 days'",
    "sign_due_at": "now() + interval '1 day'",
}
EMPTY_BY_TYPE = {
    "boolean": "false",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "numeric": "0",
    "jsonb": "'{}'",
    "timestamp with time zone": "now()",
    "date": "current_date",
}


@functools.cache
def insert_sql() -> str:
    """One INSERT … SELECT from the compound, built once from the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'consultations_concern' AND is_identity = 'NO' "
            "AND ((is_nullable = 'NO' "
            "AND column_default IS NULL) OR column_name = ANY(%s))",
            [list(GIVEN)],
        )
        columns = cursor.fetchall()
    names = [name for name, _type in columns]
    values = [GIVEN.get(name, EMPTY_BY_TYPE.get(kind, "''")) for name, kind in columns]
    return (
        f"INSERT INTO consultations_concern ({', '.join(names)}) "
        f"SELECT {', '.join(values)} FROM compounds_compound c WHERE c.id = %(compound)s"
    )


class ConcernForm(forms.Form):
    compound = forms.IntegerField(min_value=1)
    category = forms.IntegerField(min_value=1)
    description = forms.CharField(max_length=4000)


def form(request):
    if request.method != "POST":
        return render(request, "bare/form.html", {"form": ConcernForm()})
    bound = ConcernForm(request.POST)
    if not bound.is_valid():
        return render(request, "bare/form.html", {"form": bound}, status=400)
    code = "BW" + uuid.uuid4().hex[:12].upper()
    with connection.cursor() as cursor:
        cursor.execute(insert_sql(), {**bound.cleaned_data, "code": code})
    return render(request, "bare/done.html", {"code": code})


def concern_list(request):
    """50 concerns of a community or street, newest first, keyset pages."""
    if "community" in request.GET:
        rows = Concern.objects.filter(community_id=request.GET["community"])
    elif "street" in request.GET:
        rows = Concern.objects.filter(street_id=request.GET["street"])
    else:
        return HttpResponseBadRequest("community or street")
    before = request.GET.get("before", "")
    if before:
        stamp, _sep, pk = before.partition("_")
        try:
            moment, pk = datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
        except (ValueError, OverflowError, OSError):
            return HttpResponseBadRequest("before")
        rows = rows.extra(where=["(created_at, id) < (%s, %s)"], params=[moment, pk])
    page = list(rows.order_by("-created_at", "-id").values(*LIST_COLUMNS)[:50])
    return JsonResponse({"results": page})


def page(request):
    items = [f"第{n}项" for n in range(1, 11)]
    return render(request, "bare/page.html", {"title": "基准页面", "items": items})

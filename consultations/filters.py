"""Filters of concern lists, for the staff list page and the REST API.

`ConcernFilterSet` holds the filters both share; the page adds its own
parameters in `StaffConcernFilter`, the API its own in `api.ConcernFilter`.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Concern
from .models.concerns import normalise_tracking_code


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number, anything else is ignored."""

    field_class = forms.IntegerField


class ConcernFilterSet(django_filters.FilterSet):
    source = django_filters.MultipleChoiceFilter(choices=Concern.Source.choices)
    kind = django_filters.ChoiceFilter(choices=Concern.Kind.choices)
    urgency = django_filters.ChoiceFilter(choices=Concern.Urgency.choices)
    created = django_filters.DateFromToRangeFilter(field_name="created_at")
    due = django_filters.DateFromToRangeFilter(field_name="due_at")
    open = django_filters.BooleanFilter(method="filter_open")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Concern
        fields = ["compound", "handler_company", "handler_unit", "partner"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.open()
        return queryset.exclude(status__in=Concern.OPEN_STATUSES)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.overdue()
        return queryset.exclude(pk__in=queryset.overdue().values("pk"))


class StaffConcernFilter(ConcernFilterSet):
    """The staff list's filters: unit, status or "open", deadline flag,
    category and tracking code. A value that does not parse is ignored."""

    unit = IdFilter(method="filter_unit")
    status = django_filters.ChoiceFilter(
        choices=[("open", _("open")), *Concern.Status.choices],
        method="filter_status",
    )
    alert = django_filters.ChoiceFilter(
        choices=[("yellow", _("due soon (yellow)")), ("red", _("overdue (red)"))],
        method="filter_alert",
    )
    category = IdFilter(field_name="category_id", min_value=0)
    q = django_filters.CharFilter(method="filter_code")

    def __init__(self, data=None, queryset=None, *, units=(), **kwargs):
        super().__init__(data, queryset, **kwargs)
        # The units the page offers; any other unit id is ignored.
        self.units = {unit.pk: unit for unit in units}

    def value(self, name: str, default=None):
        """The parsed value of filter `name`; `default` when absent or bad."""
        self.is_valid()  # parses the form; bad values are left out
        value = self.form.cleaned_data.get(name)
        return default if value in (None, "") else value

    @property
    def chosen_unit(self):
        """The unit filtered on, or None."""
        return self.units.get(self.value("unit"))

    def filter_unit(self, queryset, name, value):
        unit = self.units.get(value)
        return queryset if unit is None else queryset.in_unit(unit)

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        return queryset.filter(status=value)

    def filter_alert(self, queryset, name, value):
        if value == "red":
            return queryset.overdue()
        return queryset.due_soon()

    def filter_code(self, queryset, name, value):
        return queryset.filter(tracking_code__startswith=normalise_tracking_code(value))

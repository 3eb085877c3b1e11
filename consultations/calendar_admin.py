"""The street office's holiday calendar in the admin (consultations.deadlines).

Days are typed in one by one or loaded from a CSV file (date,kind,name);
either way the open concerns whose deadline was counted on the fallback
calendar are counted again, and the page says how many moved.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from org.rights import may, require

from .calendar_files import (
    EXAMPLE_CSV,
    CalendarLoad,
    CalendarRow,
    load_calendar,
    parse_calendar_file,
)
from .deadlines import CalendarOverride

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("One day a row: date,kind,name (see the example file)."),
    )
    text = forms.CharField(
        label=_("or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text", "").strip()
        if not upload and not text:
            raise ValidationError(_("Choose a file or paste the rows."))
        if upload and upload.size > settings.CALENDAR_FILE_MAX_BYTES:
            raise ValidationError(
                _("The file may be at most %(limit)s."),
                params={"limit": filesizeformat(settings.CALENDAR_FILE_MAX_BYTES)},
            )
        data = upload.read() if upload else text
        cleaned["rows"] = parse_calendar_file(data)
        return cleaned


def report_load(request, result: CalendarLoad) -> None:
    messages.success(
        request,
        gettext(
            "Calendar saved: %(added)d days added, %(updated)d updated, "
            "%(removed)d removed."
        )
        % {"added": result.added, "updated": result.updated, "removed": result.removed},
    )
    messages.info(
        request,
        ngettext(
            "%(n)d open concern counted on the fallback calendar has a new deadline.",
            "%(n)d open concerns counted on the fallback calendar have a new deadline.",
            result.recomputed,
        )
        % {"n": result.recomputed},
    )


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]
    change_list_template = "admin/consultations/calendaroverride/change_list.html"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return WEEKDAYS[obj.date.weekday()]

    def _may(self, request) -> bool:
        return may(request.user, "calendar.edit_holidays")

    def has_view_permission(self, request, obj=None):
        return self._may(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._may(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request) and super().has_delete_permission(request, obj)

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="consultations_calendaroverride_import",
            ),
            path(
                "example.csv",
                self.admin_site.admin_view(self.example_view),
                name="consultations_calendaroverride_example",
            ),
        ]
        return urls + super().get_urls()

    # Typed in: the same load as a file, so deadlines follow.
    def save_model(self, request, obj, form, change):
        old_date = form.initial.get("date") if change else None
        row = CalendarRow(date=obj.date, is_workday=obj.is_workday, note=obj.note)
        remove = [old_date] if old_date and old_date != obj.date else []
        result = load_calendar(by=request.user, rows=[row], remove=remove)
        obj.pk = CalendarOverride.objects.get(date=obj.date).pk
        report_load(request, result)

    def delete_model(self, request, obj):
        report_load(request, load_calendar(by=request.user, rows=[], remove=[obj.date]))

    def delete_queryset(self, request, queryset):
        days = list(queryset.values_list("date", flat=True))
        report_load(request, load_calendar(by=request.user, rows=[], remove=days))

    def example_view(self, request):
        response = HttpResponse(
            "\ufeff" + EXAMPLE_CSV, content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="calendar-example.csv"'
        return response

    def import_view(self, request):
        require(request.user, "calendar.edit_holidays")
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            rows = form.cleaned_data["rows"]
            days = [row.date for row in rows]
            known = set(
                CalendarOverride.objects.filter(date__in=days).values_list(
                    "date", flat=True
                )
            )
            result = load_calendar(by=request.user, rows=rows)
            saved = CalendarOverride.objects.filter(date__in=days)
            # Kept as Django's structured messages, so the history reads in
            # the reader's language whatever was active when loading.
            for flag, message, chosen in (
                (ADDITION, [{"added": {}}], saved.exclude(date__in=known)),
                (
                    CHANGE,
                    [{"changed": {"fields": ["is_workday", "note"]}}],
                    saved.filter(date__in=known),
                ),
            ):
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=list(chosen),
                    action_flag=flag,
                    change_message=message,
                )
            report_load(request, result)
            return redirect("admin:consultations_calendaroverride_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Load a year's holidays and adjusted working days"),
            "form": form,
            "kinds": (
                "holiday / 休 / 放假 / 节假日",
                "workday / 班 / 上班 / 补班 / 调休",
            ),
            "example_url": reverse("admin:consultations_calendaroverride_example"),
        }
        return TemplateResponse(
            request, "admin/consultations/calendaroverride/import.html", context
        )

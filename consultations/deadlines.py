"""Working days on the Chinese official calendar.

Holidays and adjusted working days (调休) come from `chinese_calendar`; the
staff's `CalendarOverride` rows win over it. For a year the library does
not know (it raises NotImplementedError), Monday to Friday are working days,
plus the overrides, and the result says so (`fallback`), so staff see that
the deadline was counted without the official calendar, until the street
office loads that year's calendar: a year whose overrides hold both
holidays and adjusted working days (the State Council's yearly notice
always names both) counts as the street's official calendar for that year.

The street office loads next year's calendar from a CSV file or types it
in (`consultations.calendar_files`, docs/consultations.md "Calendar"); the open
concerns whose deadline was counted on the fallback calendar are then
counted again.

A deadline of N working days ends at the end of the N-th working day after
the day it starts from (Asia/Shanghai).

The overrides model lives here, with the arithmetic that reads it, so that
the concern models can use the arithmetic without an import cycle;
`consultations.models` exports it like every other model.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

END_OF_DAY = time(23, 59, 59)


class CalendarOverride(models.Model):
    """A day the official calendar gets wrong or does not know yet."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("is a working day"),
        help_text=_(
            "Ticked: a working day (e.g. an adjusted Saturday). Unticked: a holiday."
        ),
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} · {kind}"


@dataclass(frozen=True)
class Deadline:
    moment: datetime
    fallback: bool = False


class WorkCalendar:
    """Answers "is this a working day?" with the overrides loaded once."""

    def __init__(self, start: date, end: date) -> None:
        # The whole years, in the one query: which of them the street loaded
        # follows from the same rows.
        rows = CalendarOverride.objects.filter(
            date__year__gte=start.year, date__year__lte=end.year
        ).values_list("date", "is_workday")
        self.overrides = dict(rows)
        kinds: dict[int, set[bool]] = {}
        for day, is_workday in self.overrides.items():
            kinds.setdefault(day.year, set()).add(is_workday)
        self.loaded_years = {y for y, held in kinds.items() if held == {True, False}}
        self.fallback_used = False

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.loaded_years:
                self.fallback_used = True
            return day.weekday() < 5


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _end_of(day: date) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, END_OF_DAY), timezone.get_current_timezone()
    )


def add_working_days(start: datetime, days: int) -> Deadline:
    """The end of the `days`-th working day after `start`'s day."""
    first = _local_day(start)
    # Three calendar days per working day plus a long holiday is plenty.
    calendar = WorkCalendar(first, first + timedelta(days=days * 3 + 30))
    day = first
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return Deadline(moment=_end_of(day), fallback=calendar.fallback_used)


def add_hours(start: datetime, hours: int) -> Deadline:
    """Hour limits (emergencies, utilities) run round the clock."""
    return Deadline(moment=start + timedelta(hours=hours))


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after `start`'s day up to and including `end`'s day."""
    first, last = _local_day(start), _local_day(end)
    if last <= first:
        return 0
    calendar = WorkCalendar(first, last)
    return sum(
        calendar.is_workday(first + timedelta(days=i))
        for i in range(1, (last - first).days + 1)
    )


def is_workday(day: date) -> tuple[bool, bool]:
    """(is a working day, counted on the fallback calendar)."""
    calendar = WorkCalendar(day, day)
    return calendar.is_workday(day), calendar.fallback_used

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
in (`load_calendar`, docs/consultations.md "Calendar"); the open concerns
whose deadline was counted on the fallback calendar are then counted again
(`load_calendar` → `recompute_fallback_deadlines`).

A deadline of N working days ends at the end of the N-th working day after
the day it starts from (Asia/Shanghai).

The overrides model lives here, with the arithmetic that reads it, so that
the concern models can use the arithmetic without an import cycle;
`consultations.models` exports it like every other model.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from org.rights import require

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
        self.overrides = dict(
            CalendarOverride.objects.filter(date__range=(start, end)).values_list(
                "date", "is_workday"
            )
        )
        self.loaded_years = loaded_years(start.year, end.year)
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


def loaded_years(first: int, last: int) -> set[int]:
    """Years from `first` to `last` whose calendar the street office loaded:
    their overrides name both holidays and adjusted working days."""
    kinds = (
        CalendarOverride.objects.filter(date__year__gte=first, date__year__lte=last)
        .order_by()
        .values_list("date__year", "is_workday")
        .distinct()
    )
    found: dict[int, set[bool]] = {}
    for year, is_workday in kinds:
        found.setdefault(year, set()).add(is_workday)
    return {year for year, held in found.items() if held == {True, False}}


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


# Loading a year's calendar -------------------------------------------------

# What the file's `kind` column may say, in English or Chinese.
KIND_WORDS = {
    "holiday": False,
    "休": False,
    "假": False,
    "放假": False,
    "节假日": False,
    "workday": True,
    "班": True,
    "上班": True,
    "补班": True,
    "调休": True,
    "调休上班": True,
    "工作日": True,
}
HEADER = ("date", "kind", "name")
HEADER_ZH = ("日期", "类型", "名称")
MAX_FILE_BYTES = 200_000
MAX_ROWS = 400

EXAMPLE_CSV = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-13,holiday,春节
2027-02-14,workday,春节调休上班
2027-02-20,workday,春节调休上班
"""


@dataclass(frozen=True)
class CalendarRow:
    date: date
    is_workday: bool
    note: str = ""


@dataclass
class CalendarLoad:
    """What loading changed: days added, updated, removed; concerns re-dated."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    recomputed: int = 0
    years: list[int] = field(default_factory=list)


def _decode(data: bytes) -> str:
    # Spreadsheets on Chinese Windows save CSV as GB18030 (GBK).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GBK text."))


def _parse_day(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def parse_calendar_file(data: bytes | str) -> list[CalendarRow]:
    """The rows of a calendar CSV (date,kind,name), or every row's error.

    Raises ValidationError listing each bad row ("第 3 行：…"); nothing is
    returned in part.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(n)d KB.") % {"n": MAX_FILE_BYTES // 1000}
            )
        data = _decode(data)
    lines = list(csv.reader(io.StringIO(data)))
    errors: list[str] = []
    rows: list[CalendarRow] = []
    seen: dict[date, int] = {}
    for number, cells in enumerate(lines, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        lowered = tuple(cell.lower() for cell in cells[:3])
        if number == 1 and (lowered[:2] == HEADER[:2] or lowered[:2] == HEADER_ZH[:2]):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(
                gettext("The file has more than %(n)d rows.") % {"n": MAX_ROWS}
            )
            break
        problem = None
        day = _parse_day(cells[0]) if cells else None
        kind = cells[1].lower() if len(cells) > 1 else ""
        if len(cells) < 2:
            problem = gettext("a row needs at least a date and a kind")
        elif day is None:
            problem = gettext("the date “%(value)s” is not a date like 2027-01-01") % {
                "value": cells[0]
            }
        elif kind not in KIND_WORDS:
            problem = gettext(
                "the kind “%(value)s” is neither holiday (休) nor workday (班)"
            ) % {"value": cells[1]}
        elif len(cells) > 2 and len(cells[2]) > 100:
            problem = gettext("the name is longer than 100 characters")
        elif day in seen:
            problem = gettext("%(day)s is already on row %(row)d") % {
                "day": day,
                "row": seen[day],
            }
        if problem:
            errors.append(
                gettext("Row %(row)d: %(problem)s.")
                % {"row": number, "problem": problem}
            )
            continue
        seen[day] = number
        note = cells[2] if len(cells) > 2 else ""
        rows.append(CalendarRow(date=day, is_workday=KIND_WORDS[kind], note=note))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The file holds no days."))
    return rows


def _fallback_plan(now: datetime) -> dict[datetime, int]:
    """Each deadline of the open fallback-counted concerns still ahead →
    the working days left to it on the calendar as it stands."""
    from .models import Concern

    dues = (
        Concern.objects.open()
        .filter(due_on_fallback_calendar=True, due_at__gt=now)
        .order_by()
        .values_list("due_at", flat=True)
        .distinct()
    )
    return {due: working_days_between(now, due) for due in dues}


def recompute_fallback_deadlines(plan: dict[datetime, int], now: datetime) -> int:
    """Count the planned deadlines again on today's calendar; how many
    concerns changed.

    A deadline keeps the working days it had left (`plan`, taken before
    the calendar changed), counted from today: days already past never move
    a deadline. One UPDATE for all the concerns.
    """
    from .models import Concern

    moved: dict[datetime, Deadline] = {}
    for due, days_left in plan.items():
        new = add_working_days(now, days_left)
        if new.moment != due or not new.fallback:
            moved[due] = new
    if not moved:
        return 0
    return (
        Concern.objects.open()
        .filter(due_on_fallback_calendar=True, due_at__in=list(moved))
        .update(
            due_at=Case(
                *(
                    When(due_at=old, then=Value(new.moment))
                    for old, new in moved.items()
                )
            ),
            due_on_fallback_calendar=Case(
                *(
                    When(due_at=old, then=Value(new.fallback))
                    for old, new in moved.items()
                ),
                output_field=models.BooleanField(),
            ),
        )
    )


@transaction.atomic
def load_calendar(
    *, by, rows: Iterable[CalendarRow], remove: Iterable[date] = ()
) -> CalendarLoad:
    """Store holidays and adjusted working days (and drop `remove`), then
    count the open concerns' fallback deadlines again.

    A day already on file takes the file's kind and name.
    """
    require(by, "calendar.edit_holidays")
    rows = list(rows)
    remove = [day for day in remove if day not in {row.date for row in rows}]
    now = timezone.now()
    plan = _fallback_plan(now)
    result = CalendarLoad(years=sorted({row.date.year for row in rows}))
    if remove:
        result.removed, _by_model = CalendarOverride.objects.filter(
            date__in=remove
        ).delete()
    existing = dict(
        CalendarOverride.objects.filter(
            date__in=[row.date for row in rows]
        ).values_list("date", "pk")
    )
    result.added = sum(row.date not in existing for row in rows)
    result.updated = len(rows) - result.added
    if rows:
        CalendarOverride.objects.bulk_create(
            [
                CalendarOverride(
                    date=row.date, is_workday=row.is_workday, note=row.note
                )
                for row in rows
            ],
            update_conflicts=True,
            unique_fields=["date"],
            update_fields=["is_workday", "note"],
        )
    result.recomputed = recompute_fallback_deadlines(plan, now)
    return result

"""Loading the street office's calendar: holidays and adjusted working days.

From a CSV file (date,kind,name) or typed in (the admin,
`consultations/calendar_admin.py`); after every change the open concerns
whose deadline was counted on the fallback calendar are counted again
(docs/consultations.md "Calendar"). The arithmetic is in `deadlines.py`.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from org.rights import require

from .deadlines import (
    CalendarOverride,
    Deadline,
    add_working_days,
    working_days_between,
)
from .models import Concern

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


def fallback_plan(now: datetime) -> dict[datetime, int]:
    """Each deadline of the open fallback-counted concerns still ahead →
    the working days left to it on the calendar as it stands."""
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
    plan = fallback_plan(now)
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

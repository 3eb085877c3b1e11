"""Months and quarters: the periods the portal scores, ranks and reports by.

One definition for every app. `start` is the first day, `stop` the first day
of the next period (exclusive, for `>= start AND < stop` filters) and
`last_day` the last day inside the period. Text forms are "2026-10" and
"2026Q3".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
# Years before this are typing mistakes, not periods anyone scores.
FIRST_YEAR = 1900


def _out_of_range(value: object) -> ValidationError:
    # The last period of year 9999 has no first day after it: its `stop`,
    # the `< stop` filters and the next period do not exist.
    return ValidationError(
        _(
            "%(value)s is out of range: the latest month is 9999-11, "
            "the latest quarter 9999Q3."
        ),
        params={"value": value},
        code="period_out_of_range",
    )


def _plus_months(day: date, months: int) -> date:
    """`day` moved by `months`; a ValidationError past year 9999 or before 1."""
    try:
        return day + relativedelta(months=months)
    except (ValueError, OverflowError):
        raise _out_of_range(day.isoformat()) from None


def local_midnight(day: date) -> datetime:
    """The start of `day` in the portal's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month such as "2026-10"."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12:
            raise ValueError(f"month number {self.number}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """ "2026-10" → Month(2026, 10); anything else is a ValidationError."""
        match = MONTH_RE.match((text or "").strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < FIRST_YEAR:
            raise ValidationError(
                _("%(value)s is not a month; write it like 2026-10."),
                params={"value": text},
                code="bad_month",
            )
        month = cls(int(match[1]), int(match[2]))
        month.stop  # noqa: B018 (refuses a month that has no end)
        return month

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> Month:
        return cls.of(timezone.localdate())

    def __str__(self) -> str:
        return f"{self.year}-{self.number:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def stop(self) -> date:
        return _plus_months(self.start, 1)

    @property
    def last_day(self) -> date:
        days = calendar.monthrange(self.year, self.number)[1]
        return date(self.year, self.number, days)

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.start)

    def contains(self, day: date) -> bool:
        # Not through `stop`: December 9999 has no first day after it.
        return (day.year, day.month) == (self.year, self.number)

    def shifted(self, months: int) -> Month:
        return Month.of(_plus_months(self.start, months))

    def previous(self) -> Month:
        return self.shifted(-1)

    def next(self) -> Month:
        return self.shifted(1)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter such as "2026Q3"."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number {self.number}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """ "2026Q3" → Quarter(2026, 3); anything else is a ValidationError."""
        match = QUARTER_RE.match((text or "").strip().upper())
        if not match or int(match[1]) < FIRST_YEAR:
            raise ValidationError(
                _("%(value)s is not a quarter; write it like 2026Q3."),
                params={"value": text},
                code="bad_quarter",
            )
        quarter = cls(int(match[1]), int(match[2]))
        quarter.stop  # noqa: B018 (refuses a quarter that has no end)
        return quarter

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(timezone.localdate())

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def stop(self) -> date:
        return _plus_months(self.start, 3)

    @property
    def last_day(self) -> date:
        return Month(self.year, 3 * self.number).last_day

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = Month.of(self.start)
        return (first, first.next(), first.shifted(2))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.last_day

    def shifted(self, quarters: int) -> Quarter:
        return Quarter.of(_plus_months(self.start, 3 * quarters))

    def previous(self) -> Quarter:
        return self.shifted(-1)

    def next(self) -> Quarter:
        return self.shifted(1)

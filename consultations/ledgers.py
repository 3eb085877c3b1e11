"""The holiday calendar ledger: next year's holidays and adjusted working
days (the `CalendarOverride` rows that `consultations.deadlines` reads).

It lives here, not with the other ledgers, because the calendar is this
app's model; it registers itself on the ledger pages from the AppConfig.
After an import, the open concerns whose deadline was counted on the
fallback calendar are counted again, as after loading a calendar file.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.workbooks import CellError, cell_date, cell_text
from org.ledgers import Column, Ledger, register

from .calendar_files import KIND_WORDS, fallback_plan, recompute_fallback_deadlines
from .deadlines import CalendarOverride

HOLIDAY, WORKDAY = "放假", "上班"


def _kind(raw) -> bool:
    word = cell_text(raw).lower()
    if word not in KIND_WORDS:
        raise CellError(
            _("Allowed values: %(values)s.") % {"values": f"{HOLIDAY}、{WORKDAY}"}
        )
    return KIND_WORDS[word]


class HolidayLedger(Ledger):
    slug = "holidays"
    # No other ledger names a day; last on the page.
    rank = 200
    title = gettext_lazy("holidays and adjusted working days")
    task = "calendar.edit_holidays"

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            Column(
                "日期",
                "必填。如 2027-02-06、2027.2.6 或 2027年2月6日（文本也可）。"
                "按日期找到已登记的日子并更新。",
                "2027-02-06",
                required=True,
                field="date",
                read=cell_date,
            ),
            Column(
                "类型",
                f"必填。{HOLIDAY}（法定节假日）或 {WORKDAY}（调休上班的周末）。",
                HOLIDAY,
                required=True,
                field="is_workday",
                read=_kind,
            ),
            Column(
                "名称",
                "可留空。如 春节、国庆节调休。",
                "春节",
                field="note",
            ),
        )

    def prepare(self, user) -> None:
        self._days = {day.date: day for day in CalendarOverride.objects.all()}
        # The deadlines ahead, as counted before the calendar changes.
        self._now = timezone.now()
        self._plan = fallback_plan(self._now)

    def build(self, row, values, user):
        day = CalendarOverride(
            date=values["日期"],
            is_workday=values["类型"],
            note=values["名称"] or "",
        )
        return day.date, day

    def existing(self, key):
        return self._days.get(key)

    def remember(self, key, instance) -> None:
        self._days[key] = instance

    def finish(self) -> None:
        recompute_fallback_deadlines(self._plan, self._now)

    def export_rows(self, user):
        for day in CalendarOverride.objects.order_by("date"):
            yield [day.date, WORKDAY if day.is_workday else HOLIDAY, day.note]


def register_ledgers() -> None:
    register(HolidayLedger())

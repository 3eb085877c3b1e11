"""The ledgers of civic/ as workbooks: meetings with their decisions,
disclosures and visit-day reports with the needs heard (see `org.exports`)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.xlsx import Sheet
from org.exports import Field, Ledger, sheet_of

from .models import Disclosure, Meeting, MeetingDecision, VisitNeed, VisitReport


def meeting_sheets(meetings: QuerySet, user) -> list[Sheet]:
    decisions = MeetingDecision.objects.filter(meeting__in=meetings.values("pk"))
    return [
        sheet_of(
            _("meetings"),
            meetings.order_by("-date", "-pk"),
            [
                "date",
                "kind",
                "title",
                Field("compound__name", _("compound")),
                Field("community__name", _("community")),
                "place",
                "host",
                "status",
                "attendee_count",
                "attending_organisations",
                "minutes",
            ],
        ),
        sheet_of(
            _("decisions"),
            decisions.order_by("-meeting__date", "meeting_id", "order", "pk"),
            [
                Field("meeting__date", _("meeting date")),
                Field("meeting__title", _("meeting")),
                "order",
                "text",
                "is_published",
                "published_on",
            ],
        ),
    ]


def disclosure_sheets(disclosures: QuerySet, user) -> list[Sheet]:
    return [
        sheet_of(
            _("disclosures"),
            disclosures.order_by("-published_on", "-pk"),
            [
                "published_on",
                Field("compound__name", _("compound")),
                "kind",
                "title",
                "content",
                "objection_until",
                Field("meeting__title", _("meeting")),
            ],
        )
    ]


def visit_report_sheets(reports: QuerySet, user) -> list[Sheet]:
    needs = VisitNeed.objects.filter(report__in=reports.values("pk"))
    return [
        sheet_of(
            _("visit-day reports"),
            reports.order_by("-date", "compound__name"),
            [
                "date",
                Field("compound__name", _("compound")),
                Field("company__name", _("company")),
                Field("manager__username", _("filed by")),
                "households_visited",
                "notes",
            ],
        ),
        sheet_of(
            _("needs heard"),
            needs.order_by("-report__date", "report_id", "pk"),
            [
                Field("report__date", _("visit day")),
                Field("report__compound__name", _("compound")),
                "text",
                Field("concern__tracking_code", _("concern")),
            ],
        ),
    ]


MEETINGS = Ledger(
    "meetings", gettext_lazy("Meetings and decisions"), Meeting, meeting_sheets
)
DISCLOSURES = Ledger(
    "disclosures", gettext_lazy("Disclosure ledger"), Disclosure, disclosure_sheets
)
VISIT_REPORTS = Ledger(
    "visit-reports", gettext_lazy("Visit-day reports"), VisitReport, visit_report_sheets
)

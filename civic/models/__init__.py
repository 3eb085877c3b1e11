"""Models of the civic app, one module per area.

visits: visit days; meetings: consultation meetings; disclosures: public
disclosures and the residents' objections to them.
"""

from .disclosures import Disclosure, DisclosureObjection, validate_disclosure_attachment
from .meetings import ActionItem, Meeting, MeetingAgendaItem, MeetingDecision
from .visits import VisitDayOverride, VisitNeed, VisitPhoto, VisitReport

__all__ = [
    "ActionItem",
    "Disclosure",
    "DisclosureObjection",
    "Meeting",
    "MeetingAgendaItem",
    "MeetingDecision",
    "VisitDayOverride",
    "VisitNeed",
    "VisitPhoto",
    "VisitReport",
    "validate_disclosure_attachment",
]

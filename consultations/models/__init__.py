"""Models of the consultations app: residents' concerns and their workflow.

The calendar overrides are defined in `consultations.deadlines`, beside the
working-day arithmetic the concern models use, and exported here.
"""

from ..deadlines import CalendarOverride
from .concerns import (
    Concern,
    ConcernCategory,
    ConcernChildQuerySet,
    ConcernEvent,
    ConcernHold,
    ConcernPhoto,
    ConcernQuerySet,
    Notification,
    new_tracking_code,
)
from .held import HeldPhoto
from .themes import Theme

__all__ = [
    "CalendarOverride",
    "Concern",
    "ConcernCategory",
    "ConcernChildQuerySet",
    "ConcernEvent",
    "ConcernHold",
    "ConcernPhoto",
    "ConcernQuerySet",
    "HeldPhoto",
    "Notification",
    "Theme",
    "new_tracking_code",
]

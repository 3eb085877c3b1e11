"""Models of the consultations app: residents' concerns and their workflow.

`calendar` is a module of its own so that the deadline arithmetic, which the
concern models use, can read the overrides without importing them back.
"""

from .calendar import CalendarOverride
from .concerns import (
    Concern,
    ConcernCategory,
    ConcernEvent,
    ConcernHold,
    ConcernPhoto,
    ConcernQuerySet,
    Notification,
    new_tracking_code,
)

__all__ = [
    "CalendarOverride",
    "Concern",
    "ConcernCategory",
    "ConcernEvent",
    "ConcernHold",
    "ConcernPhoto",
    "ConcernQuerySet",
    "Notification",
    "new_tracking_code",
]

"""What each role may do with assessments (see `org.roles`).

The scope (which rows) comes from `visible_to`; the sealed draw is further
limited to the street's cadres by its queryset.
"""

from org.roles import (
    COMMUNITY_STAFF,
    GRID_BRANCH,
    INSPECTOR,
    PROPERTY_MANAGER,
    STREET_OFFICE,
    perms,
    view,
)

_SCHEME = ("assessmentscheme", "schemecategory")
_INSPECTIONS = ("inspection", "inspectionplan", "rectificationnotice")

PERMISSIONS = {
    STREET_OFFICE: perms("assessments", *_SCHEME) + view("assessments", *_INSPECTIONS),
    COMMUNITY_STAFF: view("assessments", *_SCHEME, "inspection", "rectificationnotice"),
    GRID_BRANCH: view("assessments", "inspection", "rectificationnotice"),
    PROPERTY_MANAGER: view("assessments", "rectificationnotice"),
    INSPECTOR: view("assessments", *_SCHEME, *_INSPECTIONS),
}

# The assessment tasks of the rights table (`org.rights`): inspections and
# rectification, then the street office's cycle (scheme, scoring, ranking,
# rewards, exit).
INSPECTION_TASKS: tuple = ()
CYCLE_TASKS: tuple = ()
TASKS = (*INSPECTION_TASKS, *CYCLE_TASKS)

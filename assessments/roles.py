"""What each role may do with assessments (see `org.rights` and `org.roles`).

The scope (which rows) comes from `visible_to`: a resident representative
sees only the inspections it sat on, company staff the submitted
inspections of the compounds it serves and those behind its notices; the
sealed draw is further limited to the street's cadres by its queryset.
"""

from django.utils.translation import gettext_lazy as _

from org.rights import COMPANY, INSPECTING, ORG_STAFF, STREET, Role, Task
from org.roles import COMMUNITY_STAFF, INSPECTOR, STREET_OFFICE, perms, view

_SCHEME = ("assessmentscheme", "schemecategory")

PERMISSIONS = {
    STREET_OFFICE: perms("assessments", *_SCHEME),
    COMMUNITY_STAFF: view("assessments", *_SCHEME),
    INSPECTOR: view("assessments", *_SCHEME),
}

# Cadres: the street office and the inspector cadres; resident
# representatives sit on panels but amend, notify and draw nothing.
_CADRES = STREET | {Role.INSPECTOR}

# The assessment tasks of the rights table (`org.rights`): inspections and
# rectification, then the street office's cycle (scheme, scoring, ranking,
# rewards, exit).
INSPECTION_TASKS: tuple = (
    Task(
        "assessments.view_inspections",
        _("view inspections and their deductions"),
        ORG_STAFF | INSPECTING | COMPANY,
        permissions=tuple(
            view("assessments", "inspection", "inspectionitemresult")
            + view("assessments", "rectificationnotice", "rectificationround")
        ),
    ),
    Task(
        "assessments.start_inspection",
        _("start an inspection and fill in its sheet"),
        STREET | INSPECTING,
        permissions=tuple(view("assessments", "inspectionpanelmember")),
    ),
    Task(
        "assessments.submit_inspection",
        _("submit and lock an inspection"),
        STREET | INSPECTING,
    ),
    Task(
        "assessments.amend_inspection",
        _("amend a submitted inspection"),
        _CADRES,
    ),
    Task(
        "assessments.draw_plan",
        _("draw and seal the monthly inspection plan"),
        _CADRES,
        permissions=tuple(view("assessments", "inspectionplan", "plannedvisit")),
    ),
    Task(
        "assessments.raise_rectification",
        _("raise a rectification notice"),
        _CADRES,
    ),
    Task(
        "assessments.answer_rectification",
        _("answer a rectification notice"),
        COMPANY,
    ),
    Task(
        "assessments.recheck_rectification",
        _("re-check a rectification"),
        _CADRES,
    ),
)
CYCLE_TASKS: tuple = ()
TASKS = (*INSPECTION_TASKS, *CYCLE_TASKS)

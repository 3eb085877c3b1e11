"""What each role may do with assessments (see `org.rights` and `org.roles`).

The scope (which rows) comes from `visible_to`: a resident representative
sees only the inspections it sat on, company staff the submitted
inspections of the compounds it serves and those behind its notices; the
sealed draw is further limited to the street's cadres by its queryset.
The street office's cycle (scheme versions, scoring runs, bonus points,
rewards, the exit ladder) is in `CYCLE_TASKS`; docs/assessments.md
describes it.
"""

from django.utils.translation import gettext_lazy as _

from org.rights import COMPANY, INSPECTING, ORG_STAFF, STREET, Role, Task
from org.roles import COMMUNITY_STAFF, INSPECTOR, STREET_OFFICE, perms, view

_SCHEME = ("assessmentscheme", "schemecategory")

# What the street office reads of its cycle (its tasks below add the rest).
_SCORES = (
    "monthlycompoundscore",
    "monthlycompanyscore",
    "quarterlyranking",
    "scoringrun",
    "quarterlybonus",
    "reward",
    "exitladderstep",
    "exitcase",
    "exitevent",
)

PERMISSIONS = {
    STREET_OFFICE: perms("assessments", *_SCHEME) + view("assessments", *_SCORES),
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


def _perms(*models: str, actions=("view", "add", "change", "delete")) -> tuple:
    return tuple(perms("assessments", *models, actions=actions))


CYCLE_TASKS: tuple = (
    Task(
        "assessments.edit_scheme",
        _("edit a new version of the assessment scheme"),
        STREET,
        permissions=_perms(
            "assessmentscheme", "schemecategory", "schemeitem", "vetorule", "prizetier"
        ),
    ),
    Task(
        "assessments.start_scoring_run",
        _("start a month's scoring or a quarter's ranking"),
        STREET,
        permissions=_perms("scoringrun", actions=("view",)),
    ),
    Task(
        "assessments.publish_notice",
        _("publish a quarter's notice with its document number"),
        STREET,
        permissions=_perms("quarternotice", actions=("view",))
        + _perms("noticeseries", actions=("view", "change")),
    ),
    Task(
        "assessments.print_notice",
        _("print the street's quarterly notice"),
        STREET,
    ),
    Task(
        "assessments.rerank_published_quarter",
        _("rank a published quarter again, with a recorded decision"),
        STREET,
        permissions=_perms("quarterrerank", actions=("view",)),
    ),
    Task(
        "assessments.enter_bonus",
        _("enter quarterly bonus points"),
        STREET,
        permissions=_perms("quarterlybonus"),
    ),
    Task(
        "assessments.approve_reward",
        _("approve a reward"),
        STREET,
        permissions=_perms("reward", actions=("view", "change")),
    ),
    Task(
        "assessments.pay_reward",
        _("record a reward's payment"),
        STREET,
        permissions=_perms("reward", actions=("view", "change")),
    ),
    Task(
        "assessments.record_exit_step",
        _("record a step of the exit ladder"),
        STREET,
        permissions=_perms("exitladderstep", "exitcase", actions=("view", "change"))
        + _perms("exitevent", actions=("view", "add"))
        + _perms("exitcasedocument"),
    ),
    Task(
        "assessments.decide_exit",
        _("decide a company's exit and its handover date"),
        STREET,
        permissions=_perms("exitcase", actions=("view", "change"))
        + ("compounds.view_servicecontract",),
    ),
)
TASKS = (*INSPECTION_TASKS, *CYCLE_TASKS)

"""What each role may do with residents' concerns (see `org.rights`).

One task per workflow verb, made from the verb table (`workflow.ACTIONS`,
its `roles`), so the table and the verbs cannot disagree; then reading
concerns (their residents' contact details on the staff pages and the API),
keeping the categories and placing concerns reported outside the list.
The rating is the resident's, through the rating link, and has no task.
"""

from django.utils.translation import gettext_lazy as _

from org.rights import COMMUNITY, COMPANY, ORG_STAFF, STREET, Task
from org.roles import perms, view

from .workflow import ACTIONS

VERB_TASKS = tuple(
    Task(action.task, action.task_label, action.roles)
    for action in ACTIONS.values()
    if action.roles
)

# A concern whose compound was not in the public form's list sits in the
# community the resident chose, with no grid, until the community or the
# street office assigns one (services.assign_compound). Grid staff do not
# see it before that.
PLACE_TASKS = (
    Task(
        "consultations.assign_compound",
        _("assign the compound of a concern reported as not in the list"),
        STREET | COMMUNITY,
    ),
)

TASKS = (
    *VERB_TASKS,
    Task(
        "consultations.read_concerns",
        _("read residents' concerns"),
        # Company staff: the concerns dispatched to their company (scope).
        ORG_STAFF | COMPANY,
        permissions=tuple(view("consultations", "concern", "concernevent")),
    ),
    # The full number of a resident, each reveal in the audit trail; company
    # staff only on the concerns dispatched to their company (scope).
    Task(
        "consultations.reveal_phone",
        _("view a resident's full phone number"),
        ORG_STAFF | COMPANY,
    ),
    Task(
        "consultations.edit_categories",
        _("keep the concern categories and their deadlines"),
        STREET,
        permissions=tuple(
            perms("consultations", "concerncategory", actions=("view", "add", "change"))
        ),
    ),
    *PLACE_TASKS,
    # Themes (外墙保温, 停车…) are what the overview counts resolved issues
    # under: the street office keeps the list, staff tag concerns.
    Task(
        "consultations.tag_themes",
        _("tag concerns with themes"),
        ORG_STAFF,
    ),
    Task(
        "consultations.edit_themes",
        _("keep the list of themes"),
        STREET,
        permissions=tuple(
            perms("consultations", "theme", actions=("view", "add", "change"))
        ),
    ),
)

"""What the roles may do with the portal's own pages and models (see
`org.rights`)."""

from django.utils.translation import gettext_lazy as _

from org.rights import COMPANY, INSPECTING, ORG_STAFF, STREET, Task
from org.roles import perms

TASKS = (
    # 我的待办, the first page after login: each role its own list.
    Task(
        "jiyang.view_my_tasks",
        _("see one's own to-do list"),
        ORG_STAFF | INSPECTING | COMPANY,
    ),
    # The street overview (/overview/): street, community and grid staff,
    # each for the units under their posts.
    Task(
        "jiyang.view_overview",
        _("see the street overview of one's units"),
        ORG_STAFF,
    ),
    # The login lockouts (django-axes): the street office sees them and
    # lifts one by deleting its access attempt.
    Task(
        "jiyang.lift_login_lockout",
        _("lift a login lockout"),
        STREET,
        permissions=tuple(
            perms(
                "axes",
                "accessattempt",
                "accessfailurelog",
                "accesslog",
                actions=("view", "delete"),
            )
        ),
    ),
)

"""What each role may do with visit days, meetings and disclosures.

The tasks of the rights table (`org.rights`) decide WHAT; the scope rule
(`visible_to`) decides WHERE. The admin's model permissions come from the
same tasks (`Task.permissions`), and `PERMISSIONS` adds what is only read.

Who publishes disclosures: street, community and grid staff publish any
kind on the compounds under them. The serving company publishes its own
duties of disclosure on the compounds it serves: service standards, fees,
finances, common-area income and the maintenance fund (Civil Code art. 943;
the service-grade standard's "display services and fees, publish finances
every six months", research notes §1.1 and §2.1). Party affairs and meeting
decisions are the office's. Inspector cadres and resident representatives
publish none.
"""

from django.utils.translation import gettext_lazy as _

from org.rights import COMMUNITY, COMPANY, ORG_STAFF, STREET, Task
from org.roles import (
    COMMUNITY_STAFF,
    GRID_BRANCH,
    PROPERTY_MANAGER,
    STREET_OFFICE,
    perms,
    view,
)

_VISITS = ("visitreport", "visitneed", "visitphoto")
_MEETINGS = ("meeting", "meetingagendaitem", "meetingdecision", "actionitem")

# Read-only rights that no task carries.
PERMISSIONS = {
    STREET_OFFICE: view("civic", *_VISITS, *_MEETINGS, "disclosure"),
    COMMUNITY_STAFF: view("civic", *_VISITS, *_MEETINGS, "disclosure"),
    GRID_BRANCH: view("civic", *_VISITS, *_MEETINGS, "disclosure"),
    PROPERTY_MANAGER: view("civic", *_VISITS, "disclosure"),
}

TASKS = (
    Task(
        "civic.plan_meeting",
        _("plan a meeting and its agenda"),
        ORG_STAFF,
        permissions=tuple(
            perms(
                "civic",
                "meeting",
                "meetingagendaitem",
                actions=("view", "add", "change"),
            )
        ),
    ),
    Task(
        "civic.record_decisions",
        _("close a meeting with its minutes and decisions"),
        ORG_STAFF,
        permissions=tuple(
            perms("civic", "meetingdecision", actions=("view", "add", "change"))
            + view("civic", "meeting", "actionitem")
        ),
    ),
    Task(
        "civic.complete_action_item",
        _("mark a meeting's action item done"),
        STREET | COMMUNITY,
        permissions=tuple(
            perms("civic", "actionitem", actions=("view", "change"))
            + view("civic", "meeting", "meetingdecision")
        ),
    ),
    Task(
        "civic.file_visit_report",
        _("file a visit-day report"),
        COMPANY,
        permissions=tuple(perms("civic", *_VISITS, actions=("view", "add"))),
    ),
    Task(
        "civic.turn_need_into_concern",
        _("turn a need heard on a visit day into a concern"),
        ORG_STAFF | COMPANY,
    ),
    Task(
        "civic.set_visit_day",
        _("set a month's visit day"),
        STREET,
        permissions=tuple(perms("civic", "visitdayoverride")),
    ),
    Task(
        "civic.publish_disclosure",
        _("publish any disclosure (party affairs, meeting decisions too)"),
        ORG_STAFF,
        permissions=tuple(
            perms("civic", "disclosure", actions=("view", "add", "change"))
        ),
    ),
    Task(
        "civic.publish_service_disclosure",
        _("publish services, fees, finances, common-area income or maintenance fund"),
        ORG_STAFF | COMPANY,
    ),
)

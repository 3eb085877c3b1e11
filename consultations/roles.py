"""What each role may do with residents' concerns (see `org.rights`)."""

from django.utils.translation import gettext_lazy as _

from org.rights import ORG_STAFF, Task

# A concern whose compound was not in the public form's list waits for
# staff of its area to assign one (services.assign_compound).
PLACE_TASKS = (
    Task(
        "consultations.assign_compound",
        _("assign the compound of a concern reported as not in the list"),
        ORG_STAFF,
    ),
)

TASKS = (*PLACE_TASKS,)

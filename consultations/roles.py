"""What each role may do with residents' concerns (see `org.rights`)."""

from django.utils.translation import gettext_lazy as _

from org.rights import COMMUNITY, STREET, Task

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

TASKS = (*PLACE_TASKS,)

"""What the roles may do with the portal-wide models (see `org.roles`)."""

from org.roles import STREET_OFFICE, perms

# The street office sees the login lockouts (django-axes) and lifts one by
# deleting its access attempt.
PERMISSIONS = {
    STREET_OFFICE: perms(
        "axes",
        "accessattempt",
        "accessfailurelog",
        "accesslog",
        actions=("view", "delete"),
    ),
}

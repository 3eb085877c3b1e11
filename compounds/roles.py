"""What each role may do with compounds and companies (see `org.roles`)."""

from django.utils.translation import gettext_lazy as _

from org.rights import COMMUNITY, COMPANY, ORG_STAFF, STREET, Task
from org.roles import (
    COMMUNITY_STAFF,
    GRID_BRANCH,
    INSPECTOR,
    PROPERTY_MANAGER,
    RESIDENT_REPRESENTATIVE,
    STREET_OFFICE,
    perms,
    view,
)

_ALL = (
    "propertycompany",
    "partyorganisation",
    "partyinstructor",
    "companystaff",
    "compound",
    "servicecontract",
    "servicepackage",
    "packagemembership",
    "committee",
    "committeemember",
    "buildinghead",
    "facility",
)
# Kept by the community and its grids, under the street's eye.
_LOCAL = ("compound", "committee", "committeemember", "buildinghead", "facility")

PERMISSIONS = {
    STREET_OFFICE: perms("compounds", *_ALL),
    COMMUNITY_STAFF: view("compounds", *_ALL)
    + perms("compounds", *_LOCAL, actions=("add", "change")),
    GRID_BRANCH: view("compounds", *_ALL)
    + perms("compounds", "committeemember", "buildinghead", actions=("add", "change"))
    + perms("compounds", "compound", "committee", "facility", actions=("change",)),
    PROPERTY_MANAGER: view(
        "compounds",
        "propertycompany",
        "partyorganisation",
        "partyinstructor",
        "companystaff",
        "compound",
        "servicecontract",
        "servicepackage",
        "packagemembership",
        "committee",
        "buildinghead",
        "facility",
    )
    + perms("compounds", "facility", actions=("add", "change")),
    INSPECTOR: view(
        "compounds", "propertycompany", "compound", "committee", "facility"
    ),
    # A resident representative reads what an inspection panel needs of
    # the compounds, as the cadres do; nothing of residents.
    RESIDENT_REPRESENTATIVE: view(
        "compounds", "propertycompany", "compound", "committee", "facility"
    ),
}

# 扫码说事 posters (compounds/views.py): staff of the area print them for
# the compounds under their posts.
POSTER_TASKS = (
    Task(
        "compounds.print_posters",
        _("print the scan-to-report posters of one's compounds"),
        ORG_STAFF,
    ),
)

# The compounds tasks of the rights table (`org.rights`).
TASKS = (
    # A company keeps its own staff (never another company's); the street
    # keeps every company's of its street. Community and grid staff read
    # them (PERMISSIONS above). The picker needs the people's admin.
    Task(
        "compounds.edit_company_staff",
        _("add and remove a company's staff"),
        STREET | COMPANY,
        permissions=(
            *perms("compounds", "companystaff", actions=("view", "add", "change")),
            "org.view_person",
        ),
    ),
    *POSTER_TASKS,
    # Ledger workbooks (compounds/ledgers.py): a community brings in its own
    # compounds (rows outside it are refused); companies are filed with the
    # street, so only the street office brings them in.
    Task(
        "compounds.import_compounds",
        _("import the compounds ledger from Excel"),
        STREET | COMMUNITY,
    ),
    Task(
        "compounds.import_companies",
        _("import the property companies ledger from Excel"),
        STREET,
    ),
    Task(
        "compounds.import_contracts",
        _("import the service contracts ledger from Excel"),
        STREET,
    ),
    Task(
        "compounds.import_packages",
        _("import the service packages ledger from Excel"),
        STREET,
    ),
    Task(
        "compounds.import_committees",
        _("import the committees and committee members ledgers from Excel"),
        STREET | COMMUNITY,
    ),
    Task(
        "compounds.import_building_heads",
        _("import the building heads ledger from Excel"),
        STREET | COMMUNITY,
    ),
    Task(
        "compounds.import_facilities",
        _("import the facilities and upgrades ledger from Excel"),
        STREET | COMMUNITY,
    ),
)

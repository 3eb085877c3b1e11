"""The demo street rebuilt from its exported workbooks into an empty
database gives the same records (manage.py export_ledgers, then
manage.py rebuild_from_ledgers after the tables are emptied)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from compounds.models import (
    BuildingHead,
    Committee,
    CommitteeMember,
    Compound,
    Facility,
    PackageMembership,
    PropertyCompany,
    ServiceContract,
    ServicePackage,
)
from consultations.deadlines import CalendarOverride
from org.ledgers import LEDGERS
from org.models import OrgUnit, Post, User

from .conftest import need

pytestmark = pytest.mark.django_db


def _person(person) -> tuple:
    return (
        person.name,
        person.phone,
        person.gender,
        person.is_party_member,
        person.unit.name,
    )


def snapshot() -> dict[str, list]:
    """The key fields of every record a ledger holds, model by model."""
    units = OrgUnit.objects.select_related("parent")
    compounds = Compound.objects.select_related("community", "grid", "party_group")
    return {
        "units": sorted(
            (
                u.kind,
                u.name,
                u.parent.name if u.parent else "",
                u.code,
                u.code_is_synthetic,
                u.address,
                u.phone,
                u.established,
                u.notes,
            )
            for u in units
        ),
        "posts": sorted(
            (
                *_person(p.person),
                p.person.work_unit,
                p.unit.name,
                p.role,
                str(p.start),
                str(p.end),
            )
            for p in Post.objects.select_related("person__unit", "unit")
        ),
        "companies": sorted(
            (
                c.credit_code,
                c.name,
                c.registered_with.name,
                c.legal_representative,
                c.contact_person,
                c.contact_phone,
                c.address,
                c.party_member_count,
                c.notes,
            )
            for c in PropertyCompany.objects.select_related("registered_with")
        ),
        "compounds": sorted(
            (
                c.community.name,
                c.name,
                c.grid.name,
                c.party_group.name if c.party_group else "",
                c.kind,
                c.management_mode,
                c.households,
                c.buildings,
                c.year_built or 0,
                c.service_grade,
                c.address,
                c.lacks_supervising_unit,
                c.lacks_property_service,
                c.lacks_security,
                c.notes,
            )
            for c in compounds
        ),
        "contracts": sorted(
            (
                c.compound.name,
                c.company.credit_code,
                c.start,
                str(c.end),
                str(c.monthly_fee_per_sqm),
            )
            for c in ServiceContract.objects.select_related("compound", "company")
        ),
        "packages": sorted(
            (
                p.name,
                p.company.credit_code,
                p.lead_compound.name,
                p.start,
                str(p.end),
                p.notes,
            )
            for p in ServicePackage.objects.select_related("company", "lead_compound")
        ),
        "memberships": sorted(
            (m.package.name, m.compound.name, m.start, str(m.end))
            for m in PackageMembership.objects.select_related("package", "compound")
        ),
        "committees": sorted(
            (
                c.compound.name,
                c.name,
                c.kind,
                c.established,
                c.term_start,
                c.term_end,
                c.has_party_organisation,
                c.is_benchmark,
                c.modelled_on.name if c.modelled_on else "",
            )
            for c in Committee.objects.select_related("compound", "modelled_on")
        ),
        "members": sorted(
            (m.committee.name, *_person(m.person), m.role)
            for m in CommitteeMember.objects.select_related("committee", "person__unit")
        ),
        "heads": sorted(
            (h.compound.name, h.building, *_person(h.person), str(h.start), str(h.end))
            for h in BuildingHead.objects.select_related("compound", "person__unit")
        ),
        "facilities": sorted(
            (
                f.kind,
                f.community.name,
                f.compound.name if f.compound else "",
                f.grid.name if f.grid else "",
                f.location,
                f.count,
                str(f.completed_on),
                f.notes,
            )
            for f in Facility.objects.select_related("community", "compound", "grid")
        ),
        "holidays": sorted(
            CalendarOverride.objects.values_list("date", "is_workday", "note")
        ),
    }


def test_the_demo_street_rebuilds_from_its_workbooks_into_an_empty_database(
    tmp_path, django_db_blocker
):
    from django.db import connection

    need(connection.vendor == "postgresql", "the rebuild test runs on PostgreSQL")
    call_command("load_demo", verbosity=0)
    CalendarOverride.objects.create(date="2031-01-01", is_workday=False, note="元旦")
    CalendarOverride.objects.create(date="2031-01-04", is_workday=True, note="调休")
    call_command("export_ledgers", tmp_path, user="admin", verbosity=0)
    before = snapshot()
    assert all(before.values()), [name for name, rows in before.items() if not rows]
    assert {path.stem for path in tmp_path.glob("*.xlsx")} == set(LEDGERS)

    # An empty database: every table emptied (role groups come back, as
    # after migrate), then the one superuser an operator creates.
    with connection.cursor() as cursor:
        # The test's transaction holds deferred foreign-key checks, which
        # TRUNCATE refuses to run past.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    assert not OrgUnit.objects.exists() and not Compound.objects.exists()
    User.objects.create_superuser("root", "root@example.invalid", "x")

    call_command("rebuild_from_ledgers", tmp_path, verbosity=0)

    after = snapshot()
    for name in before:
        assert len(after[name]) == len(before[name]), name
        assert after[name] == before[name], name


def test_a_second_rebuild_changes_nothing(tmp_path, superuser, compound, capsys):
    call_command("export_ledgers", tmp_path, verbosity=0)
    before = snapshot()
    capsys.readouterr()

    call_command("rebuild_from_ledgers", tmp_path)

    assert snapshot() == before
    lines = capsys.readouterr().out.splitlines()
    assert {line.split(":")[0] for line in lines} >= {"units", "compounds"}
    assert all(": 0 created, 0 updated" in line for line in lines), lines


def test_a_folder_with_a_bad_workbook_stops_with_the_problems(tmp_path, superuser):
    from django.core.management.base import CommandError

    from .ledgers import workbook

    (tmp_path / "units.xlsx").write_bytes(
        workbook(
            ["层级", "名称", "上级单位"], ["社区", "无处社区", "没有的街道"]
        ).read()
    )

    with pytest.raises(CommandError, match="units: 1"):
        call_command("rebuild_from_ledgers", tmp_path)
    assert not OrgUnit.objects.exists()

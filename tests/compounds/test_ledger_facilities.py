"""The facilities-and-upgrades ledger: charging piles, gas conversions…"""

import pytest

from compounds.models import Facility
from org.models import AuditEvent

from ..factories import CompoundFactory, GridFactory
from ..ledgers import exported, messages, run, workbook

pytestmark = pytest.mark.django_db

HEADERS = ["类型", "社区", "小区名称", "位置", "数量", "完成日期"]


def test_good_rows_create_facilities_in_and_outside_compounds(street_admin, compound):
    upload = workbook(
        HEADERS,
        [
            "电动车充电桩（组）",
            compound.community.name,
            compound.name,
            "",
            6,
            "2024.6.30",
        ],
        ["液化气罐改管道", compound.community.code, "", "竹竿巷", "", ""],
        ["智能门禁", compound.community.name, compound.name, "东门", "２", ""],
    )

    report = run("facilities", upload, street_admin)

    assert report.applied, messages(report)
    piles = Facility.objects.get(kind=Facility.Kind.EV_CHARGER)
    assert (piles.count, str(piles.completed_on), piles.grid) == (
        6,
        "2024-06-30",
        compound.grid,
    )
    lane = Facility.objects.get(kind=Facility.Kind.GAS_PIPELINE)
    assert (lane.compound, lane.community, lane.count) == (None, compound.community, 1)


def test_bad_rows_are_errors(street_admin, compound):
    upload = workbook(
        HEADERS,
        ["充电桩", compound.community.name, compound.name, "", 1, ""],
        ["智能门禁", compound.community.name, "", "", 1, ""],
        ["智能门禁", compound.community.name, compound.name, "", "六个", ""],
        ["智能门禁", compound.community.name, compound.name, "北门", 0, ""],
    )

    report = run("facilities", upload, street_admin)

    assert [(p.row, p.column) for p in report.problems] == [
        (2, "类型"),
        (3, "位置"),
        (4, "数量"),
        (5, "数量"),
    ]
    assert not Facility.objects.exists()


def test_reimport_is_a_no_op_and_a_change_updates_with_audit(street_admin, compound):
    row = ["智能门禁", compound.community.name, compound.name, "东门", 2, ""]
    run("facilities", workbook(HEADERS, row), street_admin)
    assert (
        run("facilities", workbook(HEADERS, row), street_admin).count("unchanged") == 1
    )

    row[4] = 3
    assert run("facilities", workbook(HEADERS, row), street_admin).count("update") == 1
    assert Facility.objects.get().count == 3
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).latest(
        "pk"
    )
    assert "2 → 3" in event.detail


def test_community_staff_import_only_their_community(
    community_staff, compound, other_community
):
    far = CompoundFactory(grid=GridFactory(parent=other_community))
    upload = workbook(
        HEADERS,
        ["智能门禁", far.community.name, far.name, "", 1, ""],
        ["液化气罐改管道", other_community.name, "", "柳行巷", 1, ""],
        ["智能门禁", compound.community.name, compound.name, "", 1, ""],
    )

    report = run("facilities", upload, community_staff)

    assert [(p.row, p.column) for p in report.problems] == [
        (2, "小区名称"),
        (3, "社区"),
    ]


def test_export_then_import_changes_nothing(street_admin, compound):
    Facility.objects.create(kind=Facility.Kind.PARKING, compound=compound, count=20)
    Facility.objects.create(
        kind=Facility.Kind.ROAD_REPAIR, community=compound.community, location="竹竿巷"
    )

    report = run("facilities", exported("facilities", street_admin), street_admin)

    assert report.applied, messages(report)
    assert (report.count("unchanged"), report.count("update")) == (2, 0)

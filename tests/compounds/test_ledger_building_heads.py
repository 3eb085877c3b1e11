"""The building heads ledger: one head per building of a compound."""

import pytest

from compounds.models import BuildingHead
from org.models import AuditEvent

from ..factories import CompoundFactory, GridFactory, PersonFactory
from ..ledgers import exported, messages, run, workbook

pytestmark = pytest.mark.django_db

HEADERS = ["社区", "小区名称", "楼栋", "姓名", "手机", "任职起", "任职止"]


def head(compound, building="3号楼", name="王芳", phone="", start="2021.5.1", end=""):
    return [compound.community.name, compound.name, building, name, phone, start, end]


def test_good_rows_create_heads_matched_by_compound_and_building(
    street_admin, compound
):
    upload = workbook(HEADERS, head(compound), head(compound, "", "李强"))

    report = run("building-heads", upload, street_admin)

    assert report.applied, messages(report)
    assert dict(BuildingHead.objects.values_list("building", "person__name")) == {
        "3号楼": "王芳",
        "": "李强",
    }


def test_reimport_is_a_no_op_and_a_new_head_updates_with_audit(street_admin, compound):
    run("building-heads", workbook(HEADERS, head(compound)), street_admin)

    again = run("building-heads", workbook(HEADERS, head(compound)), street_admin)
    assert again.count("unchanged") == 1

    changed = run(
        "building-heads", workbook(HEADERS, head(compound, name="赵六")), street_admin
    )
    assert changed.count("update") == 1
    assert BuildingHead.objects.get().person.name == "赵六"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).latest(
        "pk"
    )
    assert "王芳 → 赵六" in event.detail


def test_bad_rows_are_errors_and_nothing_changes(street_admin, compound):
    PersonFactory(name="张伟", unit=compound.grid)
    PersonFactory(name="张伟", unit=compound.grid)
    upload = workbook(
        HEADERS,
        head(compound, "1号楼"),
        head(compound, "2号楼", start="2024-01-01", end="2023-01-01"),
        head(compound, "4号楼", name="张伟"),
        head(compound, "5号楼", start="去年"),
        ["不存在的社区", compound.name, "6号楼", "孙七", "", "", ""],
    )

    report = run("building-heads", upload, street_admin)

    assert [(p.row, p.column) for p in report.problems] == [
        (3, "任职止"),
        (4, "姓名"),
        (5, "任职起"),
        (6, "社区"),
    ]
    assert not BuildingHead.objects.exists()


def test_community_staff_import_only_their_community(
    community_staff, compound, other_community
):
    far = CompoundFactory(grid=GridFactory(parent=other_community))

    report = run(
        "building-heads",
        workbook(HEADERS, head(compound), head(far)),
        community_staff,
    )

    assert messages(report) == [(3, "小区名称", "超出您的管辖范围。")]


def test_export_then_import_changes_nothing(street_admin, compound):
    run(
        "building-heads",
        workbook(HEADERS, head(compound, phone="13900000001")),
        street_admin,
    )

    report = run(
        "building-heads", exported("building-heads", street_admin), street_admin
    )

    assert report.applied, messages(report)
    assert (report.count("unchanged"), report.count("update")) == (1, 0)

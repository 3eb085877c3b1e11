"""The communities-and-grids ledger: the units of a street from Excel."""

import pytest

from org.models import AuditEvent, OrgUnit

from ..ledgers import exported, messages, run, workbook

pytestmark = pytest.mark.django_db

HEADERS = ["层级", "名称", "上级单位", "代码", "地址"]


def test_good_rows_create_a_community_with_its_grid_and_group(street_admin, street):
    upload = workbook(
        HEADERS,
        ["社区", "古槐社区", "济阳街道", "370811012009", "古槐路1号"],
        ["网格", "古槐社区第一网格党支部", "370811012009", "370811012009001", ""],
        ["党小组", "古槐一号院党小组", "370811012009001", "", ""],
    )

    report = run("units", upload, street_admin)

    assert report.applied, messages(report)
    community = OrgUnit.objects.get(name="古槐社区")
    assert (community.parent, community.address) == (street, "古槐路1号")
    grid = OrgUnit.objects.get(code="370811012009001")
    assert grid.parent == community
    assert OrgUnit.objects.get(name="古槐一号院党小组").parent == grid


def test_reimport_changes_nothing_and_a_changed_row_updates_with_audit(
    street_admin, community
):
    row = ["社区", community.name, "济阳街道", community.code, "运河路2号"]
    tree = set(OrgUnit.objects.values_list("pk", "tree_id", "lft", "rght", "level"))
    assert run("units", workbook(HEADERS, row), street_admin).count("update") == 1
    # The tree is untouched: the unit was updated, not inserted again.
    after = set(OrgUnit.objects.values_list("pk", "tree_id", "lft", "rght", "level"))
    assert after == tree

    again = run("units", workbook(HEADERS, row), street_admin)
    assert again.applied and again.count("unchanged") == 1
    assert again.count("update") == 0

    row[4] = "运河路9号"
    changed = run("units", workbook(HEADERS, row), street_admin)
    assert changed.count("update") == 1
    community.refresh_from_db()
    assert community.address == "运河路9号"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).latest(
        "pk"
    )
    assert "运河路2号 → 运河路9号" in event.detail


def test_bad_rows_are_reported_and_nothing_changes(street_admin, community, grid):
    upload = workbook(
        HEADERS,
        ["社区", "新社区", "济阳街道", grid.code, ""],  # another unit's code
        ["网格", "新网格", "不存在的社区", "", ""],  # unknown parent
        ["小区", "水景花苑", community.name, "", ""],  # not a level
        ["网格", "短代码网格", community.name, "12", ""],  # bad code length
        ["社区", "无上级社区", "", "", ""],
    )

    report = run("units", upload, street_admin)

    assert not report.applied
    found = messages(report)
    assert (2, "代码", "已有其他单位使用此代码。") in found
    assert found[1][:2] == (3, "上级单位") and "社区" in found[1][2]
    assert found[2][:2] == (4, "层级")
    assert found[3][:2] == (5, "代码")
    assert found[4] == (6, "上级单位", "必填。")
    assert not OrgUnit.objects.filter(name="新社区").exists()


def test_a_duplicate_code_within_the_file_is_an_error(street_admin, street):
    upload = workbook(
        HEADERS,
        ["社区", "甲社区", "济阳街道", "370811012007", ""],
        ["社区", "乙社区", "济阳街道", "370811012007", ""],
    )

    report = run("units", upload, street_admin)

    assert messages(report) == [(3, "代码", "已有其他单位使用此代码。")]
    assert not OrgUnit.objects.filter(name="甲社区").exists()


def test_another_streets_unit_is_an_error_of_that_row(street_admin, outsider):
    far_community = outsider.person.unit.parent
    upload = workbook(HEADERS, ["网格", "越界网格", far_community.code, "", ""])

    report = run("units", upload, street_admin)

    assert [p.column for p in report.problems] == ["上级单位"]
    assert not OrgUnit.objects.filter(name="越界网格").exists()


def test_a_street_office_does_not_create_a_street(street_admin):
    report = run(
        "units", workbook(HEADERS, ["街道", "新街道", "", "", ""]), street_admin
    )

    assert [p.column for p in report.problems] == ["层级"]


def test_export_then_import_changes_nothing(street_admin, grid, other_community):
    report = run("units", exported("units", street_admin), street_admin)

    assert report.applied, messages(report)
    assert report.count("unchanged") == 4  # street, two communities, one grid
    assert report.count("create") == report.count("update") == 0

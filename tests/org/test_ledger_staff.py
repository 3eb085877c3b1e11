"""The staff ledger: people and their posts in the units of the street."""

import pytest

from org.models import AuditEvent, Person, Post, User

from ..factories import PersonFactory, PostFactory
from ..ledgers import exported, messages, run, workbook

pytestmark = pytest.mark.django_db

HEADERS = ["任职单位", "职务", "姓名", "手机", "性别", "党员", "任职起", "任职止"]


def test_good_rows_create_people_and_posts_but_no_login(street_admin, grid):
    users = User.objects.count()
    upload = workbook(
        HEADERS,
        [grid.code, "书记", "王芳", "13900000001", "女", "是", "2024.3.1", ""],
        [grid.name, "网格员", "王芳", "13900000001", "女", "是", "2024年3月1日", ""],
        [grid.parent.name, "专职工作人员", "李强", "", "男", "否", "", ""],
    )

    report = run("staff", upload, street_admin)

    assert report.applied, messages(report)
    fang = Person.objects.get(name="王芳")
    assert (fang.unit, fang.is_party_member, fang.gender) == (grid, True, "f")
    assert set(fang.posts.values_list("role", flat=True)) == {
        Post.Role.SECRETARY,
        Post.Role.GRID_WORKER,
    }
    assert str(fang.posts.first().start) == "2024-03-01"
    assert Person.objects.get(name="李强").posts.get().unit == grid.parent
    assert User.objects.count() == users


def test_reimport_changes_nothing_and_a_change_updates_with_audit(street_admin, grid):
    row = [grid.code, "书记", "王芳", "13900000001", "女", "是", "2024-03-01", ""]
    run("staff", workbook(HEADERS, row), street_admin)

    again = run("staff", workbook(HEADERS, row), street_admin)
    assert again.applied and again.count("unchanged") == 1

    row[5], row[7] = "否", "2025-12-31"
    changed = run("staff", workbook(HEADERS, row), street_admin)
    assert changed.count("update") == 1, messages(changed)
    post = Post.objects.get(person__name="王芳")
    assert str(post.end) == "2025-12-31"
    assert post.person.is_party_member is False
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).latest(
        "pk"
    )
    assert "2025-12-31" in event.detail and "王芳" in event.detail


def test_bad_rows_are_reported_and_nothing_changes(street_admin, grid):
    PersonFactory(name="张伟", unit=grid, phone="13900000009")
    PersonFactory(name="张伟", unit=grid, phone="13900000008")
    upload = workbook(
        HEADERS,
        ["不存在的社区", "书记", "赵六", "", "", "", "", ""],
        [grid.code, "主任", "赵六", "", "", "", "", ""],
        [grid.code, "书记", "张伟", "", "", "", "", ""],
        [grid.code, "书记", "孙七", "", "", "", "2024-03-01", "2023-03-01"],
        [grid.code, "书记", "李四", "13900000009", "", "", "", ""],
    )

    report = run("staff", upload, street_admin)

    assert not report.applied
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "任职单位"),
        (3, "职务"),
        (4, "姓名"),
        (5, "任职止"),
        (6, "手机"),
    ]
    assert not Person.objects.filter(name__in=["赵六", "孙七", "李四"]).exists()


def test_community_staff_post_only_within_their_community(
    community_staff, grid, other_community
):
    upload = workbook(
        HEADERS,
        [grid.code, "网格员", "钱八", "", "", "", "", ""],
        [other_community.code, "书记", "周九", "", "", "", "", ""],
    )

    report = run("staff", upload, community_staff)

    assert [(p.row, p.column) for p in report.problems] == [(3, "任职单位")]
    assert not Person.objects.filter(name="钱八").exists()


def test_export_then_import_changes_nothing(street_admin, grid):
    PostFactory(person=PersonFactory(unit=grid, name="吴十"), unit=grid.parent)

    report = run("staff", exported("staff", street_admin), street_admin)

    assert report.applied, messages(report)
    assert report.count("create") == report.count("update") == 0
    assert report.count("unchanged") == 2  # street_admin's post and 吴十's


def test_the_export_gives_full_phones_to_those_who_keep_people(street_admin, grid):
    from openpyxl import load_workbook

    sheet = load_workbook(exported("staff", street_admin)).worksheets[0]
    phones = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert phones and all("*" not in (phone or "") for phone in phones)

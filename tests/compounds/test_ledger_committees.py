"""The committees ledger (one row per term) and the members ledger."""

import pytest

from compounds.models import Committee, CommitteeMember
from org.models import AuditEvent, Person

from ..factories import CommitteeFactory, PersonFactory
from ..ledgers import exported, messages, run, workbook

pytestmark = pytest.mark.django_db

TERMS = [
    "社区",
    "小区名称",
    "委员会名称",
    "类型",
    "成立日期",
    "本届开始",
    "本届结束",
    "示范",
]
MEMBERS = ["社区", "小区名称", "委员会名称", "姓名", "手机", "党员", "职务"]


def term(compound, start="2024.3.1", end="2029年2月28日", name=None, benchmark="否"):
    return [
        compound.community.name,
        compound.name,
        name or f"{compound.name}业主委员会",
        "业委会",
        "2021-03-01",
        start,
        end,
        benchmark,
    ]


def test_good_rows_create_committees_with_their_terms(street_admin, compound):
    upload = workbook(
        TERMS,
        term(compound, "2019-03-01", "2024-02-29"),
        term(compound),
    )

    report = run("committees", upload, street_admin)

    assert report.applied, messages(report)
    terms = [
        (str(c.term_start), str(c.term_end))
        for c in Committee.objects.filter(compound=compound).order_by("term_start")
    ]
    assert terms == [("2019-03-01", "2024-02-29"), ("2024-03-01", "2029-02-28")]


def test_term_end_before_start_and_overlapping_terms_are_errors(
    street_admin, compound, other_compound
):
    CommitteeFactory(
        compound=other_compound,
        established="2020-01-01",
        term_start="2020-01-01",
        term_end="2025-12-31",
    )
    upload = workbook(
        TERMS,
        term(compound, "2024-03-01", "2023-03-01"),
        term(other_compound, "2020-01-01", "2025-12-31", name="旧的一届"),
        term(other_compound, "2024-01-01", "2028-12-31", name="另一届"),
        [
            compound.community.name,
            "不存在的小区",
            "某委员会",
            "业委会",
            "2021-1-1",
            "2021-1-1",
            "2022-1-1",
            "",
        ],
        [
            "不存在的社区",
            compound.name,
            "某委员会",
            "业委会",
            "2021-1-1",
            "2021-1-1",
            "2022-1-1",
            "",
        ],
    )

    report = run("committees", upload, street_admin)

    assert not report.applied
    found = messages(report)
    assert found[0] == (2, "本届结束", "任期届满日期不能早于开始日期。")
    assert found[1][:2] == (3, "本届开始") and "重叠" in found[1][2]
    assert found[2][:2] == (4, "本届开始") and "重叠" in found[2][2]
    assert found[3][:2] == (5, "小区名称")
    assert found[4] == (6, "社区", "未知社区。")
    assert Committee.objects.count() == 1


def test_reimport_is_a_no_op_and_a_change_updates_with_audit(street_admin, compound):
    row = term(compound)
    run("committees", workbook(TERMS, row), street_admin)

    again = run("committees", workbook(TERMS, row), street_admin)
    assert again.count("unchanged") == 1 and again.count("create") == 0

    row[7] = "是"
    changed = run("committees", workbook(TERMS, row), street_admin)
    assert changed.count("update") == 1
    assert Committee.objects.get().is_benchmark
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LEDGER_UPDATE).latest(
        "pk"
    )
    assert "否 → 是" in event.detail


def test_community_staff_import_only_their_communitys_committees(
    community_staff, compound, other_community
):
    from ..factories import CompoundFactory, GridFactory

    far = CompoundFactory(grid=GridFactory(parent=other_community), name="远方小区")

    report = run(
        "committees", workbook(TERMS, term(compound), term(far)), community_staff
    )

    assert messages(report) == [(3, "小区名称", "超出您的管辖范围。")]
    assert not Committee.objects.exists()


def test_members_are_matched_by_name_within_the_committee(street_admin, compound):
    committee = CommitteeFactory(compound=compound)
    known = PersonFactory(name="王芳", unit=compound.grid, phone="13900000001")
    CommitteeMember.objects.create(committee=committee, person=known, role="member")
    upload = workbook(
        MEMBERS,
        [
            compound.community.name,
            compound.name,
            committee.name,
            "王芳",
            "",
            "是",
            "主任",
        ],
        [
            compound.community.name,
            compound.name,
            committee.name,
            "李强",
            "13900000002",
            "否",
            "委员",
        ],
    )

    report = run("committee-members", upload, street_admin)

    assert report.applied, messages(report)
    assert (report.count("update"), report.count("create")) == (1, 1)
    assert CommitteeMember.objects.get(person=known).role == "chair"
    known.refresh_from_db()
    assert known.is_party_member
    assert Person.objects.get(name="李强").unit == compound.grid


def test_a_member_of_an_unknown_committee_is_an_error(street_admin, compound):
    upload = workbook(
        MEMBERS,
        [
            compound.community.name,
            compound.name,
            "没有的委员会",
            "王芳",
            "",
            "",
            "主任",
        ],
        [
            compound.community.name,
            compound.name,
            "没有的委员会",
            "李强",
            "",
            "",
            "书记",
        ],
    )

    report = run("committee-members", upload, street_admin)

    assert [(p.row, p.column) for p in report.problems] == [
        (2, "委员会名称"),
        (3, "职务"),
    ]


def test_committees_and_members_round_trip(street_admin, compound, other_compound):
    benchmark = CommitteeFactory(compound=compound, is_benchmark=True)
    follower = CommitteeFactory(compound=other_compound, modelled_on=benchmark)
    CommitteeMember.objects.create(
        committee=follower, person=PersonFactory(unit=compound.grid), role="chair"
    )

    for slug in ("committees", "committee-members"):
        report = run(slug, exported(slug, street_admin), street_admin)
        assert report.applied, messages(report)
        assert report.count("create") == report.count("update") == 0
        assert report.count("unchanged") >= 1

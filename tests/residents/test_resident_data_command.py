"""manage.py resident_data: a resident's request for their data, answered
by phone number however it is written; export to JSON or erase."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from consultations.models import Concern
from org.models import AuditEvent

from .conftest import OTHER_PHONE, PHONE, assert_erased, assert_kept

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def theirs(resident_footprint):
    return resident_footprint()


@pytest.fixture
def someone_elses(resident_footprint):
    return resident_footprint(phone=OTHER_PHONE)


def _audit(action):
    return AuditEvent.objects.filter(action=action)


@pytest.mark.parametrize(
    "written", ["137 0000 1111", "+86 137-0000-1111", "0086 13700001111", PHONE]
)
def test_export_finds_the_concerns_however_the_number_is_written(
    tmp_path, theirs, someone_elses, written
):
    out = tmp_path / "data.json"

    call_command("resident_data", "--phone", written, "--export", str(out))

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["phone"] == "+8613700001111"
    assert [c["tracking_code"] for c in data["concerns"]] == [theirs.formatted_code]


def test_export_holds_the_concern_its_events_photos_mails_and_open311_record(
    tmp_path, theirs
):
    out = tmp_path / "data.json"

    call_command("resident_data", "--phone", PHONE, "--export", str(out))

    [concern] = json.loads(out.read_text(encoding="utf-8"))["concerns"]
    assert concern["name"] == "赵六"
    assert concern["email"] == "zhao@example.cn"
    assert concern["place"] == "3号楼2单元"
    assert concern["description"] == theirs.description
    assert concern["events"][0]["to_status"] == Concern.Status.SUBMITTED
    assert {p["stage"] for p in concern["photos"]} == {"submitted", "response"}
    # Only the mails and texts written to the resident, not the staff's.
    assert {(m["channel"], m["to"]) for m in concern["notifications"]} == {
        ("email", "zhao@example.cn"),
        ("sms", "+86" + PHONE),
    }
    assert concern["open311"]["device_id"] == "dev-1"
    assert set(concern["rating"]) == {"rating", "comment", "resolved"}
    event = _audit(AuditEvent.Action.EXPORT_RESIDENT_DATA).get()
    assert event.detail == "应居民申请：已导出 137****1111 的 1 件诉求"


def test_export_changes_nothing(tmp_path, theirs):
    call_command("resident_data", "--phone", PHONE, "--export", str(tmp_path / "a"))

    assert_kept(theirs)


def test_erase_with_yes_blanks_their_contact_and_keeps_the_concern(
    theirs, someone_elses, capsys
):
    call_command("resident_data", "--phone", "137-0000-1111", "--erase", "--yes")

    assert_erased(theirs)
    assert_kept(someone_elses)
    assert Concern.objects.filter(pk=theirs.pk).exists()
    assert "已删除 1 件诉求的联系信息" in capsys.readouterr().out
    event = _audit(AuditEvent.Action.ERASE_RESIDENT_DATA).get()
    assert "137****1111" in event.detail and "13700001111" not in event.detail


def test_erase_asks_first_and_a_no_erases_nothing(theirs, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="未删除任何内容"):
        call_command("resident_data", "--phone", PHONE, "--erase")

    assert_kept(theirs)
    assert not _audit(AuditEvent.Action.ERASE_RESIDENT_DATA).exists()


def test_erase_asks_first_and_a_yes_erases(theirs, monkeypatch):
    prompts = []
    monkeypatch.setattr(
        "builtins.input", lambda prompt: prompts.append(prompt) or "yes"
    )

    call_command("resident_data", "--phone", PHONE, "--erase")

    assert "1 件诉求" in prompts[0]
    assert_erased(theirs)


def test_a_number_that_is_not_one_is_a_chinese_error(theirs):
    with pytest.raises(CommandError, match="请填写正确的电话号码"):
        call_command("resident_data", "--phone", "12", "--erase", "--yes")

    assert_kept(theirs)


def test_export_and_erase_go_one_at_a_time(tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "resident_data", "--phone", PHONE, "--erase", "--export", str(tmp_path)
        )


def test_an_unwritable_file_is_a_chinese_error(tmp_path, theirs):
    with pytest.raises(CommandError, match="无法写入"):
        call_command(
            "resident_data", "--phone", PHONE, "--export", str(tmp_path / "no" / "a")
        )

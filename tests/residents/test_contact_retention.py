"""Residents' contact data leaves concerns done more than
RESIDENT_CONTACT_RETENTION_MONTHS ago; each run is one audit entry."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import translation

from consultations.models import Concern
from jiyang.resident_data import cut_contact, erase_expired_contacts, retention_cutoff
from jiyang.tasks import erase_expired_resident_contacts_task
from org.models import AuditEvent
from tests.clients import make_concern

from .conftest import assert_erased, assert_kept

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI)


def _runs():
    return AuditEvent.objects.filter(action=AuditEvent.Action.ERASE_RESIDENT_DATA)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_retention_is_24_months_by_default_and_runs_each_night():
    assert django_settings.RESIDENT_CONTACT_RETENTION_MONTHS == 24
    entry = django_settings.CELERY_BEAT_SCHEDULE["erase-expired-resident-contacts"]
    assert entry["task"] == "jiyang.tasks.erase_expired_resident_contacts_task"


def test_a_concern_closed_24_months_and_a_day_ago_loses_its_contact_data(
    resident_footprint,
):
    expired = resident_footprint(closed_at=NOW - timedelta(days=731))

    erased = erase_expired_contacts()

    assert erased == 1
    assert_erased(expired)


def test_a_concern_closed_24_months_minus_a_day_ago_keeps_it(resident_footprint):
    cutoff = retention_cutoff()
    kept = resident_footprint(closed_at=cutoff + timedelta(days=1))
    just_past = resident_footprint(
        phone="13900002222", closed_at=cutoff - timedelta(seconds=1)
    )

    erase_expired_contacts()

    assert cutoff == datetime(2024, 6, 15, 12, 0, tzinfo=SHANGHAI)
    assert_kept(kept)
    assert_erased(just_past)


def test_an_open_concern_keeps_its_contact_data_however_old(resident_footprint):
    with time_machine.travel(NOW - timedelta(days=1000), tick=False):
        old_but_open = resident_footprint()

    erase_expired_contacts()

    assert old_but_open.status != Concern.Status.CLOSED
    assert_kept(old_but_open)


def test_each_run_is_one_audit_entry_with_the_count(resident_footprint):
    resident_footprint(closed_at=NOW - timedelta(days=800))
    resident_footprint(phone="13900002222", closed_at=NOW - timedelta(days=900))

    erase_expired_contacts()
    again = erase_expired_contacts()

    first, second = _runs().order_by("at", "id")
    assert again == 0
    assert first.actor is None
    assert first.detail == (
        "保存期限（24 个月）：已删除 2024-06-15 前办结的 2 件诉求的居民联系信息，"
        "删除照片 2 张"
    )
    assert "0 件诉求" in second.detail


def test_the_retention_follows_the_setting(settings, resident_footprint):
    settings.RESIDENT_CONTACT_RETENTION_MONTHS = 6
    closed = resident_footprint(closed_at=NOW - timedelta(days=200))

    erase_expired_contacts()

    assert_erased(closed)


def test_the_task_runs_the_erase(resident_footprint):
    expired = resident_footprint(closed_at=NOW - timedelta(days=800))

    assert erase_expired_resident_contacts_task.delay().get() == 1
    assert_erased(expired)


def test_the_erase_is_a_few_statements_whatever_the_number_of_concerns(
    resident_footprint, django_assert_max_num_queries
):
    for n in range(5):
        resident_footprint(phone=f"1390000{n:04d}", closed_at=NOW - timedelta(days=800))

    # The free-text cut adds a read and a batched write per table it reaches.
    with django_assert_max_num_queries(18):
        assert erase_expired_contacts() == 5


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("电话13700001111", "电话［已删除］"),
        ("电话 137-0000-1111 或 137 0000 1111", "电话 ［已删除］ 或 ［已删除］"),
        ("+8613700001111、0086 137 0000 1111", "［已删除］、［已删除］"),
        ("座机0537-2345678，010 12345678", "座机［已删除］，［已删除］"),
        ("邮箱 a.b+c@mail.example.cn 谢谢", "邮箱 ［已删除］ 谢谢"),
        # Not contact data: dates, house numbers, codes, counts.
        ("2026-12-03 上午 3号楼2单元501", "2026-12-03 上午 3号楼2单元501"),
        ("信用代码 91370811MA3C123456", "信用代码 91370811MA3C123456"),
        ("编号 370811012001001", "编号 370811012001001"),
        ("共 12 户，1380 元", "共 12 户，1380 元"),
    ],
)
def test_what_counts_as_contact_data_in_free_text(text, cut):
    with translation.override("en"):
        assert cut_contact(text) == cut


def test_the_name_is_cut_only_when_it_is_two_characters_or_more():
    assert cut_contact("王大妈说王五来过", "王五") == "王大妈说［已删除］来过"
    assert cut_contact("王大妈说王来过", "王") == "王大妈说王来过"


def test_an_anonymous_concern_with_a_number_in_its_text_is_erased_too(compound):
    concern = make_concern(compound, description="我的电话 13700001111，请回电")
    Concern.objects.filter(pk=concern.pk).update(
        status=Concern.Status.CLOSED, closed_at=NOW - timedelta(days=800)
    )

    assert erase_expired_contacts() == 1
    concern.refresh_from_db()
    assert concern.description == "我的电话 ［已删除］，请回电"
    # A second run finds nothing left.
    assert erase_expired_contacts() == 0

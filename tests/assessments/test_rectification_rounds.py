"""Every answer, return and answer again stays on the notice, in order."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from assessments.models import RectificationNotice, RectificationRound
from assessments.services.inspections import (
    answer_rectification,
    raise_rectification,
    verify_rectification,
)

from .factories import cadre, submitted_inspection
from .test_rectification import png

pytestmark = pytest.mark.django_db

Kind = RectificationRound.Kind


@pytest.fixture
def leader(street):
    return cadre(street, username="leader")


@pytest.fixture
def notice(compound, serving_contract, leader):
    inspection = submitted_inspection(compound, leader, occurrences={"E1": 2})
    return raise_rectification(
        result=inspection.results.get(item__code="E1"),
        deadline=timezone.localdate() + timedelta(days=7),
        requirement="清理楼道堆物",
        actor=leader,
    )


def three_rounds(notice, manager, leader):
    answer_rectification(notice=notice, note="已清理一楼", actor=manager)
    verify_rectification(notice=notice, accepted=False, note="二楼仍有", actor=leader)
    answer_rectification(notice=notice, note="二楼也已清理", actor=manager)
    return verify_rectification(
        notice=notice, accepted=True, note="现场看过合格", actor=leader
    )


def test_each_round_is_kept_in_order(notice, property_manager, leader):
    notice = three_rounds(notice, property_manager, leader)
    rounds = list(notice.rounds.values_list("kind", "text", "by"))
    assert rounds == [
        (Kind.ANSWER, "已清理一楼", property_manager.pk),
        (Kind.RETURNED, "二楼仍有", leader.pk),
        (Kind.ANSWER, "二楼也已清理", property_manager.pk),
        (Kind.ACCEPTED, "现场看过合格", leader.pk),
    ]
    assert notice.status == RectificationNotice.Status.VERIFIED
    # The notice's own fields hold the latest round.
    assert notice.answer_note == "二楼也已清理"


def test_photos_belong_to_the_answer_they_came_with(notice, property_manager, leader):
    answer_rectification(
        notice=notice, note="第一次", photos=[png("a.png")], actor=property_manager
    )
    verify_rectification(notice=notice, accepted=False, note="不行", actor=leader)
    answer_rectification(
        notice=notice,
        note="第二次",
        photos=[png("b.png"), png("c.png")],
        actor=property_manager,
    )
    first, _returned, second = notice.rounds.all()
    assert first.photos.count() == 1
    assert second.photos.count() == 2


def test_the_notice_page_shows_the_rounds_in_order(
    client, notice, property_manager, leader
):
    three_rounds(notice, property_manager, leader)
    client.force_login(property_manager)
    page = client.get(f"/assessments/rectifications/{notice.pk}/").content.decode()
    texts = ["已清理一楼", "二楼仍有", "二楼也已清理", "现场看过合格"]
    positions = [page.index(text) for text in texts]
    assert positions == sorted(positions)
    assert "已退回：未整改到位" in page
    assert property_manager.person.name in page


def test_a_refused_answer_adds_no_round(client, notice, property_manager):
    client.force_login(property_manager)
    client.post(f"/assessments/rectifications/{notice.pk}/", {"note": "  "})
    assert not notice.rounds.exists()


def test_the_migration_keeps_what_notices_held(notice, property_manager, leader):
    answer_rectification(notice=notice, note="已清理", actor=property_manager)
    verify_rectification(notice=notice, accepted=False, note="仍有", actor=leader)
    RectificationRound.objects.all().delete()
    migration = importlib.import_module(
        "assessments.migrations.0002_rectification_rounds_and_reminders"
    )
    migration.rounds_from_notices(apps, None)
    assert list(notice.rounds.values_list("kind", "text")) == [
        (Kind.ANSWER, "已清理"),
        (Kind.RETURNED, "仍有"),
    ]

"""Each event of a concern sends its SMS through the outbox: to the
resident who gave a mobile number, and to the staff who handle it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from consultations import services, sms
from consultations.models import Concern, Notification
from consultations.notifications import Queued

from .factories import category

pytestmark = pytest.mark.django_db

RESIDENT = "+8613912345678"


@pytest.fixture(autouse=True)
def _short_base_url(settings):
    settings.PORTAL_BASE_URL = "https://wy.example.cn"


@pytest.fixture
def concern(compound, serving_contract, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.submit_concern(
            compound=compound,
            category=category("sanitation"),
            description="楼道灯坏了",
            phone="139 1234 5678",
        )


def sent(template: str) -> list[sms.Message]:
    return [m for m in sms.outbox if m.template == template]


def run(callbacks_fixture, action, **kwargs):
    with callbacks_fixture(execute=True):
        return action(**kwargs)


def test_receipt_carries_the_code_and_an_absolute_rating_link(concern):
    [message] = sent("receipt")
    assert message.phone == RESIDENT
    assert message.params == [
        concern.formatted_code,
        f"https://wy.example.cn{concern.get_rating_url()}",
    ]
    assert message.text == (
        f"您的诉求已登记，编号{concern.formatted_code}，查看进度和评价："
        f"https://wy.example.cn{concern.get_rating_url()}"
    )
    row = Notification.objects.get(sms_template="receipt")
    assert row.concern == concern and row.sent_at is not None


def test_a_landline_gets_no_sms(compound, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_concern(
            compound=compound,
            category=category(),
            description="座机",
            phone="0537-2345678",
        )
    assert sms.outbox == []


def test_dispatch_texts_the_company_staff(
    concern, grid_secretary, property_manager, django_capture_on_commit_callbacks
):
    services.accept(concern=concern, actor=grid_secretary)
    run(
        django_capture_on_commit_callbacks,
        services.dispatch,
        concern=concern,
        actor=grid_secretary,
    )

    [message] = sent("dispatched")
    assert message.phone == "+86" + property_manager.person.phone
    code, place, due = message.params
    assert (code, place) == (concern.formatted_code, concern.place_display)
    assert due == timezone.localtime(concern.due_at).strftime("%m-%d %H:%M")
    assert message.text == f"诉求{code}（{place}）已派给您，办结期限{due}。"


def test_answer_texts_the_resident_the_rating_link(
    concern, grid_secretary, django_capture_on_commit_callbacks
):
    services.accept(concern=concern, actor=grid_secretary)
    run(
        django_capture_on_commit_callbacks,
        services.respond,
        concern=concern,
        actor=grid_secretary,
        note="已更换灯泡",
    )
    [message] = sent("answered")
    assert message.phone == RESIDENT
    assert message.params[1] == f"https://wy.example.cn{concern.get_rating_url()}"


def test_rejection_texts_the_reason_cut_to_fit(
    concern, grid_secretary, django_capture_on_commit_callbacks
):
    reason = "该事项属于业主自家室内维修，不属于物业公共服务范围，请联系维修单位"
    run(
        django_capture_on_commit_callbacks,
        services.reject,
        concern=concern,
        actor=grid_secretary,
        note=reason,
    )
    [message] = sent("rejected")
    assert message.params[1] == reason[:19] + "…"
    assert message.text.startswith(f"您的诉求{concern.formatted_code}未予受理，原因：")


def test_rejection_is_mailed_too(
    compound, grid_secretary, django_capture_on_commit_callbacks, mailoutbox
):
    concern = services.submit_concern(
        compound=compound,
        category=category(),
        description="邮件",
        email="r@example.org",
    )
    run(
        django_capture_on_commit_callbacks,
        services.reject,
        concern=concern,
        actor=grid_secretary,
        note="重复反映",
    )
    [mail] = [m for m in mailoutbox if "未予受理" in m.subject]
    assert "重复反映" in mail.body


def test_close_and_reopen_text_the_resident(
    concern, grid_secretary, street_admin, django_capture_on_commit_callbacks
):
    services.accept(concern=concern, actor=grid_secretary)
    services.respond(concern=concern, actor=grid_secretary, note="已修")
    run(
        django_capture_on_commit_callbacks,
        services.close,
        concern=concern,
        actor=grid_secretary,
    )
    [closed] = sent("closed")
    assert closed.text == f"您的诉求{concern.formatted_code}已办结，感谢您的反映。"

    run(
        django_capture_on_commit_callbacks,
        services.reopen,
        concern=Concern.objects.get(pk=concern.pk),
        actor=street_admin,
        note="居民反映灯又坏了",
    )
    [reopened] = sent("reopened")
    assert reopened.phone == RESIDENT
    assert reopened.params == [concern.formatted_code]


def test_a_satisfied_rating_closes_and_texts_closed(
    concern, grid_secretary, django_capture_on_commit_callbacks
):
    services.accept(concern=concern, actor=grid_secretary)
    services.respond(concern=concern, actor=grid_secretary, note="已修")
    concern.refresh_from_db()
    run(
        django_capture_on_commit_callbacks,
        services.rate_concern,
        token=concern.rating_token,
        rating=Concern.Rating.SATISFIED,
    )
    assert [m.phone for m in sent("closed")] == [RESIDENT]


def test_due_tomorrow_reminds_the_handler_once_per_deadline(
    concern, grid_secretary, property_manager, django_capture_on_commit_callbacks
):
    services.accept(concern=concern, actor=grid_secretary)
    services.dispatch(concern=concern, actor=grid_secretary)
    concern.refresh_from_db()
    eve = timezone.localdate(concern.due_at) - timedelta(days=1)
    mails_before = Notification.objects.filter(channel="email").count()

    with django_capture_on_commit_callbacks(execute=True):
        first = services.remind_due_tomorrow(today=eve)
        assert services.remind_due_tomorrow(today=eve) == Queued()
        assert services.remind_due_tomorrow(today=eve - timedelta(days=1)) == Queued()

    [message] = sent("due_tomorrow")
    mails = Notification.objects.filter(channel="email").count() - mails_before
    assert first == Queued(reminded=1, email=mails, sms=1)
    assert message.phone == "+86" + property_manager.person.phone
    assert message.text.startswith(f"诉求{concern.formatted_code}（")
    assert "明天" in message.text


def test_due_tomorrow_task_runs(concern, grid_secretary):
    from consultations.tasks import remind_due_tomorrow_task

    services.accept(concern=concern, actor=grid_secretary)
    concern.refresh_from_db()
    with time_machine.travel(concern.due_at - timedelta(days=1)):
        assert remind_due_tomorrow_task.delay().get()["reminded"] == 1


def test_overdue_texts_the_handler(
    concern, grid_secretary, property_manager, django_capture_on_commit_callbacks
):
    services.accept(concern=concern, actor=grid_secretary)
    services.dispatch(concern=concern, actor=grid_secretary)
    concern.refresh_from_db()
    with (
        time_machine.travel(concern.due_at + timedelta(hours=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        mails_before = Notification.objects.filter(channel="email").count()
        queued = services.sweep_deadlines()
    [message] = sent("overdue")
    mails = Notification.objects.filter(channel="email").count() - mails_before
    assert queued == Queued(reminded=1, email=mails, sms=1)
    assert message.phone == "+86" + property_manager.person.phone
    assert "已超期" in message.text

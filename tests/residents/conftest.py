"""A resident's footprint in the portal: a concern with every kind of
contact data the erase must reach, and one that must be left alone."""

import pytest
from django.core.files.base import ContentFile

from consultations.models import Concern, ConcernEvent, ConcernPhoto, Notification
from open311.models import Open311Submission
from tests.clients import make_concern
from tests.consultations.images import jpeg_bytes

PHONE = "13700001111"
OTHER_PHONE = "13900002222"
STAFF_PHONE = "+8613600003333"
# Free text the resident and the staff wrote, holding the resident's
# contact data in the forms people type them.
DESCRIPTION = "楼道堆放杂物。我是赵六，电话137 0000 1111，邮箱 zhao@example.cn。"
RATING_COMMENT = "还行，有事打 0537-2345678"
NOTE = "已电话联系赵六（+86 137-0000-1111），约定 12月3日 上门。"


def footprint(compound, partner, *, phone=PHONE, closed_at=None, **fields):
    """A concern with the resident's name, phone, e-mail, typed place, a
    photo, mails to the resident (the receipt and one more), a mail to staff
    and an Open311 record."""
    concern = make_concern(
        compound, name="赵六", phone=phone, email="zhao@example.cn", **fields
    )
    Concern.objects.filter(pk=concern.pk).update(
        place="3号楼2单元",
        description=DESCRIPTION,
        rating_comment=RATING_COMMENT,
        response="已联系赵六处理，3号楼2单元已清理。",
    )
    ConcernEvent.objects.create(concern=concern, action="note", note=NOTE)
    if closed_at is not None:
        Concern.objects.filter(pk=concern.pk).update(
            status=Concern.Status.CLOSED, closed_at=closed_at
        )
    ConcernPhoto.objects.create(
        concern=concern, image=ContentFile(jpeg_bytes(), name="p.jpg")
    )
    ConcernPhoto.objects.create(
        concern=concern,
        image=ContentFile(jpeg_bytes(), name="r.jpg"),
        stage=ConcernPhoto.Stage.RESPONSE,
    )
    Notification.objects.create(
        concern=concern, to_email="zhao@example.cn", subject="您的诉求已办结", body="…"
    )
    Notification.objects.create(
        concern=concern,
        to_email="grid@example.cn",
        subject="新诉求",
        body=f"…\n\n{DESCRIPTION}",
    )
    Notification.objects.create(
        concern=concern,
        channel=Notification.Channel.SMS,
        to_phone=STAFF_PHONE,
        sms_template="dispatched",
        body="诉求已派给您",
    )
    Open311Submission.objects.create(
        concern=concern,
        partner=partner,
        address_string="任城区济阳街道3号楼",
        device_id="dev-1",
        account_id="acc-1",
        media_url="https://partner.example/p.jpg",
    )
    concern.refresh_from_db()
    return concern


def assert_erased(concern, phone=PHONE):
    concern.refresh_from_db()
    assert (concern.name, concern.phone, concern.email, concern.place) == (
        "",
        "",
        "",
        "",
    )
    assert not concern.photos.filter(stage=ConcernPhoto.Stage.SUBMITTED).exists()
    assert concern.photos.filter(stage=ConcernPhoto.Stage.RESPONSE).exists()
    assert not concern.notifications.filter(to_email="zhao@example.cn").exists()
    # The texts to the resident go too, the staff's stay.
    assert not concern.notifications.filter(to_phone="+86" + phone).exists()
    assert concern.notifications.filter(to_phone=STAFF_PHONE).exists()
    staff_mail = concern.notifications.get(to_email="grid@example.cn")
    assert staff_mail.body == "…\n\n" + concern.description
    # Contact data is cut out of the free text, the rest of it stays.
    assert concern.description == (
        "楼道堆放杂物。我是［已删除］，电话［已删除］，邮箱 ［已删除］。"
    )
    assert concern.rating_comment == "还行，有事打 ［已删除］"
    assert concern.response == "已联系［已删除］处理，3号楼2单元已清理。"
    note = concern.events.get(action="note")
    assert note.note == "已电话联系［已删除］（［已删除］），约定 12月3日 上门。"
    assert note.created_at and note.action == "note"
    submission = concern.open311
    assert (
        submission.address_string,
        submission.device_id,
        submission.account_id,
        submission.media_url,
    ) == ("", "", "", "")
    # The governance record stays.
    assert concern.description and concern.category_id and concern.compound_id


def assert_kept(concern):
    concern.refresh_from_db()
    assert concern.name == "赵六" and concern.phone and concern.email
    assert concern.place == "3号楼2单元"
    assert concern.photos.count() == 2
    assert concern.notifications.filter(to_email="zhao@example.cn").count() == 2
    assert concern.notifications.filter(to_phone=concern.phone).count() == 1
    assert concern.open311.device_id == "dev-1"
    assert concern.description == DESCRIPTION
    assert concern.rating_comment == RATING_COMMENT
    assert concern.events.get(action="note").note == NOTE


@pytest.fixture
def resident_footprint(compound, partner):
    return lambda **kwargs: footprint(compound, partner, **kwargs)

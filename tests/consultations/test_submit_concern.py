import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from consultations.models import Concern, ConcernEvent, ConcernPhoto, Notification
from consultations.models.concerns import TRACKING_ALPHABET
from consultations.services import submit_concern

from .factories import category
from .images import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_submit_concern_stores_concern_with_ancestors_and_first_event(compound):
    concern = submit_concern(
        compound=compound,
        category=category("sanitation"),
        description="3号楼楼道堆满杂物",
        name="张三",
        phone="13800138000",
    )

    concern.refresh_from_db()
    assert concern.status == Concern.Status.SUBMITTED
    assert concern.street_id == compound.street_id
    assert concern.community_id == compound.community_id
    assert concern.grid_id == compound.grid_id
    assert concern.due_at is not None
    event = ConcernEvent.objects.get(concern=concern)
    assert (event.action, event.from_status, event.to_status) == (
        "submit",
        "",
        "submitted",
    )
    assert event.is_public


def test_tracking_code_is_long_and_readable_over_the_phone(compound):
    codes = {
        submit_concern(
            compound=compound, category=category(), description=f"问题{i}"
        ).tracking_code
        for i in range(5)
    }

    assert len(codes) == 5
    for code in codes:
        assert len(code) == 12
        assert set(code) <= set(TRACKING_ALPHABET)
        assert not set(code) & set("01OIL")


def test_replayed_submission_token_returns_the_same_concern(compound):
    first = submit_concern(
        compound=compound,
        category=category(),
        description="重复",
        submission_token="a" * 32,
    )
    second = submit_concern(
        compound=compound,
        category=category(),
        description="重复",
        submission_token="a" * 32,
    )

    assert first.pk == second.pk
    assert Concern.objects.count() == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"description": "   "}, "Describe"),
        ({"description": "长" * 4001}, "4000"),
        ({"phone": "12345"}, "11"),
        ({"kind": "spam"}, "spam"),
        ({"source": "carrier-pigeon"}, "carrier-pigeon"),
    ],
)
def test_submit_concern_refuses_bad_input_and_stores_nothing(
    compound, changes, message, settings
):
    settings.LANGUAGE_CODE = "en"
    kwargs = {"compound": compound, "category": category(), "description": "正常"}
    kwargs.update(changes)

    with pytest.raises(ValidationError):
        submit_concern(**kwargs)

    assert Concern.objects.count() == 0
    assert ConcernEvent.objects.count() == 0


def test_submit_concern_stores_photos_re_encoded(compound):
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")

    concern = submit_concern(
        compound=compound, category=category(), description="有照片", photos=[photo]
    )

    stored = ConcernPhoto.objects.get(concern=concern)
    assert stored.stage == ConcernPhoto.Stage.SUBMITTED
    assert stored.image.name.endswith(".jpg")
    assert "p.jpg" not in stored.image.name


def test_submit_concern_writes_outbox_rows_for_staff_and_resident(compound):
    from org.models import Post

    from ..factories import PersonFactory, PostFactory

    person = PersonFactory(unit=compound.grid, email="grid@example.org")
    PostFactory(person=person, unit=compound.grid, role=Post.Role.SECRETARY)

    concern = submit_concern(
        compound=compound,
        category=category(),
        description="有邮箱",
        email="resident@example.org",
    )

    assert set(
        Notification.objects.filter(concern=concern).values_list("to_email", flat=True)
    ) == {"grid@example.org", "resident@example.org"}


def test_emergency_runs_on_hours_whatever_the_category(compound):
    concern = submit_concern(
        compound=compound,
        category=category("owners_org"),
        description="燃气泄漏",
        urgency=Concern.Urgency.EMERGENCY,
    )

    assert (concern.due_at - concern.created_at).total_seconds() == 2 * 3600

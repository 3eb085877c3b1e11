from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.models import RectificationNotice
from assessments.services.inspections import (
    answer_rectification,
    raise_rectification,
    verify_rectification,
)

from .factories import cadre, submitted_inspection

pytestmark = pytest.mark.django_db

S = RectificationNotice.Status


@pytest.fixture
def failed_result(compound, street, serving_contract):
    inspection = submitted_inspection(compound, cadre(street), occurrences={"E1": 3})
    return inspection.results.get(item__code="E1")


def raised(result, days=7):
    actor = result.inspection.submitted_by
    return raise_rectification(
        result=result,
        deadline=timezone.localdate() + timedelta(days=days),
        actor=actor,
    )


def test_notice_is_addressed_to_the_company_serving_on_the_day(
    failed_result, serving_contract
):
    notice = raised(failed_result)
    assert notice.company == serving_contract.company
    assert notice.status == S.OPEN


def test_notice_only_for_a_failed_item(failed_result):
    passed = failed_result.inspection.results.get(item__code="A1")
    with pytest.raises(ValidationError):
        raised(passed)


def test_manager_answers_and_inspector_verifies(failed_result, property_manager):
    notice = raised(failed_result)
    notice = answer_rectification(
        notice=notice, note="已清扫", photos=[], actor=property_manager
    )
    assert notice.status == S.ANSWERED
    assert notice.answered_by == property_manager
    inspector = failed_result.inspection.submitted_by
    notice = verify_rectification(notice=notice, accepted=True, actor=inspector)
    assert notice.status == S.VERIFIED
    assert notice.verified_by == inspector


def test_returned_notice_can_be_answered_again(failed_result, property_manager):
    notice = raised(failed_result)
    answer_rectification(
        notice=notice, note="已清扫", photos=[], actor=property_manager
    )
    inspector = failed_result.inspection.submitted_by
    notice = verify_rectification(
        notice=notice, accepted=False, note="仍有垃圾", actor=inspector
    )
    assert notice.status == S.RETURNED
    notice = answer_rectification(
        notice=notice, note="再次清扫", photos=[], actor=property_manager
    )
    assert notice.status == S.ANSWERED


def test_only_the_companys_staff_may_answer(failed_result, street_admin):
    notice = raised(failed_result)
    with pytest.raises(PermissionDenied):
        answer_rectification(notice=notice, note="x", photos=[], actor=street_admin)
    notice.refresh_from_db()
    assert notice.status == S.OPEN


def test_manager_may_not_verify(failed_result, property_manager):
    notice = raised(failed_result)
    answer_rectification(
        notice=notice, note="已清扫", photos=[], actor=property_manager
    )
    with pytest.raises(PermissionDenied):
        verify_rectification(notice=notice, accepted=True, actor=property_manager)


def test_overdue_flags_unanswered_notices_past_the_deadline(
    failed_result, property_manager
):
    late = raised(failed_result, days=0)
    answered = raised(failed_result, days=0)
    answer_rectification(
        notice=answered, note="已整改", photos=[], actor=property_manager
    )
    raised(failed_result, days=5)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert list(RectificationNotice.objects.overdue(on=tomorrow)) == [late]
    assert not RectificationNotice.objects.overdue().exists()


def test_company_sees_its_own_notices_only(failed_result, property_manager, outsider):
    notice = raised(failed_result)
    assert list(RectificationNotice.objects.visible_to(property_manager)) == [notice]
    assert not RectificationNotice.objects.visible_to(outsider).exists()


def png(name="photo.png"):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_manager_answers_on_the_page_with_a_photo(
    client, failed_result, property_manager, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    notice = raised(failed_result)
    client.force_login(property_manager)
    listing = client.get("/assessments/rectifications/").content.decode()
    assert f"/assessments/rectifications/{notice.pk}/" in listing
    response = client.post(
        f"/assessments/rectifications/{notice.pk}/",
        {"note": "已清理完毕", "photos": [png()]},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == S.ANSWERED
    assert notice.photos.count() == 1


def test_a_file_that_is_not_an_image_is_refused(
    client, failed_result, property_manager, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    notice = raised(failed_result)
    client.force_login(property_manager)
    client.post(
        f"/assessments/rectifications/{notice.pk}/",
        {"note": "已清理", "photos": [SimpleUploadedFile("x.png", b"not an image")]},
    )
    notice.refresh_from_db()
    assert notice.status == S.OPEN


def test_inspector_verifies_on_the_page(client, failed_result, property_manager):
    notice = raised(failed_result)
    answer_rectification(
        notice=notice, note="已清扫", photos=[], actor=property_manager
    )
    client.force_login(failed_result.inspection.submitted_by)
    response = client.post(
        f"/assessments/rectifications/{notice.pk}/", {"accepted": "1", "note": "好"}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == S.VERIFIED

"""A form sent back with an error keeps the resident's text and photos."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations.held_photos import hold_photos, purge_held_photos
from consultations.models import Concern, ConcernPhoto, HeldPhoto
from consultations.tasks import purge_held_photos_task
from consultations.uploads import prepare_photo

from .factories import category
from .images import gif_bytes, jpeg_bytes

pytestmark = pytest.mark.django_db


def photo(name="p.jpg", data=None):
    return SimpleUploadedFile(name, data or jpeg_bytes(), content_type="image/jpeg")


def post(client, **data):
    return client.post("/concerns/new/", data)


def held_token(response) -> str:
    match = re.search(r'name="held" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "the page carries the hold"
    return match.group(1)


@pytest.fixture
def filled(compound):
    return {
        "compound": compound.pk,
        "category": category("sanitation").pk,
        "kind": "complaint",
        "description": "5号楼门口垃圾桶满了",
    }


def test_error_keeps_the_text_and_the_photos_and_says_so(client, filled):
    response = post(client, **{**filled, "category": ""}, photos=[photo(), photo()])

    assert response.status_code == 400
    html = response.content.decode()
    assert "5号楼门口垃圾桶满了" in html
    assert "您填写的内容都已保留" in html
    assert "您上传的 2 张照片已为您保留" in html
    assert HeldPhoto.objects.count() == 2
    assert Concern.objects.count() == 0


def test_next_try_sends_the_held_photos_without_choosing_them_again(client, filled):
    first = post(client, **{**filled, "description": ""}, photos=[photo()])

    second = post(client, **filled, held=held_token(first))

    assert second.status_code == 200
    concern = Concern.objects.get()
    assert concern.photos.filter(stage=ConcernPhoto.Stage.SUBMITTED).count() == 1
    assert not HeldPhoto.objects.exists()


def test_held_and_new_photos_go_together(client, filled):
    first = post(client, **{**filled, "category": ""}, photos=[photo()])

    post(client, **filled, held=held_token(first), photos=[photo("b.jpg")])

    assert Concern.objects.get().photos.count() == 2


def test_a_held_photo_can_be_removed(client, filled):
    first = post(client, **{**filled, "category": ""}, photos=[photo(), photo()])
    dropped = HeldPhoto.objects.first()

    post(client, **filled, held=held_token(first), held_drop=[dropped.pk])

    assert Concern.objects.get().photos.count() == 1
    assert not HeldPhoto.objects.exists()


def test_a_bad_photo_is_refused_and_the_good_one_kept(client, filled):
    response = post(client, **filled, photos=[photo(), photo("x.gif", gif_bytes())])

    assert response.status_code == 400
    assert "只接受 JPEG、PNG 或 WebP 格式的照片" in response.content.decode()
    assert HeldPhoto.objects.count() == 1
    post(client, **filled, held=held_token(response))
    assert Concern.objects.get().photos.count() == 1


def test_held_photos_count_against_the_limit(client, filled):
    first = post(client, **{**filled, "category": ""}, photos=[photo(), photo()])

    second = post(
        client,
        **filled,
        held=held_token(first),
        photos=[photo("c.jpg"), photo("d.jpg")],
    )

    assert second.status_code == 400
    assert "已为您保留了 2 张" in second.content.decode()
    assert Concern.objects.count() == 0


def test_posting_again_and_again_holds_no_more_than_the_limit(client, filled):
    response = post(client, **{**filled, "category": ""}, photos=[photo(), photo()])
    for _ in range(3):
        response = post(
            client,
            **{**filled, "category": ""},
            held=held_token(response),
            photos=[photo()],
        )

    assert HeldPhoto.objects.count() == 3


def test_a_hold_older_than_an_hour_is_gone(client, filled):
    first = post(client, **{**filled, "category": ""}, photos=[photo()])
    token = held_token(first)

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = post(client, **filled, held=token)

    assert response.status_code == 200
    assert Concern.objects.get().photos.count() == 0


def test_purge_deletes_old_holds_and_their_files(django_capture_on_commit_callbacks):
    fresh = hold_photos([prepare_photo(photo())])
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        token = hold_photos([prepare_photo(photo())])
    old = HeldPhoto.objects.get(token=token)
    storage, name = old.image.storage, old.image.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_held_photos() == 1

    assert list(HeldPhoto.objects.values_list("token", flat=True)) == [fresh]
    assert not storage.exists(name)


def test_purge_task_runs_the_purge():
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        hold_photos([prepare_photo(photo())])
    assert purge_held_photos_task.apply().get() == 1


def test_an_unknown_or_malformed_hold_token_holds_nothing(client, filled):
    response = post(client, **filled, held="../../etc/passwd")
    assert response.status_code == 200
    assert Concern.objects.get().photos.count() == 0

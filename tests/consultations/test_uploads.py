import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from consultations.uploads import prepare_photo, prepare_photos

from .images import gif_bytes, jpeg_bytes, png_bytes, webp_bytes


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    "data, ext",
    [(jpeg_bytes(), ".jpg"), (png_bytes(), ".png"), (webp_bytes(), ".webp")],
)
def test_jpeg_png_and_webp_are_accepted_and_renamed(data, ext):
    prepared = prepare_photo(upload(data, name="../../etc/passwd.jpg"))

    assert prepared.name.endswith(ext)
    assert "passwd" not in prepared.name


def test_gps_and_other_metadata_are_stripped():
    original = Image.open(io.BytesIO(jpeg_bytes(gps=True)))
    assert original.getexif().get(0x8825)  # the test image does carry GPS

    prepared = prepare_photo(upload(jpeg_bytes(gps=True)))

    stored = Image.open(io.BytesIO(prepared.read()))
    assert not stored.getexif()
    assert b"PhoneMaker" not in prepared.read()


def test_a_text_file_is_refused():
    with pytest.raises(ValidationError) as caught:
        prepare_photo(upload(b"hello, not a picture", name="note.txt"))
    assert caught.value.code == "not_image"


def test_a_file_that_only_claims_to_be_an_image_is_refused():
    fake = b"\xff\xd8\xff\xe0" + b"<?php echo 'x'; ?>" * 50

    with pytest.raises(ValidationError) as caught:
        prepare_photo(upload(fake, name="evil.jpg", content_type="image/jpeg"))
    assert caught.value.code == "not_image"


def test_a_gif_is_refused_as_a_format_not_offered():
    with pytest.raises(ValidationError) as caught:
        prepare_photo(upload(gif_bytes(), name="a.gif", content_type="image/gif"))
    assert caught.value.code == "format"


def test_a_photo_over_five_megabytes_is_refused(settings):
    big = SimpleUploadedFile("big.jpg", b"\0" * (5 * 1024 * 1024 + 1))

    with pytest.raises(ValidationError) as caught:
        prepare_photo(big)
    assert caught.value.code == "too_large"


def test_more_than_three_photos_are_refused():
    with pytest.raises(ValidationError) as caught:
        prepare_photos([upload(jpeg_bytes()) for _ in range(4)])
    assert caught.value.code == "too_many"


def test_one_bad_photo_refuses_them_all():
    with pytest.raises(ValidationError):
        prepare_photos([upload(jpeg_bytes()), upload(b"junk")])

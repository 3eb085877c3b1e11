"""The one upload policy: what is accepted, what is stored, how it is served,
and that every file field of the portal goes through it."""

import io
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from PIL import Image

from civic.models import Disclosure
from common.uploads import (
    POLICIES,
    PolicyFileField,
    PolicyFormField,
    PolicyImageField,
    prepare_upload,
    prepare_uploads,
)
from consultations.calendar_admin import CalendarImportForm
from org.private_files import PrivateJobStorage
from tests.consultations.images import gif_bytes, jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML_PDF = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script>\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>"
)
# A GIF header a browser sniffing for HTML would still run.
GIF_HTML = b"GIF89a/*\x01\x00\x01\x00*/=1;<script>alert(1)</script>" + gif_bytes()
STORED_NAME = re.compile(r"^[a-z-]+/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp|pdf)$")

DOCUMENTS = POLICIES["disclosure_attachment"]
PHOTOS = POLICIES["inspection_photo"]


def upload(name: str, data: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(policy, name, data, content_type="application/octet-stream"):
    with pytest.raises(ValidationError) as caught:
        prepare_upload(upload(name, data, content_type), policy=policy)
    return caught.value


def policy_fields() -> list[models.FileField]:
    """Every file field whose files are served: a ledger job's workbooks sit
    in private storage outside MEDIA_ROOT, are read by the workbook reader
    (which refuses anything but a plain xlsx) and only ever downloaded by
    their job's own users (tests/compounds/test_ledger_jobs.py)."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
        and model._meta.app_label not in {"auth", "admin", "contenttypes", "sessions"}
        and not isinstance(field.storage, PrivateJobStorage)
    ]


def field_id(field) -> str:
    return f"{field.model._meta.label}.{field.name}"


# What is accepted


def test_html_named_pdf_is_refused_by_its_name():
    error = refusal(DOCUMENTS, "x.html", PDF, "application/pdf")

    assert error.code == "dangerous_name"


def test_pdf_holding_html_is_refused_whatever_its_name():
    error = refusal(DOCUMENTS, "fees.pdf", HTML_PDF, "application/pdf")

    assert error.code == "html_in_pdf"


@pytest.mark.parametrize("name", ["board.svg", "board.png", "board"])
def test_svg_with_script_is_refused(name):
    error = refusal(DOCUMENTS, name, SVG, "image/svg+xml")

    assert error.code in {"dangerous_name", "bad_type"}


def test_polyglot_gif_html_is_refused():
    assert refusal(PHOTOS, "a.gif", GIF_HTML, "image/gif").code in {
        "format",
        "not_image",
    }
    assert refusal(DOCUMENTS, "a.jpg", GIF_HTML, "image/jpeg").code in {
        "format",
        "bad_type",
    }


@pytest.mark.parametrize(
    "name", ["a.htm", "a.HTML", "a.xhtml", "a.js", "a.svgz", "a.html.pdf"]
)
def test_names_of_pages_and_scripts_are_refused(name):
    assert refusal(DOCUMENTS, name, PDF).code == "dangerous_name"


def test_a_photo_field_refuses_a_pdf():
    assert refusal(PHOTOS, "scan.pdf", PDF).code == "not_image"


def test_plain_pdf_is_kept_byte_for_byte_under_a_random_name():
    prepared = prepare_upload(upload("物业费公示.pdf", PDF), policy=DOCUMENTS)

    assert prepared.read() == PDF
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", prepared.name)


def test_jpeg_with_gps_is_stored_without_exif_and_upright(tmp_path, settings):
    original = Image.open(io.BytesIO(jpeg_bytes(gps=True)))
    assert original.getexif().get(0x8825)  # the test photo carries GPS

    prepared = prepare_upload(
        upload("IMG_0001.jpg", jpeg_bytes(gps=True)), policy=PHOTOS
    )

    stored = Image.open(io.BytesIO(prepared.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "IMG_0001" not in prepared.name


def test_orientation_is_applied_before_the_exif_goes():
    image = Image.new("RGB", (60, 20), (10, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)

    prepared = prepare_upload(upload("side.jpg", out.getvalue()), policy=PHOTOS)

    assert Image.open(io.BytesIO(prepared.read())).size == (20, 60)


# Limits, with Chinese errors


def test_size_limit_is_the_fields_setting_with_a_chinese_error(settings):
    settings.UPLOAD_PHOTO_MAX_BYTES = 100
    settings.LANGUAGE_CODE = "zh-hans"

    error = refusal(PHOTOS, "a.png", png_bytes((200, 200)))

    assert error.code == "too_large"
    assert "每个文件不能超过" in error.messages[0]
    assert "100" in error.messages[0]


def test_count_limit_is_the_fields_setting_with_a_chinese_error(settings):
    settings.INSPECTION_MAX_PHOTOS = 2
    settings.LANGUAGE_CODE = "zh-hans"

    with pytest.raises(ValidationError) as caught:
        prepare_uploads([upload("a.png", png_bytes()) for _ in range(3)], policy=PHOTOS)

    assert caught.value.code == "too_many"
    assert caught.value.messages == ["最多只能上传 2 张照片。"]


def test_refusals_read_in_chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"

    assert "不接受此类文件" in refusal(DOCUMENTS, "x.html", PDF).messages[0]
    assert "网页代码" in refusal(DOCUMENTS, "a.pdf", HTML_PDF).messages[0]
    assert "PDF 文件或" in refusal(DOCUMENTS, "a.txt", b"text").messages[0]


# Every upload field of the portal


def test_every_file_field_of_the_portal_has_a_policy():
    fields = policy_fields()

    assert len(fields) >= 7
    unguarded = [
        field_id(f)
        for f in fields
        if not isinstance(f, PolicyFileField | PolicyImageField)
    ]
    assert unguarded == []


@pytest.mark.parametrize("field", policy_fields(), ids=field_id)
def test_each_field_stores_photos_reencoded_under_a_random_name(field):
    instance = field.model()

    getattr(instance, field.attname).save(
        "住户 照片.jpg", ContentFile(jpeg_bytes(gps=True)), save=False
    )

    stored = getattr(instance, field.attname)
    assert STORED_NAME.match(stored.name), stored.name
    assert stored.name.startswith(field.policy.folder + "/")
    with stored.open("rb") as handle:
        assert not Image.open(handle).getexif()


@pytest.mark.parametrize("field", policy_fields(), ids=field_id)
def test_each_field_refuses_an_html_file_however_it_is_saved(field):
    instance = field.model()

    with pytest.raises(ValidationError):
        getattr(instance, field.attname).save("x.html", ContentFile(PDF), save=False)
    with pytest.raises(ValidationError):
        getattr(instance, field.attname).save(
            "x.pdf", ContentFile(HTML_PDF), save=False
        )


@pytest.mark.parametrize("field", policy_fields(), ids=field_id)
def test_each_fields_form_field_answers_a_refusal_as_a_form_error(field):
    form_field = field.formfield()

    assert isinstance(form_field, PolicyFormField)
    with pytest.raises(ValidationError):
        form_field.clean(upload("x.html", PDF))


# Pages


def test_staff_disclosure_form_refuses_html_named_pdf_in_chinese(
    client, community_staff, compound
):
    client.force_login(community_staff)

    response = client.post(
        reverse("civic:disclosure-new"),
        {
            "compound": compound.pk,
            "kind": "public_income",
            "title": "第三季度公共收益",
            "content": "收入3200元",
            "objection_days": 7,
            "attachment": upload("x.html", PDF, "text/html"),
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    assert "不接受此类文件" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_staff_disclosure_form_stores_a_pdf_under_a_random_name(
    client, community_staff, compound
):
    client.force_login(community_staff)

    client.post(
        reverse("civic:disclosure-new"),
        {
            "compound": compound.pk,
            "kind": "public_income",
            "title": "第三季度公共收益",
            "content": "收入3200元",
            "objection_days": 7,
            "attachment": upload("第三季度.pdf", PDF, "application/pdf"),
        },
    )

    name = Disclosure.objects.get().attachment.name
    assert STORED_NAME.match(name)
    assert name.startswith("disclosures/")


# Serving


def stored(settings, relative: str, data: bytes) -> str:
    path = settings.MEDIA_ROOT / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"/media/{relative}"


def test_an_old_html_named_pdf_is_served_as_a_pdf_download(client, settings, superuser):
    # A file no row holds: only the superuser reads it (jiyang/media.py).
    client.force_login(superuser)
    settings.SERVE_MEDIA = True
    url = stored(settings, "disclosures/2025/01/x.html", PDF)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_anything_not_an_image_or_pdf_is_an_octet_stream_download(
    client, settings, superuser
):
    # A file no row holds: only the superuser reads it (jiyang/media.py).
    client.force_login(superuser)
    settings.SERVE_MEDIA = True
    url = stored(settings, "exit-cases/3/note.svg", SVG)

    response = client.get(url)

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_is_shown_inline_with_its_sniffed_type(client, settings, superuser):
    # A file no row holds: only the superuser reads it (jiyang/media.py).
    client.force_login(superuser)
    settings.SERVE_MEDIA = True
    url = stored(settings, "concerns/2026/01/photo.bin", png_bytes())

    response = client.get(url)

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_chinese_file_name_is_given_in_rfc_5987_form(client, settings, superuser):
    # A file no row holds: only the superuser reads it (jiyang/media.py).
    client.force_login(superuser)
    settings.SERVE_MEDIA = True
    url = stored(settings, "exit-cases/3/约谈记录.pdf", PDF)

    response = client.get(url)

    assert (
        "filename*=utf-8''%E7%BA%A6%E8%B0%88%E8%AE%B0%E5%BD%95.pdf"
        in (response["Content-Disposition"])
    )


@pytest.mark.parametrize(
    "path", ["../settings.py", "..%2F..%2Fetc%2Fpasswd", "nothing-here.jpg", "a\x00b"]
)
def test_paths_outside_media_or_missing_answer_404(client, settings, path):
    settings.SERVE_MEDIA = True

    assert client.get(f"/media/{path}").status_code == 404


def test_media_is_not_served_by_django_when_switched_off(client, settings):
    settings.SERVE_MEDIA = False
    url = stored(settings, "concerns/2026/01/p.png", png_bytes())

    assert client.get(url).status_code == 404


def test_calendar_file_over_its_limit_is_refused_in_chinese(settings):
    settings.CALENDAR_FILE_MAX_BYTES = 1000
    settings.LANGUAGE_CODE = "zh-hans"
    rows = b"2027-01-01,holiday,\xe5\x85\x83\xe6\x97\xa6\n" * 100

    form = CalendarImportForm(data={}, files={"file": upload("calendar.csv", rows)})

    assert not form.is_valid()
    assert "文件不能超过" in form.non_field_errors()[0]

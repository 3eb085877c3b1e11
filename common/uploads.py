"""One policy for every file the portal stores, and how stored files are served.

A file is judged by its content, never by its name or declared type:
JPEG, PNG and WebP images (opened and verified with Pillow) and, where the
field allows documents, PDF (the `%PDF-` signature and no HTML in it). An
image is decoded and encoded again, so only pixels are kept: no EXIF, no GPS
position, no comment a browser could read as HTML, and its orientation is
applied. A name with an HTML, SVG or script extension is refused outright,
whatever the content. What is stored gets a random name (uuid4 hex and the
sniffed extension) in a dated folder; the uploader's name is dropped.

Each field has a policy (`POLICIES`) whose size and count limits are
settings. The model fields `PolicyImageField` and
`PolicyFileField` apply it on every save (forms, admin, services, shell), and
their form field turns a refusal into a form error.

`media_response` serves a stored file with the type sniffed from its bytes,
`nosniff`, and `Content-Disposition: attachment` for anything but an image:
the bytes themselves (FileResponse, the demo) or, with
`MEDIA_ACCEL_REDIRECT` set, an `X-Accel-Redirect` to the web server's
internal location. Who may fetch which file is decided before that
(`jiyang/media.py`); `signed_media_url` gives a page a link that works for
`MEDIA_LINK_SECONDS` without a login (a resident's own photos on the
tracking page).
"""

import io
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils._os import safe_join
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "POLICIES",
    "PolicyFileField",
    "PolicyImageField",
    "PreparedFile",
    "RandomUploadPath",
    "UploadPolicy",
    "media_response",
    "media_signature_ok",
    "signed_media_url",
    "prepare_upload",
    "prepare_uploads",
    "refuse_dangerous_name",
]


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# Pillow's format name → what is stored and served.
IMAGE_KINDS = {
    "JPEG": Kind("jpg", "image/jpeg"),
    "PNG": Kind("png", "image/png"),
    "WEBP": Kind("webp", "image/webp"),
}
PDF = Kind("pdf", "application/pdf")
OCTET_STREAM = Kind("bin", "application/octet-stream")
STORED_EXTENSIONS = {kind.extension for kind in [*IMAGE_KINDS.values(), PDF]}

# Names a browser (or a server mapping extensions to types) would render as a
# page or run as a script.
DANGEROUS_EXTENSIONS = frozenset(
    [
        "htm",
        "html",
        "xhtml",
        "xht",
        "shtml",
        "mht",
        "mhtml",
        "svg",
        "svgz",
        "js",
        "mjs",
        "xml",
        "xsl",
        "xslt",
        "hta",
        "swf",
        "php",
        "jsp",
        "asp",
        "aspx",
    ]
)
# What a browser sniffing a file takes for HTML, looked for in the first KB
# (the sniffing window); the long ones anywhere in a PDF, where a short one
# could turn up by chance in compressed data. Each is "<" and the name.
HTML_MARKERS_HEAD = tuple(
    b"<" + name
    for name in (
        b"!doctype",
        b"html",
        b"head",
        b"body",
        b"script",
        b"iframe",
        b"svg",
        b"?xml",
        b"style",
        b"title",
        b"table",
        b"div",
        b"font",
        b"img",
        b"a ",
        b"!--",
    )
)
HTML_MARKERS_ANYWHERE = tuple(
    b"<" + name for name in (b"script", b"html", b"svg", b"iframe", b"!doctype")
)
SNIFF_WINDOW = 1024

MAX_PIXELS = 40_000_000  # refuse decompression bombs well before Pillow's limit
MAX_SIDE = 2560  # larger photos are scaled down; a phone screen needs less


@dataclass(frozen=True)
class UploadPolicy:
    """What one upload field accepts: its kinds, and its limits, each read
    from a setting (`count_setting` None: one file a field)."""

    name: str
    folder: str
    bytes_setting: str
    count_setting: str | None = None
    documents: bool = False  # PDF besides images

    def max_bytes(self) -> int:
        return getattr(settings, self.bytes_setting)

    def max_count(self) -> int:
        return getattr(settings, self.count_setting) if self.count_setting else 1

    def kinds_text(self) -> str:
        if self.documents:
            return _("a PDF or a JPEG, PNG or WebP image")
        return _("a JPEG, PNG or WebP image")


POLICIES = {
    policy.name: policy
    for policy in [
        UploadPolicy(
            "concern_photo",
            "concerns",
            "CONCERN_MAX_PHOTO_BYTES",
            "CONCERN_MAX_PHOTOS",
        ),
        # Photos held between a refused public form and its fix: already
        # re-encoded, under the concern photos' limits.
        UploadPolicy(
            "held_photo", "held", "CONCERN_MAX_PHOTO_BYTES", "CONCERN_MAX_PHOTOS"
        ),
        UploadPolicy(
            "inspection_photo",
            "inspections",
            "UPLOAD_PHOTO_MAX_BYTES",
            "INSPECTION_MAX_PHOTOS",
        ),
        UploadPolicy(
            "rectification_photo",
            "rectifications",
            "UPLOAD_PHOTO_MAX_BYTES",
            "RECTIFICATION_MAX_PHOTOS",
        ),
        UploadPolicy(
            "visit_photo", "visits", "UPLOAD_PHOTO_MAX_BYTES", "VISIT_MAX_PHOTOS"
        ),
        UploadPolicy(
            "disclosure_attachment",
            "disclosures",
            "DISCLOSURE_ATTACHMENT_MAX_BYTES",
            documents=True,
        ),
        UploadPolicy(
            "exit_document", "exit-cases", "EXIT_DOCUMENT_MAX_BYTES", documents=True
        ),
    ]
}


class PreparedFile(ContentFile):
    """Content that passed its policy, under its random name: stored as it is."""

    is_prepared = True


def refuse_dangerous_name(name: str | None) -> None:
    """Refuse a file named like a page or a script (`x.html`, `a.svg`)."""
    suffixes = {s.lstrip(".").lower() for s in Path(name or "").suffixes}
    if suffixes & DANGEROUS_EXTENSIONS:
        raise ValidationError(
            _("Files of this type (%(name)s) are not accepted."),
            params={"name": Path(name).name[:100]},
            code="dangerous_name",
        )


def looks_like_html(data: bytes) -> bool:
    head = data[:SNIFF_WINDOW].lower()
    if any(marker in head for marker in HTML_MARKERS_HEAD):
        return True
    lowered = data.lower()
    return any(marker in lowered for marker in HTML_MARKERS_ANYWHERE)


def prepare_upload(upload, *, policy: UploadPolicy) -> PreparedFile:
    """Check one upload against `policy`; return what may be stored."""
    if getattr(upload, "is_prepared", False):
        return upload
    refuse_dangerous_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    if size is None or size > policy.max_bytes():
        raise ValidationError(
            _("Each file may be at most %(limit)s."),
            params={"limit": filesizeformat(policy.max_bytes())},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if policy.documents and data.startswith(b"%PDF-"):
        if looks_like_html(data):
            raise ValidationError(
                _("This PDF holds web page code and is not accepted."),
                code="html_in_pdf",
            )
        return PreparedFile(data, name=f"{uuid.uuid4().hex}.{PDF.extension}")
    try:
        return _reencoded_image(data)
    except ValidationError as error:
        if error.code == "not_image" and policy.documents:
            raise ValidationError(
                _("Attach %(kinds)s."),
                params={"kinds": policy.kinds_text()},
                code="bad_type",
            ) from None
        raise


def _reencoded_image(data: bytes) -> PreparedFile:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
        if fmt not in IMAGE_KINDS:
            raise ValidationError(
                _("Only JPEG, PNG or WebP photos are accepted."), code="format"
            )
        if width * height > MAX_PIXELS:
            raise ValidationError(_("This photo is too large."), code="too_large")
        # verify() leaves the image unusable: open it again to decode.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if fmt == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            elif fmt == "PNG":
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=85)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ):
        raise ValidationError(
            _("This file is not a JPEG, PNG or WebP image."), code="not_image"
        ) from None
    name = f"{uuid.uuid4().hex}.{IMAGE_KINDS[fmt].extension}"
    return PreparedFile(out.getvalue(), name=name)


def prepare_uploads(uploads: Sequence, *, policy: UploadPolicy) -> list[PreparedFile]:
    """Check the count, then each file; refuse all if one is bad."""
    uploads = [u for u in uploads if u]
    check_count(len(uploads), policy=policy)
    return [prepare_upload(u, policy=policy) for u in uploads]


def check_count(count: int, *, policy: UploadPolicy) -> None:
    if count > policy.max_count():
        message = (
            _("At most %(n)d files may be attached.")
            if policy.documents
            else _("At most %(n)d photos may be attached.")
        )
        raise ValidationError(
            message, params={"n": policy.max_count()}, code="too_many"
        )


@deconstructible
class RandomUploadPath:
    """`upload_to` of a policy field: `<folder>/<yyyy>/<mm>/<uuid4 hex>.<ext>`.

    The extension is the one `prepare_upload` gave from the content; any
    other (a file stored without the policy) becomes `.bin`.
    """

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = Path(filename).suffix.lstrip(".").lower()
        if extension not in STORED_EXTENSIONS:
            extension = OCTET_STREAM.extension
        today = timezone.localdate()
        return f"{self.folder}/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomUploadPath) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


class PolicyFormField(forms.FileField):
    """A form's file input that answers the policy's refusal as a form error
    and hands the model the prepared file."""

    def __init__(self, *args, policy: UploadPolicy, **kwargs):
        self.policy = policy
        super().__init__(*args, **kwargs)
        accept = "image/jpeg,image/png,image/webp"
        if policy.documents:
            accept = "application/pdf," + accept
        self.widget.attrs.setdefault("accept", accept)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return prepare_upload(upload, policy=self.policy)


class PolicyFieldFileMixin:
    def save(self, name, content, save=True):
        # The one door every stored file goes through, whichever code saves it;
        # the name asked for counts as much as the content's own.
        if not getattr(content, "is_prepared", False):
            refuse_dangerous_name(name)
        prepared = prepare_upload(content, policy=self.field.policy)
        super().save(prepared.name, prepared, save)


class PolicyFieldFile(PolicyFieldFileMixin, FieldFile):
    pass


class PolicyImageFieldFile(PolicyFieldFileMixin, ImageFieldFile):
    pass


class PolicyFieldMixin:
    def __init__(self, *args, policy: str, **kwargs):
        self.policy = POLICIES[policy]
        kwargs["upload_to"] = RandomUploadPath(self.policy.folder)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["policy"] = self.policy.name
        kwargs.pop("upload_to", None)
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value and not value._committed:
            # full_clean() outside a form: refuse here, with the field's name,
            # rather than in save(); the prepared file is what save() stores.
            value.file = prepare_upload(value.file, policy=self.policy)

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", PolicyFormField)
        kwargs.setdefault("policy", self.policy)
        return super().formfield(**kwargs)


class PolicyFileField(PolicyFieldMixin, models.FileField):
    """A `FileField` whose files pass their upload policy (`POLICIES`)."""

    attr_class = PolicyFieldFile


class PolicyImageField(PolicyFieldMixin, models.ImageField):
    """An `ImageField` whose images are re-encoded by their upload policy."""

    attr_class = PolicyImageFieldFile


def sniffed_kind(head: bytes) -> Kind:
    """The kind a stored file is served as, from its first bytes."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return IMAGE_KINDS["JPEG"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE_KINDS["PNG"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE_KINDS["WEBP"]
    return OCTET_STREAM


def media_response(path: str) -> HttpResponse:
    """A stored file under MEDIA_ROOT, served as the upload policy requires.

    The type comes from the bytes, not the name, so a file stored before
    the policy (`x.html` holding a PDF) is served as what it is; `nosniff`
    stops the browser guessing, and anything not an image is a download
    (`filename*` carries a Chinese name, RFC 5987). With
    `MEDIA_ACCEL_REDIRECT` the web server sends the bytes, keeping these
    headers.
    """
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except (SuspiciousFileOperation, ValueError):
        raise Http404 from None
    if not full.is_file():
        raise Http404
    with full.open("rb") as stored:
        kind = sniffed_kind(stored.read(16))
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=kind.content_type)
        relative = Path(os.path.relpath(full, os.path.abspath(settings.MEDIA_ROOT)))
        relative = relative.as_posix()
        response["X-Accel-Redirect"] = quote(
            settings.MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + relative
        )
        disposition = "inline" if kind.is_image else "attachment"
        response["Content-Disposition"] = content_disposition_header(
            disposition == "attachment", full.name
        )
    else:
        response = FileResponse(
            full.open("rb"),
            as_attachment=not kind.is_image,
            filename=full.name,
            content_type=kind.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    # What one login may read is not for a shared cache.
    response["Cache-Control"] = "private, max-age=3600"
    return response


_MEDIA_SIGNER_SALT = "jiyang.media"


def signed_media_url(name: str) -> str:
    """The URL of stored file `name` with a signature that lets anyone
    holding it fetch that file for MEDIA_LINK_SECONDS."""
    signed = signing.TimestampSigner(salt=_MEDIA_SIGNER_SALT).sign(name)
    # "name:timestamp:signature": the link carries the last two.
    token = signed[len(name) + 1 :]
    return f"{settings.MEDIA_URL}{quote(name)}?t={token}"


def media_signature_ok(name: str, token: str) -> bool:
    """Whether `token` (from `signed_media_url`) is a live signature of `name`."""
    if not token or len(token) > 200:
        return False
    try:
        signing.TimestampSigner(salt=_MEDIA_SIGNER_SALT).unsign(
            f"{name}:{token}", max_age=settings.MEDIA_LINK_SECONDS
        )
    except signing.BadSignature:
        return False
    return True

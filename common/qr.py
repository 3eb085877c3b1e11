"""QR codes drawn on the server as inline SVG (segno), and the absolute
addresses they carry.

A printed poster or a receipt is read by a phone's camera, so the link
must name the portal's public host: `PORTAL_BASE_URL` when it is set,
else the host the request came to.
"""

import segno
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe


def absolute_url(path: str, request=None) -> str:
    """`path` on the portal's public host (see the module docstring)."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    if base:
        return f"{base}{path}"
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def qr_svg(text: str, *, label: str = "") -> SafeString:
    """`text` as a QR code: an inline <svg> that scales to its box.

    Error correction M (15 %) survives a crease or a smudge on a poster;
    the quiet zone of 4 modules is what scanners expect.
    """
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        svgclass="qr",
        lineclass="qr-dark",
        title=label or None,
    )
    # segno escapes the title; the path holds only digits and letters.
    return mark_safe(svg)  # noqa: S308

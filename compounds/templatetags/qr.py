"""`{% qr_code text %}`: a QR code as inline SVG, and `{% absolute_url path %}`:
the path on the portal's public host (see `common.qr`)."""

from django import template

from common import qr

register = template.Library()


@register.simple_tag
def qr_code(text: str, label: str = ""):
    return qr.qr_svg(text, label=label)


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return qr.absolute_url(path, context.get("request"))

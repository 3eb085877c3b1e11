"""What keeps a concern from closing, for the concern page's include
(civic/_concern_holds.html): consultations' page needs no civic code."""

from django import template

from civic import services

register = template.Library()


@register.simple_tag(takes_context=True)
def concern_holds(context, concern) -> list:
    """The concern's open holds for the viewer (see `services.holds_of`)."""
    return services.holds_of(concern, context["request"].user)

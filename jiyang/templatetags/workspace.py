"""The admin home's workspace: only the links the user may use."""

from django import template

from ..workspace import MY_TASKS, OVERVIEW, links_for

register = template.Library()


@register.simple_tag
def workspace_links(user):
    """(group title, links) for `user` (see jiyang/workspace.py)."""
    return links_for(user)


@register.simple_tag
def my_tasks_link(user):
    """The link to 我的待办, or None when the user may not open it."""
    return MY_TASKS if MY_TASKS.usable(user) else None


@register.simple_tag
def overview_link(user):
    """The link to the street overview, or None when the user may not open it."""
    return OVERVIEW if OVERVIEW.usable(user) else None

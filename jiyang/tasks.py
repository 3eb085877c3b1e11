"""Celery tasks that span apps: thin wrappers around the apps' own functions."""

from celery import shared_task

from compounds.models import resync_ancestors
from org.models import OrgUnit


@shared_task
def resync_unit_ancestors_task(unit_id: int) -> int:
    """Copy the tree's ancestors onto every compound under the unit.

    Compounds carry their street and community ids for fast filtering. A
    move in the admin keeps them in step on its own; this repairs them after
    bulk edits that bypass `OrgUnit.save()` (imports, SQL fixes). Returns the
    number of compounds updated.
    """
    return resync_ancestors(OrgUnit.objects.get(pk=unit_id))

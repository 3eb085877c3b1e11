"""A real Celery worker on Redis runs the portal's tasks against PostgreSQL."""

import pytest
from celery.result import EagerResult

from compounds.models import Compound
from org.tasks import resync_places_task

from .factories import CommunityFactory, CompoundFactory, GridFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_repairs_drifted_ancestor_copies_in_postgres(
    postgres_and_redis, celery_worker_process, street
):
    community = CommunityFactory(parent=street, code="370811012001")
    other_community = CommunityFactory(parent=street, code="370811012002")
    grid = GridFactory(parent=community, code="370811012001001")
    drifted = CompoundFactory(grid=grid, name="水景花苑")
    in_step = CompoundFactory(grid=grid, name="运河小区")
    # A bulk edit that bypassed the model left a wrong community copy.
    Compound.objects.filter(pk=drifted.pk).update(community=other_community)

    result = resync_places_task.delay(street.pk)

    assert result.get(timeout=30) == 2
    drifted.refresh_from_db()
    in_step.refresh_from_db()
    assert drifted.community_id == community.pk
    assert in_step.community_id == community.pk
    assert not isinstance(result, EagerResult)
    assert result.id in celery_worker_process.log_path.read_text()


def test_worker_reports_a_missing_unit_as_a_failed_task(
    postgres_and_redis, celery_worker_process
):
    result = resync_places_task.delay(987654321)

    with pytest.raises(Exception, match="does not exist"):
        result.get(timeout=30)
    assert result.failed()

"""Shared fixtures: test settings, service checks and the cast of roles.

The cast: `street_admin` (street office, sees the whole street),
`community_staff` (one community), `grid_secretary` (one grid),
`property_manager` (the compounds their company serves), `inspector`
(a resident representative of the street) and `outsider` (a grid secretary
in another street).
"""

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse its ORM calls there (see SERVICES.md in the team notes).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient

from consultations import sms
from consultations.models import ConcernCategory
from jiyang.celery import app as celery_app
from open311.services import issue_partner_key
from org.models import Post

from . import second_factor
from .clients import PARTNER_KEY
from .consultations.factories import ensure_categories
from .factories import (
    CommunityFactory,
    CompanyStaffFactory,
    CompoundFactory,
    GridFactory,
    PersonFactory,
    PostFactory,
    ServiceContractFactory,
    StreetFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it must exist."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "consultations.sms.LocmemBackend"
    sms.outbox.clear()
    # Login lockout (django-axes) counts failures in the database; the tests
    # of the lockout switch it on (tests/test_security.py).
    settings.AXES_ENABLED = False
    # Celery read its config at start-up; eager mode is switched on the app.
    # Tests marked `services` talk to a real worker instead.
    eager = request.node.get_closest_marker("services") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _second_factor_passed_at_login(request):
    """Every test login passes the second factor (tests/second_factor.py),
    except in the tests of the second factor itself (marker `second_factor`)."""
    if request.node.get_closest_marker("second_factor") is not None:
        yield
        return
    uid = "tests_second_factor_pass"
    user_logged_in.connect(second_factor.pass_at_login, dispatch_uid=uid)
    yield
    user_logged_in.disconnect(dispatch_uid=uid)


@pytest.fixture
def postgres_and_redis():
    engine = django_settings.DATABASES["default"]["ENGINE"]
    need("postgresql" in engine, "DATABASE_URL must point at PostgreSQL")
    need(bool(django_settings.REDIS_URL), "REDIS_URL must point at Redis")


# The cast -------------------------------------------------------------------


@pytest.fixture
def street():
    return StreetFactory(name="济阳街道", code="370811012")


@pytest.fixture
def community(street):
    return CommunityFactory(parent=street, name="运河社区", code="370811012001")


@pytest.fixture
def grid(community):
    return GridFactory(
        parent=community, name="运河社区第一网格党支部", code="370811012001001"
    )


@pytest.fixture
def other_grid(community):
    return GridFactory(
        parent=community, name="运河社区第二网格党支部", code="370811012001002"
    )


@pytest.fixture
def other_community(street):
    return CommunityFactory(parent=street, name="柳行社区", code="370811012002")


@pytest.fixture
def compound(grid):
    return CompoundFactory(grid=grid, name="水景花苑")


@pytest.fixture
def other_compound(other_grid):
    return CompoundFactory(grid=other_grid, name="运河小区")


def staff_with_post(unit, role=Post.Role.SECRETARY, **user_kwargs):
    person = PersonFactory(unit=unit)
    PostFactory(person=person, unit=unit, role=role)
    return UserFactory(person=person, **user_kwargs)


@pytest.fixture
def street_admin(street):
    return staff_with_post(street, Post.Role.FULL_TIME_STAFF, username="street_admin")


@pytest.fixture
def community_staff(community):
    return staff_with_post(
        community, Post.Role.FULL_TIME_STAFF, username="community_staff"
    )


@pytest.fixture
def grid_secretary(grid):
    return staff_with_post(grid, Post.Role.SECRETARY, username="grid_secretary")


@pytest.fixture
def inspector(street):
    return staff_with_post(
        street, Post.Role.RESIDENT_REPRESENTATIVE, username="inspector"
    )


@pytest.fixture
def serving_contract(compound):
    return ServiceContractFactory(compound=compound)


@pytest.fixture
def property_manager(serving_contract):
    staff = CompanyStaffFactory(
        company=serving_contract.company,
        person=PersonFactory(unit=serving_contract.compound.grid),
    )
    return UserFactory(person=staff.person, username="property_manager")


@pytest.fixture
def outsider():
    far_grid = GridFactory()
    return staff_with_post(far_grid, Post.Role.SECRETARY, username="outsider")


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, person=None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    need(os.access(chromium, os.X_OK), f"Chromium not found at {chromium}")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# A real Celery worker ------------------------------------------------------


def _test_database_url() -> str:
    db = connections["default"].settings_dict
    userinfo = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        userinfo += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{userinfo}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """A real `celery -A jiyang worker` process on the test database and Redis.

    Use it from tests marked `@pytest.mark.services` and
    `@pytest.mark.django_db(transaction=True)`: the worker is another process
    and sees only committed rows, and for `services` tests eager mode is off.
    While it runs, every task sent without an explicit queue is routed to a
    queue of its own that only this worker consumes, so a test (or a service
    it calls, through `transaction.on_commit`) enqueues with `.delay()` or
    `.apply_async()` as usual and waits with `result.get(timeout=...)`.

        @pytest.mark.services
        @pytest.mark.django_db(transaction=True)
        def test_it(postgres_and_redis, celery_worker_process):
            result = my_task.delay(42)
            assert result.get(timeout=30) == ...

    Yields the `subprocess.Popen` of the worker; its log is
    `celery_worker_process.log_path`, the folder of its ledger job files
    `celery_worker_process.job_dir`. Started once per session, stopped by
    its PID at the end.
    """
    engine = django_settings.DATABASES["default"]["ENGINE"]
    need("postgresql" in engine, "DATABASE_URL must point at PostgreSQL")
    need(bool(django_settings.REDIS_URL), "REDIS_URL must point at Redis")

    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    node = f"{queue}@localhost"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    job_dir = tmp_path_factory.mktemp("ledger_jobs")
    env = {
        **os.environ,
        "LEDGER_JOB_DIR": str(job_dir),
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "jiyang.settings",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "jiyang",
        "worker",
        "--pool=solo",
        "-Q",
        queue,
        "-n",
        node,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    previous_queue = celery_app.conf.task_default_queue
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=django_settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    process.job_dir = job_dir
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[node], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "the Celery worker did not start:\n"
                    + log_path.read_text(errors="replace")[-3000:]
                )
        celery_app.conf.task_default_queue = queue
        yield process
    finally:
        celery_app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        # Drop the queue, its bindings and whatever a failed test left queued.
        client = redis.Redis.from_url(django_settings.REDIS_URL)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)


# Shared state every test starts without ------------------------------------


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate limits and throttles count in the cache; each test starts at 0."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a temporary folder, not the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The files of ledger jobs, likewise (a test with a real worker points
    # this at `celery_worker_process.job_dir`, the worker's).
    settings.LEDGER_JOB_DIR = tmp_path / "ledger_jobs"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may come from a run whose last test was
    transactional and so emptied the seeded categories: seed them again."""
    with django_db_blocker.unblock():
        ensure_categories()


@pytest.fixture(autouse=True)
def _categories_after_flush(request):
    """A transactional test empties every table when it ends, the seeded
    concern categories too; the next one gets them back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_categories()


# Clients, categories and a partner key ---------------------------------------


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def sanitation():
    return ConcernCategory.objects.get(code="sanitation")


@pytest.fixture
def parking():
    return ConcernCategory.objects.get(code="parking")


@pytest.fixture
def partner():
    app, _ = issue_partner_key(name="12345热线", raw_key=PARTNER_KEY)
    return app

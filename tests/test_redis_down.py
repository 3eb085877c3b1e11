"""Redis down degrades, not fails.

A Redis of the test's own (port 8320, no persistence) is the cache and the
Celery broker; it is stopped mid-run. Submissions keep being answered
within a second (their mails wait as outbox rows), the REST API and the
Open311 reads keep answering (the cache and the throttles fail open), and
once Redis is back the outbox sweep sends every mail: nothing is lost,
the ones handed to the stopped broker included.
"""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.core import mail
from kombu import pools as kombu_pools

from consultations.models import Concern, Notification
from consultations.notifications import sweep_outbox
from jiyang.celery import app as celery_app

from .clients import token_client
from .consultations.factories import category

PORT = 8320
URL = f"redis://127.0.0.1:{PORT}/0"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class OwnRedis:
    """A redis-server this test starts and stops by its own PID."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(URL, socket_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", PORT)) != 0, "port still open"


@pytest.fixture
def own_redis(tmp_path, settings):
    # Read before the settings change: Celery's conf reads Django's settings.
    previous = celery_app.conf.broker_url
    server = OwnRedis(tmp_path)
    server.start()
    settings.REDIS_URL = URL
    settings.CELERY_BROKER_URL = URL
    settings.CACHES = {
        "default": {
            "BACKEND": "common.cache.FailOpenRedisCache",
            "LOCATION": URL,
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_SOCKET_TIMEOUT,
                "socket_timeout": settings.REDIS_SOCKET_TIMEOUT,
            },
        }
    }
    celery_app.conf.broker_url = URL
    celery_app.conf.task_ignore_result = True
    _forget_broker_connections()
    yield server
    server.stop()
    celery_app.conf.broker_url = previous
    celery_app.conf.task_ignore_result = False
    _forget_broker_connections()


def _forget_broker_connections() -> None:
    # Celery and kombu keep pools of connections to the broker first used.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _submit(client, compound, n: int):
    started = time.monotonic()
    response = client.post(
        "/concerns/new/",
        {
            "compound": compound.pk,
            "category": category("sanitation").pk,
            "kind": "complaint",
            "description": f"楼道灯坏了（第 {n} 次反映）",
            "email": f"resident{n}@example.cn",
        },
    )
    return response, time.monotonic() - started


def test_submissions_api_and_open311_ride_over_a_redis_outage(
    client, compound, community_staff, own_redis
):
    before, _took = _submit(client, compound, 0)
    assert before.status_code == 200
    # Handed to the broker: in a Redis queue, not yet sent (no worker here).
    # Which queue depends on what earlier tests left in Celery's router.
    broker = redis.Redis.from_url(URL)
    queued = [key for key in broker.scan_iter() if broker.type(key) == b"list"]
    assert sum(broker.llen(key) for key in queued) >= 1

    own_redis.stop()

    timings = []
    for n in range(1, 4):
        response, took = _submit(client, compound, n)
        assert response.status_code == 200
        assert (
            "已收到" in response.content.decode()
            or "查询码" in response.content.decode()
        )
        timings.append(took)
    api = token_client(community_staff).get("/api/v1/concerns/")
    open311 = client.get("/open311/v2/requests.json")
    health = client.get("/healthz")

    assert max(timings) < 1, timings
    assert api.status_code == 200
    assert len(api.json()["results"]) == 4
    assert open311.status_code == 200
    assert health.status_code == 200
    assert health.json()["cache"] == "error" and health.json()["broker"] == "error"
    assert Concern.objects.count() == 4
    queued = Notification.objects.filter(to_email__startswith="resident").count()
    assert queued == 4
    assert not mail.outbox

    own_redis.start()
    _forget_broker_connections()
    sent = sweep_outbox(older_than=timedelta(0))

    assert sent == Notification.objects.count()
    assert not Notification.objects.unsent().exists()
    assert {f"resident{n}@example.cn" for n in range(4)} <= {
        address for message in mail.outbox for address in message.to
    }
    assert client.get("/healthz").json()["broker"] == "ok"

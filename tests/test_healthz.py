"""/healthz: each part's state (database, cache, broker); 503 only when the
database is down, since the portal rides over a Redis outage."""

import time

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def without_redis(settings):
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.CELERY_BROKER_URL = "memory://"


@pytest.fixture
def redis_down(settings):
    # Port 1 on loopback refuses at once: a Redis that is configured but down.
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "common.cache.FailOpenRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CELERY_BROKER_URL = DEAD_REDIS


def test_without_redis_the_cache_is_local_and_tasks_run_in_process(
    client, without_redis
):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "local",
        "broker": "in-process",
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_fails(
    client, without_redis, monkeypatch
):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("jiyang.views.connection.cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_redis_down_is_reported_part_by_part_and_answers_200_fast(client, redis_down):
    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "error", "broker": "error"}


def test_the_cache_fails_open_while_redis_is_down(redis_down, caplog):
    from django.core.cache import cache

    cache.set("k", "v")

    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", "v") is False
    assert "cache unavailable" in caplog.text


@pytest.mark.services
def test_healthz_answers_200_with_postgres_and_redis(client, postgres_and_redis):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}

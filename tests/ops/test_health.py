import json
import time

import pytest
from django.db import OperationalError, connection

from asean_portal.celery import app as celery_app
from tests.conftest import free_port, redis_cache, redis_server, wait_for


@pytest.fixture
def broker(settings):
    """Point the Celery app at another broker for one test."""
    original = celery_app.conf.broker_url

    def use(url):
        celery_app.conf.broker_url = url

    yield use
    celery_app.conf.broker_url = original


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_readyz_reports_each_part(client):
    status, body = readyz(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "overdue"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(client, settings, broker):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = redis_cache(dead)
    broker(dead)
    started = time.monotonic()
    status, body = readyz(client)
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["cache"]["status"] == "failing"
    assert body["checks"]["broker"]["status"] == "failing"
    assert body["checks"]["database"]["status"] == "ok"
    assert "ConnectionError" in body["checks"]["cache"]["detail"]
    assert time.monotonic() - started < 10


@pytest.mark.django_db
def test_readyz_is_503_not_500_when_the_database_fails(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse)
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["database"]["status"] == "failing"
    assert "could not connect" in body["checks"]["database"]["detail"]


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_follows_a_real_redis_that_stops(client, settings, broker, redis_server_binary):
    with redis_server(redis_server_binary) as (url, stop, _start):
        settings.CACHES = redis_cache(url)
        broker(url)
        assert wait_for(lambda: readyz(client)[0] == 200), readyz(client)
        status, body = readyz(client)
        assert body["checks"]["cache"]["detail"] == "redis"
        assert body["checks"]["broker"]["detail"] == "redis"

        stop()
        status, body = readyz(client)
        assert status == 503
        assert body["checks"]["cache"]["status"] == "failing"
        assert body["checks"]["broker"]["status"] == "failing"

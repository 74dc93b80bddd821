import json
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from asean_portal.celery import app as celery_app
from asean_portal.ops.heartbeats import BEAT, WORKER, Heartbeat
from tests.conftest import (
    free_port,
    redis_cache,
    redis_server,
    subprocess_env,
    wait_for,
    worker_process,
)


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
def test_readyz_reports_each_part(client, fresh_heartbeats):
    status, body = readyz(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "overdue", "worker", "beat"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_is_503_when_no_worker_or_beat_has_run(client):
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["worker"]["status"] == "failing"
    assert body["checks"]["beat"]["status"] == "failing"
    assert body["checks"]["worker"]["detail"] == "RuntimeError: no sweep has run"
    assert body["checks"]["beat"]["detail"] == "RuntimeError: no sweep has been sent"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sweep_seconds", "age", "status"),
    [(1, 8, "ok"), (1, 12, "failing"), (30, 50, "ok"), (30, 70, "failing")],
)
def test_a_heartbeat_is_fresh_for_two_sweep_intervals_and_at_least_ten_seconds(
    client, settings, sweep_seconds, age, status
):
    settings.PUBLISHING_SWEEP_SECONDS = sweep_seconds
    for name in (WORKER, BEAT):
        Heartbeat.objects.create(name=name, at=timezone.now() - timedelta(seconds=age))
    checks = readyz(client)[1]["checks"]
    assert checks["worker"]["status"] == status, checks["worker"]
    assert checks["beat"]["status"] == status, checks["beat"]
    if status == "failing":
        assert f"no sweep has run for {age} s" in checks["worker"]["detail"]
        assert f"no sweep has been sent for {age} s" in checks["beat"]["detail"]


@pytest.mark.django_db
def test_beat_without_a_worker_is_told_apart_from_a_worker_without_beat(client):
    Heartbeat.objects.create(name=BEAT, at=timezone.now())
    checks = readyz(client)[1]["checks"]
    assert (checks["beat"]["status"], checks["worker"]["status"]) == ("ok", "failing")
    Heartbeat.objects.all().delete()
    Heartbeat.objects.create(name=WORKER, at=timezone.now())
    checks = readyz(client)[1]["checks"]
    assert (checks["beat"]["status"], checks["worker"]["status"]) == ("failing", "ok")


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
def test_readyz_follows_a_real_redis_that_stops(
    client, settings, broker, redis_server_binary, fresh_heartbeats
):
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


@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_follows_a_real_worker_and_beat(
    client, test_database_url, redis_server_binary, tmp_path
):
    def worker_and_beat():
        checks = readyz(client)[1]["checks"]
        return checks["worker"]["status"], checks["beat"]["status"]

    assert worker_and_beat() == ("failing", "failing")
    with redis_server(redis_server_binary) as (url, _stop, _start):
        env = subprocess_env(DATABASE_URL=test_database_url, REDIS_URL=url)
        with worker_process(env, "-B", "-s", str(tmp_path / "beat-schedule")) as output:
            up = wait_for(lambda: readyz(client)[0] == 200, timeout=30)
            assert up, readyz(client)
            assert worker_and_beat() == ("ok", "ok")
        assert "asean_portal.tasks.sweep" in output[0]
        # Stopped: within two sweep intervals, at least ten seconds, readyz says so.
        stopped = time.monotonic()
        assert wait_for(lambda: worker_and_beat() == ("failing", "failing"), timeout=20)
        assert time.monotonic() - stopped > 5
        assert readyz(client)[0] == 503

"""A task makes the round trip through a real worker, on Redis and on the
embedded filesystem transport that `make run` uses."""

import contextlib
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings

from asean_portal.celery import app as project_app
from asean_portal.ops import broker
from tests.conftest import BASE_DIR, redis_server, subprocess_env, wait_for, worker_process


def app_like_the_project(**overrides):
    """A Celery app configured from the portal's settings, with overrides."""
    app = Celery("asean_portal_test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(task_always_eager=False, **overrides)
    # The portal's own tasks (shared tasks) are registered on every app.
    import asean_portal.tasks  # noqa: F401

    app.finalize()
    return app


def test_project_app_reads_its_configuration_from_settings(settings):
    assert project_app.conf.task_acks_late is True
    assert project_app.conf.worker_prefetch_multiplier == 1
    assert project_app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert project_app.conf.timezone == "Asia/Ho_Chi_Minh"
    assert "clear-expired-sessions" in project_app.conf.beat_schedule
    assert "asean_portal.tasks.ping" in project_app.tasks


def test_the_worker_and_beat_wait_for_the_broker_however_long_it_is_away():
    conf = project_app.conf
    assert conf.broker_connection_retry is True
    assert conf.broker_connection_retry_on_startup is True
    # Celery's default gives up after 100 attempts, and the worker exits.
    assert conf.broker_connection_max_retries is None
    # A sweep running when the broker goes away needs only the database: it finishes.
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is False
    # Only the ping's result is ever read.
    assert conf.task_ignore_result is True
    assert project_app.tasks["asean_portal.tasks.ping"].ignore_result is False
    assert project_app.tasks["asean_portal.tasks.sweep"].ignore_result is True


@pytest.mark.django_db
def test_clear_expired_sessions_task_removes_only_expired_sessions():
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from asean_portal.tasks import clear_expired_sessions

    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + timedelta(1))
    clear_expired_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


@pytest.mark.redis
@pytest.mark.worker
def test_round_trip_through_a_real_worker_on_redis(redis_server_binary, tmp_path):
    with redis_server(redis_server_binary) as (url, _stop, _start):
        env = subprocess_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            REDIS_URL=url,
        )
        app = app_like_the_project(broker_url=url, result_backend=url)
        token = uuid.uuid4().hex
        with worker_process(env) as output:
            result = app.tasks["asean_portal.tasks.ping"].delay(token)
            assert result.get(timeout=30) == {"pong": token}
    assert "succeeded" in output[0]


@pytest.mark.worker
def test_round_trip_through_the_embedded_transport(tmp_path):
    """No server at all: the filesystem transport of `make run`."""
    broker_dir = tmp_path / "celery"
    env = subprocess_env(
        CELERY_BROKER_DIR=str(broker_dir),
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        REDIS_URL=None,
    )
    with worker_process(env) as output:
        assert wait_for(lambda: (broker_dir / "queue").is_dir(), timeout=20)
        app = app_like_the_project(
            broker_url="portal-files://localhost/",
            broker_transport_options=broker.folders(broker_dir),
            result_backend=f"file://{broker_dir / 'results'}",
        )
        token = uuid.uuid4().hex
        result = app.tasks["asean_portal.tasks.ping"].delay(token)
        assert result.get(timeout=30) == {"pong": token}
    assert "asean_portal.tasks.ping" in output[0]
    assert "succeeded" in output[0]


@pytest.mark.worker
def test_the_embedded_transport_keeps_up_with_a_burst_of_saves(tmp_path):
    """A save queues its tasks: a worker of `make run` (two processes) takes
    the next message as soon as one is done, not at its next poll a second
    later (kombu's default: two tasks a second, so a burst of edits held the
    publishing sweep behind it for minutes)."""
    broker_dir = tmp_path / "celery"
    env = subprocess_env(
        CELERY_BROKER_DIR=str(broker_dir),
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        REDIS_URL=None,
    )
    queue = broker_dir / "queue"
    app = app_like_the_project(
        broker_url="portal-files://localhost/",
        broker_transport_options=broker.folders(broker_dir),
        task_ignore_result=True,
    )
    with worker_process(env, pool="prefork") as output:
        assert wait_for(queue.is_dir, timeout=20)
        for number in range(120):
            app.tasks["asean_portal.tasks.ping"].delay(str(number))
        drained = wait_for(lambda: not list(queue.glob("*.msg")), timeout=30, interval=0.5)
        left = len(list(queue.glob("*.msg")))
    assert drained, (left, output)
    assert output[0].count("asean_portal.tasks.ping[") >= 120


@pytest.mark.worker
def test_beat_creates_the_folder_of_its_schedule_file(tmp_path):
    """A fresh checkout has no var/ folder, where beat keeps its schedule."""
    schedule = tmp_path / "var" / "beat" / "celerybeat-schedule"
    env = subprocess_env(
        CELERY_BROKER_DIR=str(tmp_path / "celery"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        REDIS_URL=None,
        PUBLISHING_SWEEP_SECONDS="1",
    )
    with worker_process(env, "-B", "-s", str(schedule)) as output:
        started = wait_for(lambda: schedule.parent.is_dir(), timeout=30)
        time.sleep(3)  # beat sends a sweep every second
    assert started, output
    assert "Sending due task publish-due (asean_portal.tasks.sweep)" in output[0]
    assert "Task asean_portal.tasks.sweep[" in output[0]


@contextlib.contextmanager
def beat_process(env, schedule):
    """Beat alone, as production runs it; yields a function that reads its
    output so far (a file, so that a chatty beat never blocks on a pipe)."""
    log = tempfile.NamedTemporaryFile(mode="w+", encoding="utf-8", errors="replace")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "asean_portal", "beat", "--loglevel=INFO"]
        + ["-s", str(schedule)],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def output():
        return Path(log.name).read_text(encoding="utf-8", errors="replace")

    try:
        yield output
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.mark.worker
def test_beat_alone_on_the_embedded_default_sends_without_an_error(tmp_path):
    """`make run`'s beat: the schedule file, the file broker, no Redis. Redbeat,
    imported for the Redis scheduler, asks every scheduler at start for its
    lock key: the file scheduler has none, and says so."""
    broker_dir = tmp_path / "celery"
    env = subprocess_env(
        CELERY_BROKER_DIR=str(broker_dir),
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        REDIS_URL=None,
        PUBLISHING_SWEEP_SECONDS="1",
    )
    sweeps = broker_dir / "queue"
    with beat_process(env, tmp_path / "beat-schedule") as output:
        sent = wait_for(lambda: "Sending due task publish-due" in output(), timeout=30)
        # The sweep, in its own queue: written just after beat logs it.
        wait_for(lambda: list(sweeps.glob(f"*.{settings.PUBLISHING_QUEUE}.msg")), timeout=10)
        everything = output()
    assert sent, everything
    assert list(sweeps.glob(f"*.{settings.PUBLISHING_QUEUE}.msg")), everything
    assert "lock_key" not in everything
    assert "No hostname was supplied" not in everything
    assert "Traceback" not in everything
    assert " ERROR " not in everything


@pytest.mark.redis
@pytest.mark.worker
def test_beat_logs_a_broker_outage_in_one_short_line_per_interval(redis_server_binary, tmp_path):
    """While the broker is away, beat fails to send a sweep every second: one
    line naming the broker and the error per LOG_OUTAGE_SECONDS, no traceback;
    once it is back the sweeps go out again. The database is left without
    its tables: beat's heartbeat fails at each sweep sent, and that too is one
    line per interval."""
    database = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    with redis_server(redis_server_binary) as (url, stop, start):
        env = subprocess_env(
            DATABASE_URL=database,
            REDIS_URL=url,
            PUBLISHING_SWEEP_SECONDS="1",
            LOG_OUTAGE_SECONDS="60",
        )
        queued = redis.Redis.from_url(url)
        sweeps = settings.PUBLISHING_QUEUE
        with beat_process(env, tmp_path / "beat-schedule") as output:
            assert wait_for(lambda: queued.llen(sweeps) > 0, timeout=30), output()
            stop()
            before = len(output())
            time.sleep(8)
            during = output()[before:]
            start()
            queued = redis.Redis.from_url(url)
            resumed = wait_for(lambda: queued.llen(sweeps) > 0, timeout=30)
            everything = output()
        assert resumed, everything
    assert "Traceback" not in during, during
    outage_lines = [line for line in during.splitlines() if "broker unavailable:" in line]
    assert len(outage_lines) == 1, during
    assert "Error" in outage_lines[0]
    assert len(during.splitlines()) < 20, during
    heartbeat_lines = [
        line for line in everything.splitlines() if "could not record its heartbeat" in line
    ]
    assert len(heartbeat_lines) == 1, everything
    assert "database unavailable:" in heartbeat_lines[0]

"""Two beats, one sender: with Redis, beat's schedule and a lock live in Redis
(celery-redbeat), so a second beat (one per host, for redundancy) waits,
and takes over when the active one stops or dies. Real beat processes
against a Redis server of the test's own; the sweep messages are counted in
the broker, where no worker takes them."""

import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from asean_portal.core.publishing import PublicationEvent, Status, item_schedule
from tests import factories
from tests.conftest import (
    BASE_DIR,
    redis_server,
    subprocess_env,
    wait_for,
    worker_process,
)

pytestmark = [pytest.mark.redis, pytest.mark.worker]

LOCK_SECONDS = 4
SENT = "Sending due task publish-due"


class Beat:
    """A `celery beat` process as production starts it; ``log()`` is its output."""

    def __init__(self, env, schedule):
        self.output = tempfile.NamedTemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "asean_portal",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(schedule),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    def log(self):
        self.output.seek(0)
        return self.output.read()

    def sent(self):
        return self.log().count(SENT)

    def stop(self, how=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(how)
            self.process.wait(timeout=30)


@contextlib.contextmanager
def beats(count, env, tmp_path):
    running = [Beat(env, tmp_path / f"schedule-{n}") for n in range(count)]
    try:
        yield running
    finally:
        for beat in running:
            beat.stop(signal.SIGKILL)
            beat.output.close()


@pytest.fixture
def broker(redis_server_binary):
    with redis_server(redis_server_binary) as (url, _stop, _start):
        yield url


def beat_env(broker, tmp_path, database_url=None):
    return subprocess_env(
        REDIS_URL=broker,
        # Beat needs no database but for its heartbeat, which it only logs
        # when it cannot write it.
        DATABASE_URL=database_url or f"sqlite:///{tmp_path / 'beat.sqlite3'}",
        PUBLISHING_SWEEP_SECONDS="1",
        CELERY_REDBEAT_LOCK_TIMEOUT=str(LOCK_SECONDS),
    )


def queued(broker):
    """The sweeps waiting in their queue."""
    return redis.Redis.from_url(broker).llen(settings.PUBLISHING_QUEUE)


def active_one(running):
    assert wait_for(lambda: any(beat.sent() for beat in running), timeout=60), [
        beat.log()[-2000:] for beat in running
    ]
    return next(beat for beat in running if beat.sent())


def test_two_beats_send_the_sweep_once_per_interval(broker, tmp_path):
    with beats(2, beat_env(broker, tmp_path), tmp_path) as running:
        active = active_one(running)
        standby = next(beat for beat in running if beat is not active)
        time.sleep(2)
        before, sent_before = queued(broker), active.sent()
        time.sleep(8)
        sends = queued(broker) - before
        # One sweep a second, from one beat: 8 seconds give 7 to 9 sends, not 16.
        assert 7 <= sends <= 9, (sends, active.log()[-2000:], standby.log()[-2000:])
        # The queue and the beat's own count are read one after the other, so a
        # send between the two reads counts in one and not yet in the other.
        assert abs(active.sent() - sent_before - sends) <= 1, (sends, active.log()[-2000:])
        assert standby.sent() == 0
        assert standby.process.poll() is None, standby.log()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_the_waiting_beat_takes_over_within_one_lock_period(broker, tmp_path, how):
    with beats(2, beat_env(broker, tmp_path), tmp_path) as running:
        active = active_one(running)
        standby = next(beat for beat in running if beat is not active)
        time.sleep(2)
        assert standby.sent() == 0
        active.stop(how)
        stopped_at = time.monotonic()
        assert wait_for(lambda: standby.sent() > 0, timeout=LOCK_SECONDS + 10), standby.log()
        took = time.monotonic() - stopped_at
        # A stopped beat releases the lock; a killed one loses it when it expires.
        assert took <= LOCK_SECONDS + 2.5, took
        before = queued(broker)
        time.sleep(4)
        assert 3 <= queued(broker) - before <= 5


@pytest.mark.django_db(transaction=True)
def test_two_workers_and_two_beats_publish_each_item_exactly_once(
    broker, test_database_url, tmp_path
):
    officer = factories.staff(role="Press officer", email="press@example.gov.vn")
    items = [factories.announcement(status=Status.DRAFT, publish_at=None) for _ in range(30)]
    env = beat_env(broker, tmp_path, database_url=test_database_url)
    worker_env = {**env, "EMAIL_URL": "consolemail://"}
    with (
        worker_process(worker_env),
        worker_process(worker_env),
        beats(2, env, tmp_path) as running,
    ):
        active_one(running)
        for index, item in enumerate(items):
            with transaction.atomic():
                item_schedule(
                    item=item,
                    at=timezone.now() + timedelta(seconds=2 + index / 10),
                    by=officer,
                )
        assert wait_for(lambda: PublicationEvent.objects.count() >= 30, timeout=40)
        time.sleep(3)  # any duplicate would arrive now
    assert PublicationEvent.objects.count() == 30
    assert Status.PUBLISHED == (
        factories.Announcement.objects.filter(pk__in=[i.pk for i in items])
        .values_list("status", flat=True)
        .distinct()
        .get()
    )

"""Heartbeats of the two processes that make publishing's side effects happen.

Beat records the moment it sends the sweep, the worker the moment it runs
one, each in a row of the database: the web servers, the worker and beat
share it whatever the broker (Redis or the embedded file broker), and its
clock is one clock for every host. /readyz reads them (asean_portal.ops.health):
a stopped worker leaves its own heartbeat behind, a stopped beat both (the
worker then gets no sweep to run). Beat's schedulers are here too: they
record its heartbeat.
"""

import logging
from pathlib import Path

from celery.beat import PersistentScheduler
from django.db import DatabaseError, close_old_connections, models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from redbeat import RedBeatScheduler
from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, get_redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# What beat logs of the broker goes through its outage filter (settings.LOGGING).
broker_logger = logging.getLogger("celery.beat")

WORKER = "worker"
BEAT = "beat"
SWEEP_TASK = "asean_portal.tasks.sweep"


class Heartbeat(models.Model):
    name = models.CharField(_("process"), max_length=10, primary_key=True)
    at = models.DateTimeField(_("last seen at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


def record(name):
    """``name`` (WORKER or BEAT) did its part just now, by the database's clock."""
    if not Heartbeat.objects.filter(name=name).update(at=Now()):
        # The first heartbeat of a new database; two processes may race to write it.
        Heartbeat.objects.get_or_create(name=name, defaults={"at": Now()})


def age(name):
    """Seconds since ``name``'s last heartbeat, or None if it never had one."""
    found = Heartbeat.objects.filter(name=name).annotate(now=Now()).values_list("at", "now")
    times = found.first()
    return None if times is None else (times[1] - times[0]).total_seconds()


class SweepHeartbeat:
    """Records beat's heartbeat each time the scheduler sends the sweep."""

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        result = super().apply_async(entry, producer, advance, **kwargs)
        if entry.task == SWEEP_TASK:
            # Outside a worker nothing closes a connection that a database
            # restart broke; this reconnects instead of failing forever.
            close_old_connections()
            try:
                record(BEAT)
            except DatabaseError as exc:
                # The sweep was sent: a heartbeat that cannot be written shows
                # in /readyz, and must not stop beat. An error, so that the
                # outage filter (settings.LOGGING) makes it one line per interval.
                logger.error("beat could not record its heartbeat: %r", exc)
        return result


class BeatScheduler(SweepHeartbeat, PersistentScheduler):
    """Beat's scheduler on the embedded default (a schedule file, as Celery's
    default) that creates the file's folder and records a heartbeat each time
    it sends the sweep. One beat per installation."""

    # No lock: redbeat's start-up handler (connected when this module imports
    # it) asks every scheduler for its lock key, and takes None for none.
    lock_key = None

    def setup_schedule(self):
        # A fresh checkout has no var/ folder, and the schedule file cannot
        # create it: beat would stop at once (silently under `worker -B`).
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()


class RedisBeatScheduler(SweepHeartbeat, RedBeatScheduler):
    """Beat's scheduler with Redis (celery-redbeat): the schedule lives in
    Redis and only the beat that holds its lock sends anything, so two or
    more beats (one per host, for redundancy) still send each task once per
    interval. The others wait for the lock: a stopped beat releases it, a
    killed one loses it after CELERY_REDBEAT_LOCK_TIMEOUT seconds."""

    def tick(self, *args, **kwargs):
        # Only the holder of the lock sends. Embedded in a worker (`worker -B`)
        # beat starts without it; a Redis outage loses it. Either way it is
        # tried again at each tick, without waiting, and nothing is sent
        # until it is held: beat outlives the outage instead of stopping.
        if self.lock_key and self.lock is None and not self._try_lock():
            return self.max_interval
        try:
            return super().tick(*args, **kwargs)
        except RedisError as exc:
            broker_logger.error("beat lost Redis or its lock, and waits for both: %r", exc)
            self.lock = None
            return self.max_interval

    def _try_lock(self):
        try:
            client = get_redis(self.app)
            lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
            # As redbeat's own lock: extending sets the timeout anew.
            lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
            if not lock.acquire(blocking=False):
                return False
            # A Redis restarted without its data has lost the schedule too.
            self.setup_schedule()
        except RedisError as exc:
            # An error, so that the outage filter on celery.beat (settings.LOGGING)
            # makes a long outage one line per interval.
            broker_logger.error("beat cannot reach Redis for its lock: %r", exc)
            return False
        logger.info("beat: Acquired lock")
        self.lock = lock
        return True

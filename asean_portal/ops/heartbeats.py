"""Heartbeats of the two processes that make publishing's side effects happen.

Beat records the moment it sends the sweep, the worker the moment it runs
one, each in a row of the database: the web servers, the worker and beat
share it whatever the broker (Redis or the embedded file broker), and its
clock is one clock for every host. /readyz reads them (asean_portal.ops.health):
a stopped worker leaves its own heartbeat behind, a stopped beat both (the
worker then gets no sweep to run).
"""

import logging
from pathlib import Path

from celery.beat import PersistentScheduler
from django.db import DatabaseError, close_old_connections, models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

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


class BeatScheduler(PersistentScheduler):
    """Beat's scheduler (a schedule file, as Celery's default) that creates the
    file's folder and records a heartbeat each time it sends the sweep."""

    def setup_schedule(self):
        # A fresh checkout has no var/ folder, and the schedule file cannot
        # create it: beat would stop at once (silently under `worker -B`).
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()

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

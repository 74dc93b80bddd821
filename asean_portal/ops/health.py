"""Readiness checks for /readyz: each returns (ok, detail) and never raises."""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from asean_portal.celery import app as celery_app
from asean_portal.core.publishing import overdue
from asean_portal.ops import heartbeats

logger = logging.getLogger(__name__)


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a readiness probe reports failures, it does not raise them
        logger.warning("readiness check %s failed: %s", check.__name__, exc)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        ok = False
    return {
        "status": "ok" if ok else "failing",
        "detail": detail,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Drop a broken persistent connection so the next request reconnects.
        connection.close()
        raise
    return connection.vendor


def check_cache():
    cache = caches["default"]
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):
        # django-redis swallows errors on get/set (IGNORE_EXCEPTIONS), so ask
        # the server directly.
        client.get_client(write=True).ping()
        return "redis"
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return type(cache).__name__


def check_broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        return str(conn.transport_cls)


def check_overdue():
    """Scheduled items whose side effects are more than a minute late: the
    public already sees them (live()), but the worker or sweep is stuck."""

    late = overdue()
    if late:
        raise RuntimeError(f"{len(late)} scheduled item(s) overdue, see /staff/publishing.json")
    return "none overdue"


def heartbeat_limit():
    """Seconds without a heartbeat before the worker or beat counts as stopped.

    Two sweep intervals, so that one sweep dropped as expired or run late is
    not an outage; and at least ten seconds, so that a busy machine (a sweep
    catching up on many items, a slow database) does not make /readyz flap.
    """
    return max(2 * settings.PUBLISHING_SWEEP_SECONDS, 10)


def _heartbeat(name, what):
    seconds = heartbeats.age(name)
    if seconds is None:
        raise RuntimeError(f"no sweep has {what}")
    if seconds > heartbeat_limit():
        raise RuntimeError(f"no sweep has {what} for {seconds:.0f} s")
    return f"last sweep {what} {seconds:.1f} s ago"


def check_worker():
    """A worker ran a sweep lately: due transitions get their side effects."""
    return _heartbeat(heartbeats.WORKER, "run")


def check_beat():
    """Beat sent a sweep lately: without it no worker has anything to run."""
    return _heartbeat(heartbeats.BEAT, "been sent")


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "overdue": check_overdue,
    "worker": check_worker,
    "beat": check_beat,
}


def run_checks():
    results = {name: _timed(check) for name, check in CHECKS.items()}
    healthy = all(result["status"] == "ok" for result in results.values())
    return healthy, results

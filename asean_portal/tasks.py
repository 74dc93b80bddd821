"""Celery tasks. Each task is a thin interface that calls one domain function."""

from celery import shared_task
from django.core import management
from django.db import InterfaceError, OperationalError

from asean_portal.core.publishing import publish_due
from asean_portal.ops import heartbeats


@shared_task(name="asean_portal.tasks.ping", ignore_result=False)
def ping(token):
    """Echo a token: the health check and the tests use it to prove a round trip."""
    return {"pong": token}


@shared_task(name="asean_portal.tasks.clear_expired_sessions")
def clear_expired_sessions():
    management.call_command("clearsessions")


@shared_task(
    name="asean_portal.tasks.sweep",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def sweep():
    """Every due transition: the one mechanism that performs them (beat runs
    it every PUBLISHING_SWEEP_SECONDS), so it catches up after any outage."""
    heartbeats.record(heartbeats.WORKER)
    return sum(1 for *_rest, won in publish_due(source="sweep") if won)

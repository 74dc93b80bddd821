"""Celery tasks. Each task is a thin interface that calls one domain function."""

import time

from celery import shared_task
from django.core import management
from django.db import InterfaceError, OperationalError
from django.utils import timezone

EARLY_WAKE_SECONDS = 5


@shared_task(name="asean_portal.tasks.ping")
def ping(token):
    """Echo a token: the health check and the tests use it to prove a round trip."""
    return {"pong": token}


@shared_task(name="asean_portal.tasks.clear_expired_sessions")
def clear_expired_sessions():
    management.call_command("clearsessions")


@shared_task(
    name="asean_portal.tasks.go_live",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=8,
)
def go_live(label, pk):
    """The exact-time task of one scheduled item."""
    from .publishing import Status, item_go_live, publishable_model

    model = publishable_model(label)
    if item_go_live(model=model, pk=pk, source="task"):
        return True
    # A worker's timer may fire a few milliseconds before the due time.
    due = model.objects.filter(pk=pk, status=Status.SCHEDULED).values_list("publish_at", flat=True)
    wait = (due[0] - timezone.now()).total_seconds() if due else 0
    if 0 < wait <= EARLY_WAKE_SECONDS:
        time.sleep(wait)
        return item_go_live(model=model, pk=pk, source="task")
    # Done already, unscheduled, or rescheduled later (with a task of its own).
    return False


@shared_task(
    name="asean_portal.tasks.sweep",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def sweep():
    """Every due transition: catches up after any outage of broker or worker."""
    from .publishing import publish_due

    return sum(1 for *_rest, won in publish_due(source="sweep") if won)


@shared_task(name="asean_portal.tasks.arm_upcoming")
def arm_upcoming():
    from .publishing import arm_upcoming as arm

    return arm()

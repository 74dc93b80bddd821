"""Celery tasks. Each task is a thin interface that calls one domain function."""

from celery import shared_task
from django.apps import apps
from django.core import management
from django.db import InterfaceError, OperationalError

from asean_portal.core import storage
from asean_portal.core.publishing import publish_due
from asean_portal.ops import heartbeats
from asean_portal.site import dependencies, frontcache, sitemaps


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


@shared_task(
    name="asean_portal.tasks.sync_public_media",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=10,
)
def sync_public_media(label, pk, deleted_names=()):
    """The public copies of an item's uploads follow its publication (in
    MEDIA_ROOT or the object store); retried while it cannot be written."""
    # The copies of files that are gone (a deleted item's, a replaced file's).
    storage.withdraw_all(deleted_names)
    item = apps.get_model(label)._default_manager.filter(pk=pk).first()
    return len(deleted_names) + (0 if item is None else storage.sync_public_copies(item))


@shared_task(
    name="asean_portal.tasks.purge_front_cache",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=8,
)
def purge_front_cache(tags):
    """Refresh in the caching proxy (or CDN) the pages remembered under
    ``tags``, the tags a change moved; retried while it is unreachable. The
    pages that showed a changed object come first, then those that only read
    its type (a publication's: every list and related block of the type)."""
    shown = dependencies.pages_showing([tag for tag in tags if ":" in tag])
    paths = sorted(shown) + sorted(dependencies.pages_showing(tags) - shown)
    if paths:
        frontcache.purge(paths)
    return len(paths)


@shared_task(
    name="asean_portal.tasks.build_sitemap_section",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def build_sitemap_section(section):
    """Every page of a sitemap section, built again after a change of its
    content and stored, so that no request has to build it."""
    return sitemaps.build_section(section)

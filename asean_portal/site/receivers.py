"""The site's listeners to what the core announces (asean_portal.core.signals):
the page cache and the caching proxy in front of it, the search index, the
public copies of uploads in an object store and the email to the scheduler."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import FileField
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from kombu.exceptions import KombuError

from asean_portal import tasks
from asean_portal.core import revisions, signals, storage

from . import dependencies, search, sitemaps
from .about import AboutPortal
from .notifications import notify_author, notify_scheduler

logger = logging.getLogger(__name__)


@receiver(signals.content_changed, dispatch_uid="page-dependencies-content")
def pages_showing_content(sender, instance, deleted, relation=False, created=False, **kwargs):
    dependencies.content_changed(sender, instance, deleted, relation, created)


@receiver(signals.published, dispatch_uid="page-dependencies-published")
@receiver(signals.withdrawn, dispatch_uid="page-dependencies-withdrawn")
def pages_showing_transition(sender, pk, **kwargs):
    dependencies.transition(sender, pk)


@receiver(signals.revision_times_changed, dispatch_uid="page-dependencies-revision-times")
def pages_of_a_rescheduled_item(sender, pk, **kwargs):
    """Pages that show the item are rendered again, so that their life ends
    at the time of its scheduled revision (next_change); the proxy's copies
    too (the tags it moves purge them, as any change's)."""
    dependencies.transition(sender, pk)


@receiver(signals.content_changed, dispatch_uid="sitemap-content")
@receiver(signals.published, dispatch_uid="sitemap-published")
@receiver(signals.withdrawn, dispatch_uid="sitemap-withdrawn")
def new_sitemap_stamp(sender, **kwargs):
    section = sitemaps.section_changed(sender)
    if section is not None:
        transaction.on_commit(lambda: _build_sitemap_later(section))


def _build_sitemap_later(section):
    """One build of a section for the changes of the next few seconds: while
    one is queued, another change queues none (the build reads the section as
    it is when it starts)."""
    delay = settings.SITEMAP_BUILD_DELAY_SECONDS
    if not sitemaps.claim_build(section, delay):
        return
    try:
        tasks.build_sitemap_section.apply_async((section,), countdown=delay)
    except (KombuError, OSError) as exc:
        sitemaps.release_build(section)
        logger.warning("could not queue the sitemap build of %s: %r", section, exc)


@receiver(post_save, sender=AboutPortal, dispatch_uid="page-cache-about")
@receiver(post_delete, sender=AboutPortal, dispatch_uid="page-cache-about-deleted")
def publisher_changed(sender, **kwargs):
    """Every page's footer names the publisher (AboutPortal.for_footer): every
    page recorded its type's tag."""
    dependencies.move({dependencies.type_tag(sender)})


@receiver(signals.content_changed, dispatch_uid="search-index")
def keep_search_index(sender, instance, deleted, **kwargs):
    if not deleted:
        # Children's entries carry their public parents' windows.
        search.index_children(instance)
    if getattr(sender, "search_index", None) is None:
        return
    if deleted:
        search.unindex_object(instance)
    else:
        search.index_object(instance)
    dependencies.index_changed(search.SearchEntry)


@receiver(signals.published, dispatch_uid="notify-scheduler")
def notify_on_publication(sender, pk, **kwargs):
    notify_scheduler(sender, pk)


def _queue(task, *args):
    """Send ``task``; a broker that is down loses this one and never fails the
    save or transition that asked for it (the proxy's copies expire by
    themselves; the next change of the item syncs its uploads)."""
    try:
        task.delay(*args)
    except (KombuError, OSError) as exc:
        logger.warning("could not queue %s: %r", task.name, exc)


def _sync_media(owner, deleted_names=()):
    _queue(tasks.sync_public_media, owner._meta.label, owner.pk, list(deleted_names))


@receiver(pre_save, dispatch_uid="public-media-before-save")
def media_before_save(sender, instance, raw=False, **kwargs):
    """The names of the public copies of the files this save replaces: a
    replaced file leaves its copy (and its renditions') behind otherwise,
    public after the item is withdrawn. Only the file columns are read, and
    the names are worked out only for a file that changed."""
    if raw or instance.pk is None or not storage.keeps_public_copies():
        return
    fields = [field for field in sender._meta.concrete_fields if isinstance(field, FileField)]
    if not fields:
        return
    manager = sender._base_manager.filter(pk=instance.pk)
    stored = manager.values_list(*(field.attname for field in fields)).first() or ()
    replaced = [
        field.attname
        for field, name in zip(fields, stored, strict=True)
        if name and name != getattr(instance, field.attname).name
    ]
    if replaced:
        before = manager.get()
        instance._public_names_before = {
            name
            for attname in replaced
            for name in (
                getattr(before, attname).name,
                *storage.derived_names(getattr(before, attname)),
            )
        }


@receiver(signals.content_changed, dispatch_uid="public-media-content")
def media_follows_content(sender, instance, deleted, **kwargs):
    if not storage.keeps_public_copies():
        return
    if deleted:
        names = storage.public_names(instance)
        if names:
            transaction.on_commit(lambda: _sync_media(instance, names))
    else:
        owner = storage.media_owner(instance)
        before = instance.__dict__.pop("_public_names_before", set())
        stale = sorted(before - storage.own_public_names(instance)) if before else []
        transaction.on_commit(lambda: _sync_media(owner, stale))


@receiver(signals.published, dispatch_uid="public-media-published")
@receiver(signals.withdrawn, dispatch_uid="public-media-withdrawn")
def media_follows_publication(sender, pk, **kwargs):
    if storage.keeps_public_copies():
        _queue(tasks.sync_public_media, sender._meta.label, pk)


@receiver(dependencies.tags_moved, dispatch_uid="front-cache-purge")
def purge_front_cache(sender, tags, **kwargs):
    """A committed change: the front cache's copies of the pages that showed
    what it moved are refreshed by a task (the page cache's own map)."""
    if settings.FRONTEND_CACHE_BACKENDS:
        _queue(tasks.purge_front_cache, sorted(tags))


@receiver(revisions.reviewed, dispatch_uid="notify-revision-author")
def notify_on_review(sender, revision, decision, **kwargs):
    notify_author(revision, decision)

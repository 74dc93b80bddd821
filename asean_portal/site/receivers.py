"""The site's listeners to what the core announces (asean_portal.core.signals):
the page cache, the search index and the email to the scheduler."""

from django.dispatch import receiver

from asean_portal.core import signals

from . import dependencies, search, sitemaps
from .notifications import notify_scheduler


@receiver(signals.content_changed, dispatch_uid="page-dependencies-content")
def pages_showing_content(sender, instance, deleted, relation=False, **kwargs):
    dependencies.content_changed(sender, instance, deleted, relation)


@receiver(signals.published, dispatch_uid="page-dependencies-published")
@receiver(signals.withdrawn, dispatch_uid="page-dependencies-withdrawn")
def pages_showing_transition(sender, pk, **kwargs):
    dependencies.transition(sender, pk)


@receiver(signals.content_changed, dispatch_uid="sitemap-content")
@receiver(signals.published, dispatch_uid="sitemap-published")
@receiver(signals.withdrawn, dispatch_uid="sitemap-withdrawn")
def new_sitemap_stamp(sender, **kwargs):
    sitemaps.section_changed(sender)


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

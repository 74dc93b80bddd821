"""The site's listeners to what the core announces (asean_portal.core.signals):
the page cache, the search index and the email to the scheduler."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from asean_portal.core import signals

from . import pagecache, search
from .about import AboutPortal
from .notifications import notify_scheduler


@receiver(signals.content_changed, dispatch_uid="page-cache-content")
@receiver(signals.published, dispatch_uid="page-cache-published")
@receiver(signals.withdrawn, dispatch_uid="page-cache-withdrawn")
def new_page_generation(sender, **kwargs):
    pagecache.content_changed()


@receiver(post_save, sender=AboutPortal, dispatch_uid="page-cache-about")
def publisher_changed(sender, **kwargs):
    """Every page's footer names the publisher."""
    pagecache.content_changed()


@receiver(signals.content_changed, dispatch_uid="search-index")
def keep_search_index(sender, instance, deleted, **kwargs):
    if getattr(sender, "search_index", None) is None:
        return
    if deleted:
        search.unindex_object(instance)
    else:
        search.index_object(instance)


@receiver(signals.published, dispatch_uid="notify-scheduler")
def notify_on_publication(sender, pk, **kwargs):
    notify_scheduler(sender, pk)

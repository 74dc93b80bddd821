"""The site's listeners to what the core announces (asean_portal.core.signals):
the page cache, the search index and the email to the scheduler."""

from django.dispatch import receiver

from asean_portal.core import revisions, signals

from . import pagecache, search
from .notifications import notify_author, notify_scheduler


@receiver(signals.content_changed, dispatch_uid="page-cache-content")
@receiver(signals.published, dispatch_uid="page-cache-published")
@receiver(signals.withdrawn, dispatch_uid="page-cache-withdrawn")
def new_page_generation(sender, **kwargs):
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


@receiver(revisions.reviewed, dispatch_uid="notify-revision-author")
def notify_on_review(sender, revision, decision, **kwargs):
    notify_author(revision, decision)

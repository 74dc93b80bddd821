"""Scheduled revisions go live at their second, as first publications do.

A first publication is public at its time through live(), whatever the
sweep does. A revision changes the live row, so something must write it: the
sweep does within about a second, and the first request at or after its time
does it at once, before any view reads the item. Both go through the same
conditional transition (revisions.go_live), so exactly one of them applies it
and records its PublicationEvent.

The check costs one cache read per request that the page cache did not
answer (a page cached before the revision's time is not served after it: its
life is capped by next_change). The remembered time of the earliest
scheduled revision belongs to a generation of dependencies.changes(), which
moves whenever a revision is scheduled, unscheduled or applied.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from asean_portal.core import revisions

from . import dependencies

logger = logging.getLogger(__name__)

KEY = "portal:first-scheduled-revision"


def apply_if_due(now=None):
    """Apply the revisions due at ``now``, when the remembered earliest time
    says some are: how many this call applied."""
    now = now or timezone.now()
    found = cache.get_many([dependencies.CHANGES_KEY, KEY]) or {}
    generation = found.get(dependencies.CHANGES_KEY) or dependencies.changes()
    remembered = found.get(KEY)
    if remembered is not None and remembered[0] == generation:
        moment = remembered[1]
    else:
        # Read after the generation: a change committed meanwhile moves it
        # again, and this value is not used past that.
        first = revisions.first_scheduled()
        moment = first.timestamp() if first else 0  # 0: none scheduled
        cache.set(KEY, (generation, moment), settings.PAGE_CACHE_SECONDS or 300)
    if not moment or moment > now.timestamp():
        return 0
    return revisions.apply_due(now=now, source="request")


class DueRevisionsMiddleware:
    """Sits just after the page cache: what it renders shows the text that
    is public at this second."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped = tuple(
            prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL) if prefix
        )

    def __call__(self, request):
        if not request.path.startswith(self.skipped):
            try:
                apply_if_due()
            except DatabaseError:
                # The sweep applies it when the database is back.
                logger.warning("due revisions could not be applied on request", exc_info=True)
        return self.get_response(request)

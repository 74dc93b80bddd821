from asean_portal.core.content import SlugHistory
from asean_portal.core.publishing import PublicationEvent
from asean_portal.site.search import SearchEntry

__all__ = ["PublicationEvent", "SearchEntry", "SlugHistory"]

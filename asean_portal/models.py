from .content import SlugHistory
from .publishing import PublicationEvent
from .search import SearchEntry

__all__ = ["PublicationEvent", "SearchEntry", "SlugHistory"]

from asean_portal.core.content import SlugHistory
from asean_portal.core.publishing import PublicationEvent
from asean_portal.core.revision_log import RevisionEvent
from asean_portal.core.revisions import PendingRevision
from asean_portal.ops.heartbeats import Heartbeat
from asean_portal.roles import Role
from asean_portal.site.about import AboutPortal, FeedbackMessage
from asean_portal.site.search import SearchEntry

__all__ = [
    "AboutPortal",
    "FeedbackMessage",
    "Heartbeat",
    "PendingRevision",
    "PublicationEvent",
    "RevisionEvent",
    "Role",
    "SearchEntry",
    "SlugHistory",
]

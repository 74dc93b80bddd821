"""What the events app shows on the home page (declared in its AppConfig)."""

from django.db.models import Q
from django.utils import timezone

from asean_portal.core.content import LINK_FIELDS, in_languages

from .models import PHOTO_FIELDS, Announcement, Meeting


def home_sections(now):
    today = timezone.localdate(now)
    # The home page links to items: it reads only what the links show (fewer
    # columns to compile, send and convert).
    # Editors choose what reaches the home page (on_home): ASEAN cooperation
    # first, not every item copied from the source portal.
    link_fields = (*LINK_FIELDS, *in_languages("lead"), "publish_at", "posted_time_known")
    news = Announcement.objects.live(now).filter(on_home=True)
    meetings = Meeting.objects.live(now).only(*LINK_FIELDS, "start_date")
    return {
        # The focus shows each item's photo: its size and alt text come with it.
        "focus": news.only(*link_fields, *PHOTO_FIELDS)
        .filter(is_featured=True)
        .filter(Q(featured_from__isnull=True) | Q(featured_from__lte=now))
        .filter(Q(featured_until__isnull=True) | Q(featured_until__gt=now))[:4],
        "latest": news.only(*link_fields)[:6],
        "upcoming": meetings.filter(start_date__gte=today).order_by("start_date")[:4],
        "recent": meetings.filter(start_date__lt=today).order_by("-start_date")[:4],
    }

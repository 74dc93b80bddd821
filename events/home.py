"""What the events app shows on the home page (declared in its AppConfig)."""

from django.db.models import Case, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
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
    return {
        # The focus shows each item's photo: its size and alt text come with it.
        "focus": news.only(*link_fields, *PHOTO_FIELDS)
        .filter(is_featured=True)
        .filter(Q(featured_from__isnull=True) | Q(featured_from__lte=now))
        .filter(Q(featured_until__isnull=True) | Q(featured_until__gt=now))[:4],
        "latest": news.only(*link_fields)[:6],
        **_meetings_around(now, today),
    }


def _meetings_around(now, today):
    """The four next meetings (the nearest first) and the four last ones (the
    latest first), in one query: each meeting is numbered within its side of
    today, in that side's order, and the first four of each side are kept."""
    upcoming = Q(start_date__gte=today)
    side = Case(When(upcoming, then=Value(True)), default=Value(False))
    place = Window(
        RowNumber(),
        partition_by=[side],
        # Upcoming: by date, the nearest first; recent (no value for the
        # first key): the latest first.
        order_by=[
            Case(When(upcoming, then=F("start_date"))).asc(),
            F("start_date").desc(),
            F("pk").asc(),
        ],
    )
    meetings = (
        Meeting.objects.live(now)
        .filter(start_date__isnull=False)
        .only(*LINK_FIELDS, "start_date")
        .annotate(place=place)
        .filter(place__lte=4)
        .order_by("place")
    )
    around = {"upcoming": [], "recent": []}
    for meeting in meetings:
        around["upcoming" if meeting.start_date >= today else "recent"].append(meeting)
    return around

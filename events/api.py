"""Open data: news and meetings as JSON (see asean_portal.core.api)."""

from django.urls import path

from asean_portal.core.api import both, day, endpoint, moment, urls

from .filters import AnnouncementFilter, MeetingFilter
from .models import Announcement, Meeting


def announcement_record(request, item):
    return {
        "id": item.pk,
        "url": urls(request, item),
        "title": both(item, "title"),
        "lead": both(item, "lead"),
        "category": {"slug": item.category.slug_vi, "name": both(item.category, "name")},
        "kind": item.kind,
        "focus": item.is_featured,
        "byline": item.byline or None,
        "published_at": moment(item.publish_at),
        "english": item.english_state,
    }


def meeting_record(request, meeting):
    return {
        "id": meeting.pk,
        "url": urls(request, meeting),
        "title": both(meeting, "title"),
        "series": meeting.series.code,
        "number": meeting.ordinal,
        "kind": meeting.kind,
        "theme": both(meeting, "theme"),
        "start_date": day(meeting.start_date),
        "end_date": day(meeting.end_date),
        "host_city": both(meeting, "host_city"),
        "host_country": meeting.host_country.iso_code if meeting.host_country else None,
        "chair": both(meeting, "chair_name"),
        "countries": [p.country.iso_code for p in meeting.participations.all()],
        "english": meeting.english_state,
    }


news = endpoint(
    AnnouncementFilter,
    lambda: Announcement.objects.live().select_related("category"),
    announcement_record,
)
meetings = endpoint(
    MeetingFilter,
    lambda: (
        Meeting.objects.live()
        .select_related("series", "host_country")
        .prefetch_related("participations__country")
    ),
    meeting_record,
)

urlpatterns = [
    path("news/", news, name="news"),
    path("meetings/", meetings, name="meetings"),
]

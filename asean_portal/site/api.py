"""Open-data JSON endpoints: news, meetings and activities, with the same
filters as the public pages. Every record carries both languages."""

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from asean_portal.core.listing import filtered, paginate
from civil_service.filters import ActivityFilter
from civil_service.models import Activity
from events.filters import AnnouncementFilter, MeetingFilter
from events.models import Announcement, Meeting

LANGUAGES = ("vi", "en")
API_PAGE_SIZE = 50


def both(obj, name):
    return {lang: getattr(obj, f"{name}_{lang}") or None for lang in LANGUAGES}


def urls(request, obj):
    found = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            found[lang] = request.build_absolute_uri(obj.get_absolute_url())
    return found


def moment(value):
    return timezone.localtime(value).isoformat() if value else None


def day(value):
    return value.isoformat() if value else None


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


def activity_record(request, activity):
    return {
        "id": activity.pk,
        "url": urls(request, activity),
        "title": both(activity, "title"),
        "work_plan": both(activity.work_plan, "name"),
        "year": activity.start_year,
        "last_year": activity.end_year,
        "annual": activity.is_annual,
        "participation": activity.participation,
        "registering_country": activity.registering_country.iso_code,
        "registering_agency": both(activity, "registering_agency"),
        "concept_note_approved_on": day(activity.concept_note_approved_on),
        "status": activity.progress,
        "english": activity.english_state,
    }


def endpoint(filterset_class, queryset_factory, record):
    @require_safe
    def view(request):
        filterset, rows = filtered(request, filterset_class, queryset_factory())
        page = paginate(request, rows, API_PAGE_SIZE)
        body = {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": [record(request, row) for row in page],
        }
        if filterset.errors:
            body["ignored_filters"] = {
                field: [str(error) for error in errors]
                for field, errors in filterset.errors.items()
            }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return view


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
activities = endpoint(
    ActivityFilter,
    lambda: Activity.objects.live().select_related("work_plan", "registering_country"),
    activity_record,
)

app_name = "api"
urlpatterns = [
    path("news/", news, name="news"),
    path("meetings/", meetings, name="meetings"),
    path("activities/", activities, name="activities"),
]

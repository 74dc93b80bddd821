"""Open data: work plan activities as JSON (see asean_portal.core.api)."""

from django.urls import path

from asean_portal.core.api import both, day, endpoint, urls

from .filters import ActivityFilter
from .models import Activity


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


activities = endpoint(
    ActivityFilter,
    lambda: Activity.objects.live().select_related("work_plan", "registering_country"),
    activity_record,
)

urlpatterns = [path("activities/", activities, name="activities")]

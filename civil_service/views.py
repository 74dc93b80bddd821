import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from asean_portal.core.content import LINK_FIELDS, in_languages, translated_value
from asean_portal.core.detail import find_by_slug, mark_preview, newest_related
from asean_portal.core.listing import filtered, paginate, query_without_page, reads_query

from .charts import timeline
from .filters import ActivityFilter, DocumentFilter
from .models import Activity, Document, WorkPlan

ACTIVITIES_PER_PAGE = 50
# A spreadsheet program runs a cell that starts with one of these as a formula
# (OWASP, "CSV Injection"); an apostrophe in front makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(cell):
    """The cell, text that would run as a formula made plain text; numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def live_activities():
    return Activity.objects.live().select_related("work_plan", "registering_country")


def table_activities():
    """Live activities with what the activity table shows, and nothing more."""
    return (
        Activity.objects.live()
        .select_related("registering_country")
        .only(
            *LINK_FIELDS,
            "is_annual",
            "start_year",
            "end_year",
            "participation",
            "concept_note_approved_on",
            "progress",
            *in_languages("name", relation="registering_country"),
        )
    )


@reads_query(*ActivityFilter.base_filters, "page")
@require_safe
def work_plan(request):
    filterset, activities = filtered(request, ActivityFilter, table_activities())
    context = {
        "plans": WorkPlan.objects.live(),
        "filter": filterset,
        # The chart counts every activity; the table shows them a page at a time.
        "chart": timeline(activities),
        "page": paginate(request, activities, per_page=ACTIVITIES_PER_PAGE),
        "query": query_without_page(request),
    }
    return render(request, "civil_service/activity_list.html", context)


@reads_query("page")
@require_safe
def work_plan_detail(request, slug):
    plan, answer, preview = find_by_slug(request, WorkPlan.objects.all(), slug)
    if answer:
        return answer
    activities = table_activities().filter(work_plan=plan)
    context = {
        "plan": plan,
        "translated_object": plan,
        "page": paginate(request, activities, per_page=ACTIVITIES_PER_PAGE),
        "query": query_without_page(request),
        "preview": preview,
    }
    return mark_preview(render(request, "civil_service/workplan_detail.html", context), preview)


@require_safe
def activity_detail(request, slug):
    queryset = Activity.objects.select_related("work_plan", "registering_country")
    activity, answer, preview = find_by_slug(request, queryset, slug)
    if answer:
        return answer
    context = {
        "activity": activity,
        "translated_object": activity,
        "meetings": activity.meetings.all(),
        "documents": activity.documents.all(),
        "announcements": newest_related(activity, "announcements", 10),
        "preview": preview,
    }
    return mark_preview(render(request, "civil_service/activity_detail.html", context), preview)


@reads_query(*DocumentFilter.base_filters, "page")
@require_safe
def document_list(request):
    filterset, documents = filtered(request, DocumentFilter, Document.objects.live())
    context = {
        "filter": filterset,
        "page": paginate(request, documents),
        "query": query_without_page(request),
    }
    return render(request, "civil_service/document_list.html", context)


@require_safe
def document_detail(request, slug):
    document, answer, preview = find_by_slug(request, Document.objects.all(), slug)
    if answer:
        return answer
    context = {"document": document, "translated_object": document, "preview": preview}
    return mark_preview(render(request, "civil_service/document_detail.html", context), preview)


@require_safe
def export_csv(request):
    """The filtered rows of the work-plan table, in the page's language."""
    _filterset, activities = filtered(request, ActivityFilter, live_activities())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = _("work-plan-activities")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Activity"),
            _("Work plan"),
            _("Year"),
            _("Registered by"),
            _("Registered by (agency)"),
            _("Who takes part"),
            _("Concept note approved"),
            _("Status"),
            _("Address"),
        ]
    )
    for activity in activities:
        row = [
            translated_value(activity, "title", get_language())[0],
            translated_value(activity.work_plan, "name", get_language())[0],
            _("Every year") if activity.is_annual else activity.start_year or "",
            str(activity.registering_country),
            translated_value(activity, "registering_agency", get_language())[0],
            activity.get_participation_display(),
            activity.concept_note_approved_on.isoformat()
            if activity.concept_note_approved_on
            else "",
            activity.get_progress_display(),
            request.build_absolute_uri(activity.get_absolute_url()),
        ]
        writer.writerow([as_text(cell) for cell in row])
    return response

"""How the civil_service app seeds its types (see asean_portal.core.seeding)."""

from asean_portal.core.seeding import labels, publication, seeder, translated

from .models import Activity, Document, WorkPlan

# When the work plans and their activities were first published on the portal.
WORK_PLANS_PUBLISHED = "2022-08-03T06:26:00+07:00"
DOCUMENTS_PUBLISHED = "2019-12-20T16:31:00+07:00"


@seeder(step=40)
def work_plans(loader, data):
    countries = loader.known["events.Country"]
    meetings = loader.known["events.Meeting"]
    plans = {}
    for item in data["work_plans"]:
        plans[item["slug_vi"]] = loader.upsert(
            WorkPlan,
            {"slug_vi": item["slug_vi"]},
            {
                **translated(item, "name", "adopted_by", "description"),
                "slug_en": item.get("slug_en"),
                "participation": item["participation"],
                "first_year": item["first_year"],
                "last_year": item["last_year"],
                "adopted_on": item.get("adopted_on"),
                **labels(item),
            },
            **publication(item, WORK_PLANS_PUBLISHED),
        )
    activities = {}
    for item in data["activities"]:
        activity = loader.upsert(
            Activity,
            {"slug_vi": item["slug_vi"]},
            {
                **translated(item, "title", "description", "registering_agency", "notes"),
                "slug_en": item.get("slug_en"),
                "work_plan": plans[item["work_plan"]],
                "number": item.get("number"),
                "start_year": item.get("start_year"),
                "end_year": item.get("end_year"),
                "is_annual": item.get("is_annual", False),
                "participation": item["participation"],
                "registering_country": countries[item["registering_country"]],
                "concept_note_approved_on": item.get("concept_note_approved_on"),
                "concept_note_approved_by": item.get("concept_note_approved_by", ""),
                "progress": item["progress"],
                **labels(item),
            },
            **publication(item, WORK_PLANS_PUBLISHED),
        )
        loader.set_m2m(activity.meetings, [meetings[slug] for slug in item.get("meetings", [])])
        activities[item["slug_vi"]] = activity
    for item in data["documents"]:
        loader.upsert(
            Document,
            {"slug_vi": item["slug_vi"]},
            {
                **translated(item, "title", "summary", "issuer"),
                "slug_en": item.get("slug_en"),
                "kind": item["kind"],
                "number": item.get("number", ""),
                "issued_on": item.get("issued_on"),
                "activity": activities.get(item.get("activity")),
                **labels(item),
            },
            **publication(item, DOCUMENTS_PUBLISHED),
        )

"""How the events app seeds its types (see asean_portal.core.seeding)."""

from django.utils.dateparse import parse_datetime

from asean_portal.core.seeding import labels, publication, seeder, translated

from .models import (
    Announcement,
    Category,
    Country,
    Meeting,
    MeetingPhoto,
    MeetingSeries,
    Participation,
)


@seeder(step=10)
def reference_data(loader, data):
    for item in data["countries"]:
        loader.upsert(
            Country,
            {"iso_code": item["iso"]},
            {
                "name_vi": item["vi"],
                "name_en": item["en"],
                "slug_en": item.get("slug_en"),
                "group": item["group"],
                "order": item["order"],
                "english_label": "official",
            },
        )
    for item in data["series"]:
        loader.upsert(
            MeetingSeries,
            {"code": item["code"]},
            {**translated(item, "name", "description"), **labels(item)},
        )
    for item in data["categories"]:
        loader.upsert(
            Category,
            {"slug_vi": item["slug_vi"]},
            {
                "name_vi": item["vi"],
                "name_en": item["en"],
                "slug_en": item.get("slug_en"),
                "order": item["order"],
                **labels(item),
            },
        )


@seeder(step=30)
def meetings(loader, data):
    countries = loader.known["events.Country"]
    series = loader.known["events.MeetingSeries"]
    loaded = loader.known["events.Meeting"]
    for item in data["meetings"]:
        meeting = loader.upsert(
            Meeting,
            {"slug_vi": item["slug_vi"]},
            {
                # Every translated field of a meeting (slug and publication notes aside).
                **translated(item, *Meeting.translated_fields()),
                "slug_en": item.get("slug_en"),
                "series": series[item["series"]],
                "ordinal": item.get("ordinal"),
                "kind": item["kind"],
                "start_date": item.get("start_date"),
                "end_date": item.get("end_date"),
                "host_country": countries.get(item.get("host_country")),
                "chair_country": countries.get(item.get("chair_country")),
                "part_of": loaded.get(item.get("part_of")),
                **labels(item),
            },
            **publication(item),
        )
        for role, codes in (item.get("participants") or {}).items():
            for code in codes:
                _, created = Participation.objects.get_or_create(
                    meeting=meeting, country=countries[code], defaults={"role": role}
                )
                loader.stats["participation created"] += created
        for order, caption in enumerate(item.get("photos", []), start=1):
            _, created = MeetingPhoto.objects.get_or_create(
                meeting=meeting,
                order=order,
                defaults={
                    "caption_vi": caption["vi"],
                    "caption_en": caption["en"],
                    "alt_text_vi": caption["vi"],
                    "alt_text_en": caption["en"],
                },
            )
            loader.stats["photo caption created"] += created


@seeder(step=50)
def meeting_documents(loader, data):
    """After the documents (civil_service) and every meeting exist."""
    meetings = loader.known["events.Meeting"]
    documents = loader.known["civil_service.Document"]
    for item in data["meetings"]:
        wanted = [documents[slug] for slug in item.get("documents", [])]
        loader.set_m2m(meetings[item["slug_vi"]].documents, wanted)
        if "related_meetings" in item:
            related = [meetings[slug] for slug in item["related_meetings"]]
            loader.set_m2m(meetings[item["slug_vi"]].related_meetings, related)


@seeder(step=60)
def announcements(loader, data):
    for item in data["announcements"]:
        featured_from = item.get("featured_from")
        loader.upsert(
            Announcement,
            {"slug_vi": item["slug_vi"]},
            {
                **translated(item, "title", "lead", "body", "image_caption", "editorial_note"),
                "slug_en": item.get("slug_en"),
                "category": loader.known["events.Category"][item["category"]],
                "kind": item.get("kind", "news"),
                "byline": item.get("byline", ""),
                "is_featured": item.get("featured", False),
                "on_home": item.get("on_home", True),
                "posted_time_known": item.get("posted_time_known", True),
                "featured_from": parse_datetime(featured_from) if featured_from else None,
                "meeting": loader.known["events.Meeting"].get(item.get("meeting")),
                "activity": loader.known["civil_service.Activity"].get(item.get("activity")),
                "priority": loader.known["priorities.Priority"].get(item.get("priority")),
                **labels(item),
            },
            **publication(item),
        )

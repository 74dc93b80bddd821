"""Load the seed content (asean_portal/seed/*.yaml) into the database.

Every item is found again by a natural key (ISO code, series code, or the
Vietnamese slug, old slugs included), so a second run changes nothing. An
item that exists is left as editors made it, unless ``update`` is asked for.
"""

from collections import Counter
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.dateparse import parse_datetime

from asean_portal.core.content import SlugHistory
from asean_portal.core.publishing import Status
from asean_portal.core.richtext import RichTextField, sanitize_html
from civil_service.models import Activity, Document, WorkPlan
from events.models import (
    Announcement,
    Category,
    Country,
    Meeting,
    MeetingPhoto,
    MeetingSeries,
    Participation,
)
from priorities.models import Chairmanship, Priority

SEED_DIR = Path(__file__).resolve().parent / "seed"
SEED_FILES = ("reference.yaml", "content.yaml", "meetings.yaml", "announcements.yaml")


def read_seed(directory=SEED_DIR):
    data = {}
    for name in SEED_FILES:
        with open(directory / name, encoding="utf-8") as handle:
            data.update(yaml.safe_load(handle))
    return data


def translated(item, *names):
    """{'title': {'vi': …, 'en': …}} -> {'title_vi': …, 'title_en': …}."""
    values = {}
    for name in names:
        value = item.get(name) or {}
        values[f"{name}_vi"] = value.get("vi", "")
        values[f"{name}_en"] = value.get("en", "")
    return values


def labels(item):
    return {
        "english_label": item.get("english_label", ""),
        "english_source": item.get("english_source", ""),
    }


def published_at(item, default=None):
    value = item.get("publish_at", default)
    moment = parse_datetime(value) if value else None
    if value and (moment is None or moment.tzinfo is None):
        raise ValueError(f"publish_at must be an ISO time with its zone, got {value!r}")
    return {"status": Status.PUBLISHED, "publish_at": moment, "first_published_at": moment}


class SeedLoader:
    def __init__(self, update=False):
        self.update = update
        self.stats = Counter()

    # --- generic -------------------------------------------------------------
    def find(self, model, **lookup):
        if "slug_vi" in lookup:
            slug = lookup["slug_vi"]
            obj = model._default_manager.filter(slug_vi=slug).first()
            if obj is None:
                object_id = SlugHistory.find(model, "vi", slug)
                if object_id is not None:
                    obj = model._default_manager.filter(pk=object_id).first()
            return obj
        return model._default_manager.filter(**lookup).first()

    def upsert(self, model, lookup, values):
        # Compare rich text as it will be stored: sanitized.
        values = {
            name: sanitize_html(value)
            if isinstance(model._meta.get_field(name), RichTextField)
            else value
            for name, value in values.items()
        }
        obj = self.find(model, **lookup)
        if obj is None:
            obj = model(**lookup, **values)
            obj.save()
            self.stats[f"{model._meta.model_name} created"] += 1
            return obj
        if self.update:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                obj.save()
                self.stats[f"{model._meta.model_name} updated"] += 1
                return obj
        self.stats[f"{model._meta.model_name} unchanged"] += 1
        return obj

    def set_m2m(self, manager, objects):
        wanted = {obj.pk for obj in objects}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(objects)

    # --- per type ------------------------------------------------------------
    def load(self, data):
        with transaction.atomic():
            countries = {
                item["iso"]: self.upsert(
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
                for item in data["countries"]
            }
            series = {
                item["code"]: self.upsert(
                    MeetingSeries,
                    {"code": item["code"]},
                    {**translated(item, "name", "description"), **labels(item)},
                )
                for item in data["series"]
            }
            categories = {
                item["slug_vi"]: self.upsert(
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
                for item in data["categories"]
            }
            priorities = self.load_chairmanships(data, countries)
            plans = {
                item["slug_vi"]: self.upsert(
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
                        **published_at(item, "2022-08-03T06:26:00+07:00"),
                    },
                )
                for item in data["work_plans"]
            }
            meetings = self.load_meetings(data, series, countries)
            activities = self.load_activities(data, plans, countries, meetings)
            documents = self.load_documents(data, activities)
            for item in data["meetings"]:
                wanted = [documents[slug] for slug in item.get("documents", [])]
                self.set_m2m(meetings[item["slug_vi"]].documents, wanted)
            self.load_announcements(data, categories, meetings, activities, priorities)
        return self.stats

    def load_chairmanships(self, data, countries):
        priorities = {}
        for item in data["chairmanships"]:
            chairmanship = self.upsert(
                Chairmanship,
                {"slug_vi": item["slug_vi"]},
                {
                    **translated(item, "theme", "theme_rationale", "description"),
                    "slug_en": item.get("slug_en"),
                    "year": item["year"],
                    "chair_country": countries[item["chair"]],
                    **labels(item),
                    **published_at(item),
                },
            )
            for priority in item["priorities"]:
                priorities[priority["slug_vi"]] = self.upsert(
                    Priority,
                    {"slug_vi": priority["slug_vi"]},
                    {
                        **translated(priority, "title", "summary", "body"),
                        "slug_en": priority.get("slug_en"),
                        "chairmanship": chairmanship,
                        "number": priority["number"],
                        **labels(data["priority_english"]),
                        **published_at(item),
                    },
                )
        return priorities

    def load_meetings(self, data, series, countries):
        meetings = {}
        for item in data["meetings"]:
            meeting = self.upsert(
                Meeting,
                {"slug_vi": item["slug_vi"]},
                {
                    **translated(
                        item,
                        "title",
                        "theme",
                        "summary",
                        "body",
                        "outcomes",
                        "date_note",
                        "host_city",
                        "chair_name",
                        "chair_title",
                        "other_participants",
                    ),
                    "slug_en": item.get("slug_en"),
                    "series": series[item["series"]],
                    "ordinal": item.get("ordinal"),
                    "kind": item["kind"],
                    "start_date": item.get("start_date"),
                    "end_date": item.get("end_date"),
                    "host_country": countries.get(item.get("host_country")),
                    "chair_country": countries.get(item.get("chair_country")),
                    "part_of": meetings.get(item.get("part_of")),
                    **labels(item),
                    **published_at(item),
                },
            )
            meetings[item["slug_vi"]] = meeting
            for role, codes in (item.get("participants") or {}).items():
                for code in codes:
                    _, created = Participation.objects.get_or_create(
                        meeting=meeting, country=countries[code], defaults={"role": role}
                    )
                    self.stats["participation created"] += created
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
                self.stats["photo caption created"] += created
        return meetings

    def load_activities(self, data, plans, countries, meetings):
        activities = {}
        for item in data["activities"]:
            activity = self.upsert(
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
                    **published_at(item, "2022-08-03T06:26:00+07:00"),
                },
            )
            self.set_m2m(activity.meetings, [meetings[slug] for slug in item.get("meetings", [])])
            activities[item["slug_vi"]] = activity
        return activities

    def load_documents(self, data, activities):
        return {
            item["slug_vi"]: self.upsert(
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
                    **published_at(item, "2019-12-20T16:31:00+07:00"),
                },
            )
            for item in data["documents"]
        }

    def load_announcements(self, data, categories, meetings, activities, priorities):
        for item in data["announcements"]:
            featured_from = item.get("featured_from")
            self.upsert(
                Announcement,
                {"slug_vi": item["slug_vi"]},
                {
                    **translated(item, "title", "lead", "body", "image_caption"),
                    "slug_en": item.get("slug_en"),
                    "category": categories[item["category"]],
                    "kind": item.get("kind", "news"),
                    "byline": item.get("byline", ""),
                    "is_featured": item.get("featured", False),
                    "featured_from": parse_datetime(featured_from) if featured_from else None,
                    "meeting": meetings.get(item.get("meeting")),
                    "activity": activities.get(item.get("activity")),
                    "priority": priorities.get(item.get("priority")),
                    **labels(item),
                    **published_at(item),
                },
            )

"""How the priorities app seeds its types (see asean_portal.core.seeding)."""

from asean_portal.core.seeding import labels, publication, seeder, translated

from .models import Chairmanship, Priority


@seeder(step=20)
def chairmanships(loader, data):
    countries = loader.known["events.Country"]
    for item in data["chairmanships"]:
        chairmanship = loader.upsert(
            Chairmanship,
            {"slug_vi": item["slug_vi"]},
            {
                **translated(item, "theme", "theme_rationale", "description"),
                "slug_en": item.get("slug_en"),
                "year": item["year"],
                "chair_country": countries[item["chair"]],
                **labels(item),
            },
            **publication(item),
        )
        for priority in item["priorities"]:
            loader.upsert(
                Priority,
                {"slug_vi": priority["slug_vi"]},
                {
                    **translated(priority, "title", "summary", "body"),
                    "slug_en": priority.get("slug_en"),
                    "chairmanship": chairmanship,
                    "number": priority["number"],
                    **labels(data["priority_english"]),
                },
                **publication(item),
            )

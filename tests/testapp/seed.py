from asean_portal.core.seeding import publication, seeder, translated

from .models import Notice


@seeder(step=70)
def notices(loader, data):
    for item in data.get("notices", []):
        loader.upsert(
            Notice,
            {"slug_vi": item["slug_vi"]},
            translated(item, "title", "body"),
            **publication(item),
        )

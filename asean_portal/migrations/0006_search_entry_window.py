"""Search entries carry their object's publication window, so that a search
reads one table; existing entries take it from their objects."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

SEARCHABLE = [
    ("events", "announcement"),
    ("events", "meeting"),
    ("priorities", "chairmanship"),
    ("priorities", "priority"),
    ("civil_service", "workplan"),
    ("civil_service", "activity"),
    ("civil_service", "document"),
]
LIVE_STATUSES = ["scheduled", "published"]


def fill_windows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    SearchEntry = apps.get_model("asean_portal", "SearchEntry")
    for app_label, model_name in SEARCHABLE:
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:
            continue
        model = apps.get_model(app_label, model_name)
        own = model.objects.filter(pk=OuterRef("object_id"))
        SearchEntry.objects.filter(content_type=content_type).update(
            live_from=Subquery(own.filter(status__in=LIVE_STATUSES).values("publish_at")[:1]),
            live_until=Subquery(own.values("unpublish_at")[:1]),
        )
    if schema_editor.connection.vendor == "postgresql":
        # The planner needs the new column's statistics to walk the index.
        schema_editor.execute("ANALYZE asean_portal_searchentry")


class Migration(migrations.Migration):
    dependencies = [
        ("asean_portal", "0005_publication_event"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0006_announcement_recent_index"),
        ("priorities", "0003_publication_notes"),
        ("civil_service", "0005_publication_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="live_from",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="live_until",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["-live_from", "-id"], name="search_entry_newest"),
        ),
        migrations.RunPython(fill_windows, migrations.RunPython.noop),
    ]

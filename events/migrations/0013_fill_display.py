"""The display values of the rows that exist (asean_portal/core/display.py)."""

from django.db import migrations

from asean_portal.core.display import fill_historical

LABELS = (
    "events.Country",
    "events.Category",
    "events.Meeting",
    "events.Announcement",
)


def fill(apps, schema_editor):
    for label in LABELS:
        fill_historical(apps, label)


class Migration(migrations.Migration):
    dependencies = [("events", "0012_display")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

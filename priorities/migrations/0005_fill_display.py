"""The display values of the rows that exist (asean_portal/core/display.py)."""

from django.db import migrations

from asean_portal.core.display import fill_historical

LABELS = (
    "priorities.Chairmanship",
    "priorities.Priority",
)


def fill(apps, schema_editor):
    for label in LABELS:
        fill_historical(apps, label)


class Migration(migrations.Migration):
    dependencies = [("priorities", "0004_display")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

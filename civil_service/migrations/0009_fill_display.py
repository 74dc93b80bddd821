"""The display values of the rows that exist (asean_portal/core/display.py)."""

from django.db import migrations

from asean_portal.core.display import fill_historical

LABELS = (
    "civil_service.WorkPlan",
    "civil_service.Activity",
    "civil_service.Document",
)


def fill(apps, schema_editor):
    for label in LABELS:
        fill_historical(apps, label)


class Migration(migrations.Migration):
    dependencies = [("civil_service", "0008_display")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

"""The reference lists (countries, meeting series, news categories) have no
review step: a rename shows on the public pages at once. Only a Chief editor,
who publishes, adds or changes them; an Editor reads them."""

from django.db import migrations

REFERENCE = ["country", "meetingseries", "category"]
TAKEN = [f"{action}_{model}" for model in REFERENCE for action in ("add", "change")]


def take_from_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    if editor is not None:
        editor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="events", codename__in=TAKEN)
        )


def give_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    if editor is not None:
        editor.permissions.add(
            *Permission.objects.filter(content_type__app_label="events", codename__in=TAKEN)
        )


class Migration(migrations.Migration):
    dependencies = [("asean_portal", "0017_search_vector_inline"), ("events", "0001_initial")]

    operations = [migrations.RunPython(take_from_editors, give_back)]

"""The editorial roles of DESIGN.md §6, as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = [
    ("events", "announcement"),
    ("events", "meeting"),
    ("priorities", "chairmanship"),
    ("priorities", "priority"),
    ("civil_service", "workplan"),
    ("civil_service", "activity"),
    ("civil_service", "document"),
]
PARTS = [("events", "meetingphoto"), ("events", "participation")]
REFERENCE = [("events", "country"), ("events", "meetingseries"), ("events", "category")]
ALL = CONTENT + PARTS + REFERENCE

ROLES = {
    # Writes and edits all content and submits it; cannot publish or delete.
    "Editor": [(model, action) for model in ALL for action in ("view", "add", "change")],
    # Writes, schedules, publishes and unpublishes announcements; reads the rest.
    "Press officer": [
        (("events", "announcement"), action) for action in ("view", "add", "change", "publish")
    ]
    + [(model, "view") for model in ALL if model != ("events", "announcement")],
    # Publishes and schedules any content, and may delete it.
    "Chief editor": [
        (model, action)
        for model in CONTENT
        for action in ("view", "add", "change", "delete", "publish")
    ]
    + [(model, action) for model in PARTS + REFERENCE for action in ("view", "add", "change", "delete")],
    # Manages staff accounts; reads the content.
    "Administrator": [
        (("auth", model), action)
        for model in ("user", "group")
        for action in ("view", "add", "change", "delete")
    ]
    + [(model, "view") for model in ALL],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(
                content_type__app_label=app_label, codename=f"{action}_{model}"
            )
            for (app_label, model), action in grants
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("asean_portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("events", "0002_initial"),
        ("priorities", "0001_initial"),
        ("civil_service", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

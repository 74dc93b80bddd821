"""The roles' rights on the About page and the readers' messages: the chief
editor edits the About page, everyone reads it; the roles that answer the
public read the messages and mark them handled. A message's own text is
read-only in the admin for everyone."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editor": [("aboutportal", "view"), ("feedbackmessage", "view"), ("feedbackmessage", "change")],
    "Press officer": [
        ("aboutportal", "view"),
        ("feedbackmessage", "view"),
        ("feedbackmessage", "change"),
    ],
    "Chief editor": [
        ("aboutportal", "view"),
        ("aboutportal", "add"),
        ("aboutportal", "change"),
        ("feedbackmessage", "view"),
        ("feedbackmessage", "change"),
    ],
    "Administrator": [("aboutportal", "view")],
}


def grant(apps, schema_editor):
    # Makes the permissions of every model first, as the roles' migration does.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *[
                Permission.objects.get(
                    content_type__app_label="asean_portal", codename=f"{action}_{model}"
                )
                for model, action in grants
            ]
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="asean_portal",
                codename__in=[f"{action}_{model}" for model, action in grants],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("asean_portal", "0011_pending_revision")]

    operations = [migrations.RunPython(grant, revoke)]

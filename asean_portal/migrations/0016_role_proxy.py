"""The roles as the admin shows them (a proxy of Django's groups, named in the
staff member's language), and the Administrator's rights on them: the same as
on the groups, which it manages."""

import django.contrib.auth.models
from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("view", "add", "change", "delete")


def grant(apps, schema_editor):
    # Makes the permissions of every model first, as the roles' migration does.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Administrator").first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="asean_portal",
                codename__in=[f"{action}_role" for action in ACTIONS],
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Administrator").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="asean_portal",
                codename__in=[f"{action}_role" for action in ACTIONS],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("asean_portal", "0015_revision_events_returned_to_review"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="Role",
            fields=[],
            options={
                "verbose_name": "role",
                "verbose_name_plural": "roles",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("auth.group",),
            managers=[
                ("objects", django.contrib.auth.models.GroupManager()),
            ],
        ),
        migrations.RunPython(grant, revoke),
    ]

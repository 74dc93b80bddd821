from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import models

from asean_portal.core import storage


def owners():
    """The models whose items decide who may read uploads: those with a file
    field of their own, or related items' uploads (``media_children``)."""
    for model in apps.get_models():
        if model._meta.abstract:
            continue
        files = any(isinstance(field, models.FileField) for field in model._meta.get_fields())
        if getattr(model, "media_children", ()) or (files and "media_owner" not in vars(model)):
            yield model


class Command(BaseCommand):
    help = (
        "Make the public copies of every item's uploads match its state: a copy of each "
        "upload of a published item, none of the others, and none of a file no item holds "
        "any more (replaced or deleted). Run after upgrading to private originals, after "
        "restoring the uploads from a backup, or to repair the copies."
    )

    def handle(self, *args, **options):
        if not storage.keeps_public_copies():
            self.stdout.write("The storage keeps no public copies: nothing to do.")
            return
        kept = set()
        for model in owners():
            count = 0
            for item in model._default_manager.iterator(chunk_size=500):
                count += storage.sync_public_copies(item)
                if storage.is_public(storage.media_owner(item)):
                    kept.update(storage.public_names(item))
            self.stdout.write(f"{model._meta.label}: {count} uploads")
        stray = [name for name in default_storage.public_copies() if name not in kept]
        for name in stray:
            default_storage.withdraw(name)
        self.stdout.write(f"Public copies that no published item holds, removed: {len(stray)}")

"""Backup and restore (django-dbbackup) round-trip all content: both
languages, history, users, and the uploaded files."""

import os
import shutil
import subprocess
import sys

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection, connections

from asean_portal.core.publishing import publishable_models
from civil_service.models import Activity
from events.models import Announcement, MeetingPhoto
from tests import factories
from tests.conftest import BASE_DIR, subprocess_env
from tests.core.test_admin import image_file

APPS = ("priorities", "events", "civil_service", "asean_portal", "reversion", "auth")


def uploads(files):
    """The uploaded files among the media, without the photos' renditions
    and the public copies (which the backup keeps too)."""
    return [name for name in files if not str(name).startswith(("renditions/", "public/"))]


def snapshot(media_root):
    models = [m for label in APPS for m in apps.get_app_config(label).get_models()]
    rows = {
        model._meta.label: serializers.serialize(
            "json", model.objects.order_by("pk"), use_natural_foreign_keys=False
        )
        for model in models
    }
    files = {
        path.relative_to(media_root).as_posix(): path.read_bytes()
        for path in sorted(media_root.rglob("*"))
        if path.is_file()
    }
    return rows, files


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_all_content(settings, tmp_path, monkeypatch):
    """PostgreSQL: pg_dump and pg_restore, in the test's own database."""
    from dbbackup import settings as backup_settings

    if connection.vendor != "postgresql":
        pytest.skip("the test database is PostgreSQL only in CI's first pass")

    # dbbackup reads its settings once; the test points them at its folders.
    monkeypatch.setattr(backup_settings, "STORAGE_OPTIONS", {"location": str(tmp_path / "backups")})
    monkeypatch.setattr(backup_settings, "MEDIA_PATH", str(settings.MEDIA_ROOT))
    call_command("load_seed_content", verbosity=0)
    with_photo = factories.announcement(
        title_vi="Tin có ảnh", title_en="News with a photo", image=image_file(), image_alt_vi="Ảnh"
    )
    meeting = factories.meeting()
    MeetingPhoto.objects.create(
        meeting=meeting, image=image_file("hop.jpg"), caption_vi="Chú thích", caption_en="Caption"
    )
    before = snapshot(settings.MEDIA_ROOT)
    assert len(uploads(before[1])) == 2
    assert Announcement.objects.get(pk=with_photo.pk).title_en == "News with a photo"

    call_command("dbbackup", verbosity=0)
    call_command("mediabackup", verbosity=0)
    names = [path.name for path in (tmp_path / "backups").iterdir()]
    assert any(name.endswith(".tar") for name in names), names
    assert any(name.startswith("default-") for name in names), names

    # Disaster: the content and the uploads are gone.
    for model in (Activity, *publishable_models()):
        model.objects.all().delete()
    for path in settings.MEDIA_ROOT.rglob("*"):
        if path.is_file():
            path.unlink()
    assert snapshot(settings.MEDIA_ROOT) != before

    connections.close_all()
    call_command("dbrestore", "--noinput", verbosity=0)
    call_command("mediarestore", "--noinput", verbosity=0)
    connections.close_all()
    assert snapshot(settings.MEDIA_ROOT) == before


CREATE_PHOTO = """
from events.models import Announcement, Category
from django.core.files.base import ContentFile
from tests.core.test_admin import image_file
from tests.conftest import BASE_DIR, subprocess_env
from django.utils import timezone
item = Announcement.objects.create(
    title_vi="Tin có ảnh", title_en="News with a photo", body_vi="<p>x</p>",
    category=Category.objects.first(), image_alt_vi="Ảnh",
    status="published", publish_at=timezone.now(),
)
item.image.save("anh.jpg", ContentFile(image_file().read()))
"""

DESTROY = """
from asean_portal.core.publishing import publishable_models
from civil_service.models import Activity
for model in (Activity, *publishable_models()):
    model.objects.all().delete()
"""


def test_backup_and_restore_round_trip_on_the_default_sqlite_database(tmp_path):
    """SQLite, as `make run` uses it: the commands of README "Backup and
    restore", in their own processes, on a database file."""
    media = tmp_path / "media"
    env = subprocess_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(tmp_path / "backups"),
    )

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def state():
        files = {p.relative_to(media): p.read_bytes() for p in media.rglob("*") if p.is_file()}
        return manage("dumpdata", *APPS, "--indent=1"), files

    manage("migrate", "--noinput", "-v0")
    manage("load_seed_content")
    manage("shell", "-c", CREATE_PHOTO)
    # The public copies, as `make run` makes them (no worker runs here).
    manage("sync_public_media")
    before = state()
    assert "News with a photo" in before[0] and len(uploads(before[1])) == 1
    (photo,) = uploads(before[1])
    assert os.path.samefile(media / photo, media / "public" / photo)

    manage("dbbackup")
    manage("mediabackup")
    manage("shell", "-c", DESTROY)
    shutil.rmtree(media)
    assert "News with a photo" not in state()[0]

    manage("dbrestore", "--noinput")
    manage("mediarestore", "--noinput")
    manage("sync_public_media")  # as `make restore` does
    assert state() == before
    # The restored copy is a hard link again, not a second file.
    assert os.path.samefile(media / photo, media / "public" / photo)

"""Uploads in MEDIA_ROOT (the default storage) are kept as in an object store:
originals are read only at signed addresses that expire, and a published
item's uploads have a public copy for as long as it is published."""

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from asean_portal.core import storage
from asean_portal.core.publishing import Status, item_unpublish
from civil_service.models import Document
from events.models import Announcement, MeetingPhoto
from tests import factories
from tests.core.test_admin import errors, image_file, post_announcement, superuser_client  # noqa: F401
from tests.core.test_documents import pdf
from tests.core.test_images import cleaned, image_bytes


@pytest.fixture(autouse=True)
def serve_media(settings):
    """The public copies are served by the portal, as on the embedded default."""
    settings.SERVE_MEDIA = True


ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def body(response):
    return b"".join(response.streaming_content)


def altered(signature):
    """The signature with its first character changed."""
    return ("B" if signature.startswith("A") else "A") + signature[1:]


def with_photo(capture, **fields):
    with capture(execute=True):
        item = factories.announcement(image_alt_vi="Ảnh", image_alt_en="Photo", **fields)
        item.image.save("hoi-nghi.jpg", ContentFile(image_file().read(), name="hoi-nghi.jpg"))
    return item


def test_an_upload_through_the_admin_is_private_and_its_signed_address_expires(
    superuser_client,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_announcement(superuser_client, image=image_file(), image_alt_vi="Ảnh")
    assert response.status_code == 302, errors(response)
    item = Announcement.objects.get()
    name = item.image.name
    assert item.status == Status.DRAFT
    assert not (settings.MEDIA_ROOT / "public" / name).exists()
    url = item.image.url
    assert url.startswith(f"/media/private/{name}?")
    anonymous = type(superuser_client)()
    response = anonymous.get(url)
    assert response.status_code == 200 and body(response).startswith(b"\xff\xd8")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"
    # Guessed, altered, moved to another file or expired: the same 404.
    path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
    until, signature = query["until"][0], query["signature"][0]
    other = factories.announcement()
    other.image.save("khac.jpg", ContentFile(image_file().read(), name="khac.jpg"))
    refused = [
        f"/media/{name}",
        f"/media/public/{name}",
        path,
        f"{path}?{urlencode({'until': until, 'signature': altered(signature)})}",
        f"{path}?{urlencode({'until': int(until) + 300, 'signature': signature})}",
        f"{path}?{urlencode({'until': 'soon', 'signature': signature})}",
        # Other spellings of the signed number: one address per file and time.
        *(
            f"{path}?{urlencode({'until': spelling, 'signature': signature})}"
            for spelling in (
                f"+{until}",
                f"0{until}",
                f" {until}",
                f"{until}\n",
                until.translate(ARABIC_DIGITS),
            )
        ),
        f"/media/private/{other.image.name}?{urlencode(query, doseq=True)}",
        f"/media/private/../{name}?{urlencode(query, doseq=True)}",
    ]
    for address in refused:
        assert anonymous.get(address).status_code == 404, address
    later = timezone.now() + timedelta(seconds=settings.MEDIA_SIGNED_SECONDS + 301)
    with time_machine.travel(later):
        assert anonymous.get(url).status_code == 404
        # A page rendered then gets a new address, which works.
        fresh = Announcement.objects.get(pk=item.pk).image.url
        assert fresh != url and anonymous.get(fresh).status_code == 200


def test_a_published_item_s_upload_has_a_public_copy_until_it_is_withdrawn(
    client, settings, django_capture_on_commit_callbacks
):
    item = with_photo(django_capture_on_commit_callbacks)
    name = item.image.name
    public = settings.MEDIA_ROOT / "public" / name
    assert public.is_file() and public.read_bytes() == (settings.MEDIA_ROOT / name).read_bytes()
    url = item.image.url
    assert url == f"/media/public/{name}"
    page = client.get(item.get_absolute_url()).content.decode()
    assert url in page and "/media/private/" not in page
    response = client.get(url)
    assert response.status_code == 200 and body(response).startswith(b"\xff\xd8")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # Its original is not served unsigned.
    assert client.get(f"/media/{name}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=item, by=factories.staff(superuser=True), reason_vi="Rút bài")
    item.refresh_from_db()
    assert not public.exists() and (settings.MEDIA_ROOT / name).is_file()
    assert client.get(url).status_code == 404
    assert item.image.url.startswith(f"/media/private/{name}?")


def test_a_scheduled_item_s_upload_is_public_only_once_published(
    settings, django_capture_on_commit_callbacks
):
    from asean_portal.core.publishing import publish_due

    item = with_photo(
        django_capture_on_commit_callbacks,
        status=Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )
    public = settings.MEDIA_ROOT / "public" / item.image.name
    assert not public.exists()
    with (
        time_machine.travel(timezone.now() + timedelta(hours=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish_due()
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and public.is_file()


def test_a_meeting_s_photos_and_their_renditions_follow_the_meeting(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = factories.meeting(status=Status.DRAFT)
        photo = MeetingPhoto.objects.create(
            meeting=meeting, image=cleaned(image_bytes()), alt_text_vi="Ảnh"
        )
    names = storage.public_names(meeting)
    assert photo.image.name in names and len(names) > 1  # the photo and its renditions
    public = settings.MEDIA_ROOT / "public"
    assert not any((public / name).exists() for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        meeting.status = Status.PUBLISHED
        meeting.publish_at = timezone.now()
        meeting.save()
    assert all((public / name).is_file() for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        meeting.delete()
    assert not any((public / name).exists() for name in names)


def test_a_replaced_file_s_public_copy_goes_with_it(settings, django_capture_on_commit_callbacks):
    """A published meeting's photo replaced by another: the first photo and
    its renditions are no longer public, the new one is, and a withdrawal
    leaves none; a published document's file likewise."""
    with django_capture_on_commit_callbacks(execute=True):
        meeting = factories.meeting()
        photo = MeetingPhoto.objects.create(
            meeting=meeting, image=cleaned(image_bytes()), alt_text_vi="Ảnh"
        )
    public = settings.MEDIA_ROOT / "public"
    first = storage.own_public_names(photo)
    assert len(first) > 1 and all((public / name).is_file() for name in first)
    with django_capture_on_commit_callbacks(execute=True):
        photo.image = cleaned(image_bytes(size=(90, 60)))
        photo.save()
    second = storage.own_public_names(photo)
    assert not first & second
    assert not any((public / name).exists() for name in first)
    assert all((public / name).is_file() for name in second)
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=meeting, by=factories.staff(superuser=True), reason_vi="Rút")
    assert not [path for path in public.rglob("*") if path.is_file()]
    # The originals stay, private.
    assert all((settings.MEDIA_ROOT / name).is_file() for name in (*first, *second))

    with django_capture_on_commit_callbacks(execute=True):
        document = Document.objects.create(
            title_vi="Quyết định",
            kind=Document.Kind.DECISION,
            file=ContentFile(pdf(), "a.pdf"),
            status=Status.PUBLISHED,
            publish_at=timezone.now(),
        )
    old = public / document.file.name
    assert old.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        document.file = ContentFile(pdf(), "b.pdf")
        document.save()
    assert not old.exists() and (public / document.file.name).is_file()


def test_a_public_document_that_browsers_would_not_show_is_downloaded(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = factories.document(file=ContentFile(pdf(), name="quyet-dinh.pdf"))
    response = client.get(document.file.url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert not response.get("Content-Disposition", "").startswith("attachment")


def test_the_copies_are_repaired_by_a_command(settings, django_capture_on_commit_callbacks):
    published = with_photo(django_capture_on_commit_callbacks)
    draft = with_photo(django_capture_on_commit_callbacks, status=Status.DRAFT)
    public = settings.MEDIA_ROOT / "public"
    (public / published.image.name).unlink()
    # A copy left behind, as by a restore of an older backup.
    stray = public / draft.image.name
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"old")
    # Copies of files that no item holds any more: a file replaced before the
    # save removed its copy, a deleted item's, a rendition of neither.
    orphans = [public / "news/2025/replaced.jpg", public / "CACHE/images/gone/x.webp"]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"old")
    kept = [public / name for name in storage.public_names(published)]
    output = io.StringIO()
    call_command("sync_public_media", stdout=output)
    assert (public / published.image.name).is_file()
    assert all(path.is_file() for path in kept) and len(kept) > 1
    assert not stray.exists()
    assert not any(orphan.exists() for orphan in orphans)
    assert "no published item holds, removed: 2" in output.getvalue()


def test_a_file_that_is_gone_is_left_out_and_said(settings, caplog):
    local = storage.LocalMediaStorage()
    local.publish("news/2026/missing.jpg")
    assert not (settings.MEDIA_ROOT / "public" / "news/2026/missing.jpg").exists()
    assert "no public copy of news/2026/missing.jpg" in caplog.text
    local.withdraw("news/2026/missing.jpg")  # nothing to remove: no error


def test_a_copy_that_cannot_be_written_fails_the_task_so_that_it_is_retried(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "link", full)
    monkeypatch.setattr(storage.shutil, "copyfile", full)
    local = storage.LocalMediaStorage()
    (settings.MEDIA_ROOT / "news").mkdir(parents=True)
    (settings.MEDIA_ROOT / "news" / "a.jpg").write_bytes(b"x")
    with pytest.raises(OSError):
        local.publish("news/a.jpg")
    assert not [path for path in (settings.MEDIA_ROOT / "public").rglob("*") if path.is_file()]


def test_an_item_shown_with_changes_waiting_for_review_links_no_public_copy(
    django_capture_on_commit_callbacks,
):
    """A staff preview shows the pending upload, which has no public copy."""
    item = with_photo(django_capture_on_commit_callbacks)
    assert storage.is_public(item)
    item.pending_revision = object()
    assert not storage.is_public(item)
    assert item.image.url.startswith("/media/private/")

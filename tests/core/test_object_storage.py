"""Uploads in an S3-compatible object store (MEDIA_STORAGE=s3), against a real
S3 API server on loopback (moto's standalone server): originals are private,
published items' uploads have a public, cacheable copy, and a store that is
down fails the upload with the form kept."""

import html
import io
import re
import uuid
from datetime import timedelta
from urllib.error import HTTPError
from urllib.request import urlopen

import boto3
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from asean_portal.core.publishing import Status, item_unpublish
from asean_portal.core.storage import LocalMediaStorage, StorageUnavailable
from events.models import Announcement, MeetingPhoto
from tests import factories
from tests.conftest import free_port
from tests.core.test_admin import errors, image_file, post_announcement, superuser_client  # noqa: F401
from tests.core.test_documents import pdf

KEYS = {"access_key": "portal-test", "secret_key": "portal-test-secret"}


def s3_settings(endpoint, bucket):
    return {
        "BACKEND": "asean_portal.core.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "addressing_style": "path",
            **KEYS,
        },
    }


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh private bucket of the test's own, as the portal's storage."""
    name = f"portal-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": s3_settings(s3_server, name)}
    client.bucket_name = name
    return client


def keys(bucket):
    """The uploads in the bucket; the photos' renditions (made from them, under
    renditions/, and their public copies) are left out."""
    found = bucket.list_objects_v2(Bucket=bucket.bucket_name).get("Contents", [])
    return {
        entry["Key"]
        for entry in found
        if not entry["Key"].removeprefix("public/").startswith("renditions/")
    }


def fetch(url):
    """(status, headers, body) of an anonymous GET."""
    try:
        with urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except HTTPError as error:
        return error.code, error.headers, b""


def unsigned(url):
    return url.partition("?")[0]


def test_an_upload_through_the_admin_goes_to_the_store_and_stays_private(
    superuser_client,  # noqa: F811
    bucket,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_announcement(superuser_client, image=image_file(), image_alt_vi="Ảnh")
    assert response.status_code == 302, errors(response)
    item = Announcement.objects.get()
    assert item.status == Status.DRAFT
    assert keys(bucket) == {item.image.name}
    assert item.image.name.startswith(f"news/{timezone.localdate().year}/")
    # Staff get a signed address that works; without its signature the same
    # address is refused, and a draft has no public copy.
    url = item.image.url
    assert "Signature=" in url or "X-Amz-Signature=" in url
    status, _headers, body = fetch(url)
    assert status == 200 and body.startswith(b"\xff\xd8")
    assert fetch(unsigned(url))[0] == 403


def test_a_published_item_has_a_public_cacheable_copy_until_it_is_withdrawn(
    bucket, django_capture_on_commit_callbacks, client
):
    officer = factories.staff(superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement(image_alt_vi="Ảnh")
        item.image.save("hoi-nghi.jpg", ContentFile(image_file().read(), name="hoi-nghi.jpg"))
    public = f"public/{item.image.name}"
    assert keys(bucket) == {item.image.name, public}
    url = item.image.url
    assert "Signature" not in url and url.endswith(public)
    status, headers, body = fetch(url)
    assert status == 200 and body.startswith(b"\xff\xd8")
    assert headers["Cache-Control"] == "public, max-age=604800"
    assert headers["Content-Type"] == "image/jpeg"
    # The public page links to the public copy.
    page = client.get(item.get_absolute_url())
    assert url in page.content.decode()
    # The original itself is never public.
    assert (
        fetch(
            unsigned(
                bucket.generate_presigned_url(
                    "get_object", Params={"Bucket": bucket.bucket_name, "Key": item.image.name}
                )
            )
        )[0]
        == 403
    )

    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=item, by=officer, reason_vi="Rút bài")
    item.refresh_from_db()
    assert keys(bucket) == {item.image.name}
    assert fetch(url)[0] in (403, 404)
    assert "Signature" in item.image.url


def renditions(bucket, prefix=""):
    """The photos' renditions in the bucket (under ``prefix``)."""
    found = bucket.list_objects_v2(Bucket=bucket.bucket_name).get("Contents", [])
    return {entry["Key"] for entry in found if entry["Key"].startswith(prefix + "renditions/")}


def rendition_links(page):
    """Every rendition address in a page's src and srcset attributes."""
    links = set()
    for value in re.findall(r'(?:src|srcset)="([^"]*)"', page):
        for candidate in html.unescape(value).split(","):
            url = candidate.strip().split(" ")[0]
            if "renditions/" in url:
                links.add(url)
    return links


def test_a_published_items_renditions_are_public_until_it_is_withdrawn(
    bucket, django_capture_on_commit_callbacks, client
):
    officer = factories.staff(superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement(image_alt_vi="Ảnh", is_featured=True)
        item.image.save("tau-bien.jpg", ContentFile(image_file().read(), name="tau-bien.jpg"))
    made = renditions(bucket)
    assert made, "no renditions were made"
    assert renditions(bucket, "public/") == {f"public/{name}" for name in made}
    # The public pages link each rendition by its public copy's address: no
    # signature that would expire while the page is cached.
    links = set()
    for path in (item.get_absolute_url(), "/vi/tin-tuc/"):
        links |= rendition_links(client.get(path).content.decode())
    assert links and {unsigned(url) for url in links} == links
    assert {url.partition("/public/")[2] for url in links} <= made
    for url in links:
        status, headers, body = fetch(url)
        assert status == 200 and body
        assert headers["Cache-Control"] == "public, max-age=604800"
        assert headers["Content-Type"] in ("image/webp", "image/jpeg")
    # The renditions themselves stay private.
    for name in made:
        private = bucket.generate_presigned_url(
            "get_object", Params={"Bucket": bucket.bucket_name, "Key": name}
        )
        assert fetch(unsigned(private))[0] == 403

    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=item, by=officer, reason_vi="Rút bài")
    assert renditions(bucket, "public/") == set()
    assert renditions(bucket) == made
    for url in links:
        assert fetch(url)[0] in (403, 404)


def test_a_scheduled_items_upload_is_public_only_once_published(
    bucket, django_capture_on_commit_callbacks
):
    from asean_portal.core.publishing import publish_due

    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement(
            status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=1)
        )
        item.image.save("embargo.jpg", ContentFile(image_file().read(), name="embargo.jpg"))
    assert keys(bucket) == {item.image.name}
    assert fetch(unsigned(item.image.url))[0] == 403
    with (
        time_machine.travel(timezone.now() + timedelta(hours=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish_due()
    assert keys(bucket) == {item.image.name, f"public/{item.image.name}"}


def test_a_meetings_photos_follow_the_meeting(bucket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = factories.meeting(status=Status.DRAFT, publish_at=None)
        photo = MeetingPhoto(meeting=meeting, alt_text="Ảnh")
        photo.image.save("ky-ket.png", ContentFile(image_file(fmt="PNG").read(), name="ky-ket.png"))
    assert keys(bucket) == {photo.image.name}
    with django_capture_on_commit_callbacks(execute=True):
        meeting.status = Status.PUBLISHED
        meeting.publish_at = timezone.now() - timedelta(minutes=1)
        meeting.save()
    assert f"public/{photo.image.name}" in keys(bucket)
    assert fetch(MeetingPhoto.objects.get().image.url)[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert keys(bucket) == {photo.image.name}


def test_a_public_document_that_browsers_would_not_show_is_downloaded(
    bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = factories.document()
        document.file.save("bao-cao.pdf", ContentFile(pdf(), name="bao-cao.pdf"))
        other = factories.document()
        other.file.save(
            "ke-hoach.docx", ContentFile(b"PK\x03\x04 not checked here", name="ke-hoach.docx")
        )
    status, headers, _body = fetch(document.file.url)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert headers.get("Content-Disposition") is None
    status, headers, _body = fetch(other.file.url)
    assert status == 200 and headers["Content-Disposition"] == "attachment"


@pytest.fixture
def store_down(settings):
    """The storage points at a port where nothing listens."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_settings(f"http://127.0.0.1:{free_port()}", "portal"),
    }


@pytest.mark.parametrize(
    ("language", "message"),
    [("vi", "Không lưu được tệp"), ("en", "The file could not be stored")],
)
def test_an_upload_with_the_store_down_keeps_the_form(
    superuser_client,  # noqa: F811
    store_down,
    language,
    message,
    caplog,
):
    response = post_announcement(
        superuser_client,
        language,
        title_vi="Tin có ảnh hội nghị",
        body_vi="<p>Bài viết dài của biên tập viên</p>",
        image=image_file(),
        image_alt_vi="Ảnh hội nghị",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="Tin có ảnh hội nghị"' in page
    assert "Bài viết dài của biên tập viên" in page
    assert not Announcement.objects.exists()
    assert "an upload could not be stored" in caplog.text


def test_a_withdrawal_with_the_store_down_still_happens(
    bucket, settings, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement()
        item.image.save("tin.jpg", ContentFile(image_file().read(), name="tin.jpg"))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_settings(f"http://127.0.0.1:{free_port()}", bucket.bucket_name),
    }
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=item, by=factories.staff(superuser=True), reason_vi="Rút")
    # (refresh_from_db() would read the photo's size from the store again.)
    status = type(item).objects.filter(pk=item.pk).values_list("status", flat=True).get()
    assert status != Status.PUBLISHED
    # The task that removes the public copy is retried (and its failure logged).
    assert "could not withdraw" in caplog.text


def test_the_local_folder_stays_the_default(settings):
    from django.core.files.storage import default_storage

    assert isinstance(default_storage, LocalMediaStorage)
    item = factories.announcement()
    item.image.save("tin.jpg", ContentFile(image_file().read(), name="tin.jpg"))
    assert item.image.url == f"/media/public/{item.image.name}"
    assert (settings.MEDIA_ROOT / item.image.name).is_file()


def test_a_store_error_is_an_oserror():
    # What the admin's form catches (core/admin.py) to show the form again.
    assert issubclass(StorageUnavailable, OSError)


def test_pages_may_show_images_from_the_store():
    from tests.conftest import run_python, subprocess_env

    env = subprocess_env(
        MEDIA_STORAGE="s3",
        S3_BUCKET="portal",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        MEDIA_PUBLIC_URL="https://media.example.gov.vn/portal",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert "'http://127.0.0.1:9000'" in result.stdout
    assert "'https://media.example.gov.vn'" in result.stdout


def test_the_repair_command_removes_copies_that_no_published_item_holds(
    bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = factories.meeting()
        photo = MeetingPhoto(meeting=meeting, alt_text="Ảnh")
        photo.image.save("ky-ket.png", ContentFile(image_file(fmt="PNG").read(), name="ky-ket.png"))
    # A copy left by a file replaced before the save removed such copies.
    bucket.put_object(Bucket=bucket.bucket_name, Key="public/events/2025/old.png", Body=b"old")
    output = io.StringIO()
    call_command("sync_public_media", stdout=output)
    assert "public/events/2025/old.png" not in keys(bucket)
    assert f"public/{photo.image.name}" in keys(bucket)
    assert "no published item holds, removed: 1" in output.getvalue()

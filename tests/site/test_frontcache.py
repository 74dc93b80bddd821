"""What is purged from a front cache when an item changes, is published or is
withdrawn (dependencies.affected_paths), and that the purge, a task with
retries, never holds up or fails a save."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from asean_portal.core.publishing import Status, item_unpublish, publish_due
from asean_portal.site import frontcache
from asean_portal.site.dependencies import affected_paths
from events.models import MeetingPhoto
from tests import factories
from tests.conftest import free_port


@pytest.fixture
def purged(settings, monkeypatch):
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "asean_portal.site.frontcache.NginxBackend", "LOCATION": "http://proxy"}
    ]
    calls = []
    monkeypatch.setattr(frontcache, "purge", calls.append)
    return calls


def in_both_languages(item):
    urls = set()
    for code in ("vi", "en"):
        with translation.override(code):
            urls.add(item.get_absolute_url())
    return urls


def test_an_announcement_affects_its_pages_lists_feeds_home_and_sitemap():
    item = factories.announcement()
    paths = set(affected_paths(item))
    assert in_both_languages(item) <= paths
    assert in_both_languages(item.category) <= paths
    assert {"/vi/", "/en/", "/vi/tin-tuc/", "/en/news/", "/en/news/rss/", "/en/news/atom/"} <= paths
    assert {"/sitemap.xml", "/sitemap-news.xml"} <= paths
    assert all(path.startswith("/") and "//" not in path for path in paths)


def test_a_meeting_photo_affects_the_meetings_pages():
    meeting = factories.meeting()
    photo = MeetingPhoto.objects.create(meeting=meeting, alt_text="Ảnh")
    assert in_both_languages(meeting) <= set(affected_paths(photo))


def test_a_save_purges_the_affected_paths_after_the_commit(
    purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement()
        assert purged == []
    assert affected_paths(item) in purged


def test_publication_and_withdrawal_purge_too(purged, django_capture_on_commit_callbacks):
    item = factories.announcement(
        status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=5)
    )
    purged.clear()
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=6)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish_due()
    assert affected_paths(item) in purged
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=item, by=factories.staff(superuser=True), reason_vi="Rút")
    assert affected_paths(item) in purged


def test_nothing_is_purged_without_a_front_cache(settings, monkeypatch):
    settings.FRONTEND_CACHE_BACKENDS = []
    monkeypatch.setattr(frontcache, "purge", lambda paths: pytest.fail("purged"))
    factories.announcement()


def test_an_unreachable_proxy_never_fails_a_save_and_the_purge_is_retried(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.FRONTEND_CACHE_BACKENDS = [
        {
            "BACKEND": "asean_portal.site.frontcache.NginxBackend",
            "LOCATION": f"http://127.0.0.1:{free_port()}",
            "TIMEOUT": 1,
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement(title_vi="Lưu được")
    item.refresh_from_db()
    assert item.title_vi == "Lưu được"
    assert "purge_front_cache" in caplog.text and "Retry" in caplog.text


def test_a_broker_that_is_down_never_fails_a_save(
    settings, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError

    from asean_portal import tasks

    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "asean_portal.site.frontcache.NginxBackend", "LOCATION": "http://proxy"}
    ]

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.purge_front_cache, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement(title_vi="Vẫn lưu được")
    item.refresh_from_db()
    assert item.title_vi == "Vẫn lưu được"
    assert "could not queue asean_portal.tasks.purge_front_cache" in caplog.text

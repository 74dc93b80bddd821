"""What is purged from a front cache when an item changes, is published or is
withdrawn (the pages the page cache rendered that showed what the change
moved: dependencies.remember_page and pages_showing), and that the purge, a
task with retries, never holds up or fails a save."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone, translation

from asean_portal.core.publishing import Status, item_unpublish, publish_due
from asean_portal.site import frontcache
from events.models import MeetingPhoto
from tests import factories
from tests.conftest import free_port


@pytest.fixture
def purged(settings, monkeypatch):
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "asean_portal.site.frontcache.NginxBackend", "LOCATION": "http://proxy"}
    ]
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    calls = []
    monkeypatch.setattr(frontcache, "purge", calls.append)
    return calls


def in_both_languages(item):
    urls = set()
    for code in ("vi", "en"):
        with translation.override(code):
            urls.add(item.get_absolute_url())
    return urls


def visit(client, *paths):
    for path in paths:
        assert client.get(path).status_code == 200, path


def everything(calls):
    return {path for paths in calls for path in paths}


def test_a_save_purges_the_pages_that_showed_the_item_after_the_commit(
    client, purged, django_capture_on_commit_callbacks
):
    item = factories.announcement()
    visit(client, *in_both_languages(item), "/vi/tin-tuc/", "/en/news/rss/")
    with django_capture_on_commit_callbacks(execute=True):
        item.title_vi = "Tiêu đề đã sửa"
        item.save()
        assert purged == []
    assert in_both_languages(item) | {"/vi/tin-tuc/", "/en/news/rss/"} <= everything(purged)


def test_a_meeting_photo_purges_the_meetings_pages(
    client, purged, django_capture_on_commit_callbacks
):
    meeting = factories.meeting()
    photo = MeetingPhoto.objects.create(meeting=meeting, alt_text="Ảnh")
    visit(client, *in_both_languages(meeting))
    with django_capture_on_commit_callbacks(execute=True):
        photo.alt_text = "Ảnh đã sửa"
        photo.save()
    assert in_both_languages(meeting) <= everything(purged)


def test_publication_and_withdrawal_purge_too(client, purged, django_capture_on_commit_callbacks):
    item = factories.announcement(
        status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=1)
    )
    visit(client, "/vi/", "/en/news/", "/sitemap-news.xml")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        with django_capture_on_commit_callbacks(execute=True):
            publish_due()
        assert {"/vi/", "/en/news/", "/sitemap-news.xml"} <= everything(purged)
        visit(client, *in_both_languages(item))
        purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            item_unpublish(item=item, by=factories.staff(superuser=True), reason_vi="Rút")
        assert in_both_languages(item) | {"/vi/", "/en/news/"} <= everything(purged)


def test_nothing_is_purged_without_a_front_cache(settings, monkeypatch):
    settings.FRONTEND_CACHE_BACKENDS = []
    monkeypatch.setattr(frontcache, "purge", lambda paths: pytest.fail("purged"))
    factories.announcement()


def test_an_unreachable_proxy_never_fails_a_save_and_the_purge_is_retried(
    client, settings, django_capture_on_commit_callbacks, caplog
):
    settings.FRONTEND_CACHE_BACKENDS = [
        {
            "BACKEND": "asean_portal.site.frontcache.NginxBackend",
            "LOCATION": f"http://127.0.0.1:{free_port()}",
            "TIMEOUT": 1,
        }
    ]
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    item = factories.announcement(title_vi="Chưa sửa")
    visit(client, item.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        item.title_vi = "Lưu được"
        item.save()
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


def test_the_pages_that_showed_the_changed_object_are_refreshed_first(purged):
    """A publication moves its type's tag too, which every list and related
    block of the type recorded: the pages that showed the object itself come
    before them, so that they are not kept waiting behind the others."""
    from asean_portal import tasks
    from asean_portal.site import dependencies

    dependencies.remember_page({"events.announcement"}, "/vi/a-page-that-reads-the-type/")
    dependencies.remember_page({"events.announcement", "events.announcement:7"}, "/vi/its-page/")
    dependencies.remember_page({"events.meeting"}, "/vi/another-type/")
    tasks.purge_front_cache(["events.announcement", "events.announcement:7"])
    assert purged == [["/vi/its-page/", "/vi/a-page-that-reads-the-type/"]]


def test_every_copy_the_proxy_keeps_of_a_page_is_refreshed(settings, monkeypatch):
    from asean_portal.ops import proxy

    asked = []
    backend = frontcache.NginxBackend(LOCATION="http://proxy", HOSTS=["portal.example"])
    monkeypatch.setattr(backend, "refresh", lambda host, path, cookies=(): asked.append(cookies))
    backend.purge(["/vi/"])
    # The default copy first, then one per preference the proxy's key tells apart.
    assert asked[0] == ()
    assert len(asked) == len(set(asked)) == 6
    template = proxy.TEMPLATE.read_text()
    for cookies in asked:
        for name, value in cookies:
            assert f"map $cookie_{name} " in template
            assert f"        {value} {value};" in template


def test_a_sitemap_section_served_from_its_stored_copy_is_purged_and_rebuilt(
    client, purged, settings, django_capture_on_commit_callbacks
):
    factories.announcement()
    # The section is built and stored by a request the page cache did not see
    # (another node's, or an expired page).
    settings.PAGE_CACHE_SECONDS = 0
    assert client.get("/sitemap-news.xml")["X-Sitemap"] == "built"
    settings.PAGE_CACHE_SECONDS = 300
    response = client.get("/sitemap-news.xml")
    assert (response["X-Sitemap"], response["X-Page-Cache"]) == ("stored", "miss")
    assert client.get("/sitemap-news.xml")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement(slug_vi="tin-moi-trong-so-do")
    assert "/sitemap-news.xml" in everything(purged)
    # The page cache's copy is out of date too.
    response = client.get("/sitemap-news.xml")
    assert response["X-Page-Cache"] == "miss"
    assert item.slug_vi in response.content.decode()


def test_a_rescheduled_revision_purges_the_pages_of_its_item(
    client, purged, django_capture_on_commit_callbacks
):
    from asean_portal.core import signals

    item = factories.announcement()
    visit(client, *in_both_languages(item))
    with django_capture_on_commit_callbacks(execute=True):
        signals.revision_times_changed.send(sender=type(item), pk=item.pk)
    assert in_both_languages(item) <= everything(purged)

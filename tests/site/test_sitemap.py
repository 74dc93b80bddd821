"""Sitemap sections are built once and served from the cache until their
section changes or reaches a scheduled transition."""

import gzip
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from asean_portal.core.publishing import Status, item_unpublish
from asean_portal.site import sitemaps
from asean_portal.site.sitemaps import ContentSitemap
from asean_portal.urls import SITEMAPS
from tests import factories

pytestmark = pytest.mark.django_db

NEWS = "/sitemap-news.xml"
MEETINGS = "/sitemap-meetings.xml"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    # The page cache would answer before the sitemap's own store is asked.
    settings.PAGE_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def fetch(client, path=NEWS, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200
    return response["X-Sitemap"], response.content.decode()


def test_a_section_is_built_once_then_served_as_django_renders_it(client):
    factories.announcement()
    built = client.get(NEWS)
    assert built["X-Sitemap"] == "built"
    stored = client.get(NEWS)
    assert stored["X-Sitemap"] == "stored"
    assert stored.content == built.content
    own = sitemap_views.sitemap(RequestFactory().get(NEWS), sitemaps=SITEMAPS, section="news")
    assert stored.content == own.render().content


def test_a_stored_section_is_served_with_the_host_it_is_asked_at(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "portal.example"]
    item = factories.announcement()
    assert f"http://testserver/vi/tin-tuc/{item.slug_vi}/" in fetch(client)[1]
    state, body = fetch(client, HTTP_HOST="portal.example", secure=True)
    assert state == "stored"
    assert f"https://portal.example/vi/tin-tuc/{item.slug_vi}/" in body
    assert "testserver" not in body
    assert "sitemap.invalid" not in body


def test_an_edit_rebuilds_its_own_section_in_the_background_and_no_other(
    client, django_capture_on_commit_callbacks
):
    item = factories.announcement()
    factories.meeting()
    fetch(client)
    fetch(client, MEETINGS)
    with django_capture_on_commit_callbacks(execute=True):
        item.slug_vi = "dia-chi-moi"
        item.save()
    # Built by the task queued on commit, not by the request.
    state, body = fetch(client)
    assert (state, "/vi/tin-tuc/dia-chi-moi/" in body) == ("stored", True)
    assert fetch(client, MEETINGS)[0] == "stored"


def test_until_the_background_build_the_previous_section_is_served_and_not_kept(client, settings):
    item = factories.announcement()
    fetch(client)
    item.slug_vi = "dia-chi-moi"
    item.save()  # no commit in this test: the build is not queued yet
    response = client.get(NEWS)
    assert response["X-Sitemap"] == "previous"
    assert "dia-chi-moi" not in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    # A build that has not come within the grace is made by the request.
    later = timezone.now() + timedelta(seconds=settings.SITEMAP_BUILD_GRACE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        state, body = fetch(client)
    assert (state, "/vi/tin-tuc/dia-chi-moi/" in body) == ("built", True)


def test_a_new_item_and_a_withdrawal_show_once_committed(
    client, django_capture_on_commit_callbacks
):
    first = factories.announcement()
    fetch(client)
    with django_capture_on_commit_callbacks(execute=True):
        second = factories.announcement()
    state, body = fetch(client)
    assert (state, second.slug_vi in body) == ("stored", True)
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=first, by=factories.staff(superuser=True), reason_en="Test")
    state, body = fetch(client)
    assert (state, first.slug_vi in body) == ("stored", False)


def test_every_page_of_a_section_is_built_in_the_background(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    # Two items a page: each is listed once per language.
    monkeypatch.setattr(ContentSitemap, "limit", 4)
    with django_capture_on_commit_callbacks(execute=True):
        items = [factories.announcement() for _ in range(5)]
    for page, item in zip(("1", "2", "3"), items[::2], strict=True):
        state, body = fetch(client, NEWS, data={"p": page})
        assert (state, item.slug_vi in body) == ("stored", True)


def test_a_page_cached_sitemap_follows_an_edit_of_a_stored_section(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    item = factories.announcement()
    client.get(NEWS)
    # The page cache's copy has expired; the section's stored copy has not.
    with time_machine.travel(timezone.now() + timedelta(seconds=301), tick=False):
        assert client.get(NEWS)["X-Sitemap"] == "stored"
        with django_capture_on_commit_callbacks(execute=True):
            item.slug_vi = "dia-chi-moi"
            item.save()
        assert "/vi/tin-tuc/dia-chi-moi/" in client.get(NEWS).content.decode()


def test_a_section_stored_before_a_publication_time_is_rebuilt_at_it(client):
    due = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    item = factories.announcement(status=Status.SCHEDULED, publish_at=due)
    factories.announcement()
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        fetch(client)
        state, body = fetch(client)
        assert (state, item.slug_vi in body) == ("stored", False)
    # No worker has run: the item is public by live() at its time.
    with time_machine.travel(due, tick=False):
        state, body = fetch(client)
        assert (state, item.slug_vi in body) == ("built", True)


@pytest.mark.parametrize("page", ["0", "2", "x", "1.5", "-1", "1e0", ""])
def test_a_page_that_is_not_there_is_a_404(client, page):
    factories.announcement()
    assert client.get(NEWS, {"p": page}).status_code == 404


def test_spellings_of_one_page_share_one_stored_copy(client):
    factories.announcement()
    assert fetch(client, NEWS + "?p=1")[0] == "built"
    assert fetch(client, NEWS + "?p=01")[0] == "stored"
    assert fetch(client, NEWS)[0] == "stored"
    assert fetch(client, NEWS, data={"p": " \u0661 "})[0] == "stored"  # int() reads any digits


def test_an_unknown_section_is_a_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_page_of_a_section_lists_what_djangos_own_paging_lists(monkeypatch):
    from django.contrib.sitemaps import Sitemap
    from django.core.paginator import Paginator

    from events.models import Announcement

    for _ in range(5):
        factories.announcement()
    sitemap = ContentSitemap(Announcement)
    everything = Sitemap._items(sitemap)
    pairs = sitemap.paginator.object_list
    assert len(pairs) == len(everything) == 10
    for start in range(11):
        for stop in (*range(start, 12), None):
            assert pairs[start:stop] == everything[start:stop], (start, stop)
    for limit in (3, 4, 7):
        monkeypatch.setattr(ContentSitemap, "limit", limit)
        ours, django = sitemap.paginator, Paginator(everything, limit)
        assert ours.num_pages == django.num_pages
        for page in django.page_range:
            assert list(ours.page(page)) == list(django.page(page))


def test_the_small_types_are_counted_in_one_query_and_paged_as_django_pages_them(
    monkeypatch, django_assert_num_queries
):
    from django.contrib.sitemaps import Sitemap
    from django.core.paginator import Paginator

    sitemap = SITEMAPS["more"]
    factories.priority()  # and its chairmanship and chair country
    factories.document()
    factories.document(status=Status.DRAFT)
    everything = Sitemap._items(sitemap)
    assert len(everything) == 2 * len(sitemap.items()) >= 8
    for limit in (3, 4, 7, 2500):
        monkeypatch.setattr(sitemap, "limit", limit)
        ours, django = sitemap.paginator, Paginator(everything, limit)
        with django_assert_num_queries(1):
            assert ours.num_pages == django.num_pages
        for page in django.page_range:
            assert list(sitemap.paginator.page(page)) == list(django.page(page))


def test_every_section_is_written_as_djangos_template_writes_it(client):
    factories.announcement(title_vi='Tin <đặc biệt> & "trích dẫn"')
    factories.meeting()
    factories.priority()
    factories.activity()
    for section in SITEMAPS:
        path = f"/sitemap-{section}.xml"
        ours = client.get(path)
        assert ours.status_code == 200, section
        own = sitemap_views.sitemap(RequestFactory().get(path), sitemaps=SITEMAPS, section=section)
        assert ours.content == own.render().content, section


def test_edits_in_a_row_queue_one_build_a_little_later(
    client, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from asean_portal import tasks

    settings.SITEMAP_BUILD_DELAY_SECONDS = 7
    queued = []
    monkeypatch.setattr(
        tasks.build_sitemap_section, "apply_async", lambda *a, **k: queued.append((a, k))
    )
    items = [factories.announcement() for _ in range(2)]
    for item in items:
        with django_capture_on_commit_callbacks(execute=True):
            item.lead_vi = "Sửa."
            item.save()
    assert queued == [((("news",),), {"countdown": 7})]
    tasks.build_sitemap_section("news")  # the build starts: the next edit queues again
    with django_capture_on_commit_callbacks(execute=True):
        items[0].save()
    assert len(queued) == 2


def test_a_client_that_accepts_gzip_gets_the_same_page_in_gzip(client):
    factories.announcement()
    plain = client.get(NEWS)
    for accepted in ("gzip", "br, gzip;q=0.5", "*", "x-gzip"):
        packed = client.get(NEWS, HTTP_ACCEPT_ENCODING=accepted)
        assert packed["X-Sitemap"] == "stored"
        assert packed["Content-Encoding"] == "gzip", accepted
        assert gzip.decompress(packed.content) == plain.content
        assert packed["ETag"] != plain["ETag"]
    for refused in ("", "identity", "br", "gzip;q=0", "*;q=0", "deflate, gzip;q=0, *", "gzip;q=x"):
        response = client.get(NEWS, HTTP_ACCEPT_ENCODING=refused)
        assert not response.has_header("Content-Encoding"), refused
        assert response.content == plain.content
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]


def test_a_crawler_holding_the_pages_etag_gets_a_304(client):
    factories.announcement()
    for accepted in ("", "gzip"):
        first = client.get(NEWS, HTTP_ACCEPT_ENCODING=accepted)
        again = client.get(NEWS, HTTP_ACCEPT_ENCODING=accepted, HTTP_IF_NONE_MATCH=first["ETag"])
        assert (again.status_code, again.content) == (304, b"")


def test_the_page_cache_keeps_the_gzip_and_the_plain_copy_apart(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    factories.announcement()
    packed = client.get(NEWS, HTTP_ACCEPT_ENCODING="gzip")
    assert (packed["X-Page-Cache"], packed["Content-Encoding"]) == ("miss", "gzip")
    plain = client.get(NEWS)
    assert plain["X-Page-Cache"] == "miss" and not plain.has_header("Content-Encoding")
    assert gzip.decompress(packed.content) == plain.content
    hits = [client.get(NEWS, HTTP_ACCEPT_ENCODING=accepted) for accepted in ("gzip", "")]
    assert [hit["X-Page-Cache"] for hit in hits] == ["hit", "hit"]
    assert [hit.content for hit in hits] == [packed.content, plain.content]


def test_a_stored_page_is_served_from_its_finished_copy_alone(client, monkeypatch):
    factories.announcement()
    built = client.get(NEWS)
    # A request reads the stamps and the finished copy, not the page itself:
    # this process has the copy, another reads it from the cache.
    cache.delete(sitemaps.page_key(sitemaps.page_id("news", SITEMAPS["news"], 1)))
    stored = client.get(NEWS)
    assert (stored["X-Sitemap"], stored.content) == ("stored", built.content)
    monkeypatch.setattr(sitemaps, "recent", sitemaps.RecentCopies(limit=2**20))
    stored = client.get(NEWS)
    assert (stored["X-Sitemap"], stored.content) == ("stored", built.content)
    assert sitemaps.recent.size == len(built.content)


def test_a_page_stored_at_another_page_size_is_not_served(client, monkeypatch):
    # Two items a page, then three: the stamp has not moved, the pages have.
    monkeypatch.setattr(ContentSitemap, "limit", 4)
    items = [factories.announcement() for _ in range(5)]
    assert items[2].slug_vi not in fetch(client)[1]
    monkeypatch.setattr(ContentSitemap, "limit", 6)
    state, body = fetch(client)
    assert (state, items[2].slug_vi in body) == ("built", True)


def test_a_process_keeps_the_copies_it_served_last_up_to_its_limit():
    recent = sitemaps.RecentCopies(limit=10)
    first, second, third = ({"source": (1, None, name), "body": b"12345"} for name in "abc")
    recent.put("first", first)
    recent.put("second", second)
    assert recent.get("first", first["source"]) is first
    recent.put("third", third)  # the least recently served goes
    assert recent.get("second", second["source"]) is None
    assert recent.get("first", first["source"]) is first
    assert recent.get("third", third["source"]) is third
    # A copy of another build than the stored one is never served.
    assert recent.get("first", (1, None, "z")) is None
    assert recent.size == 10


def test_copies_are_kept_only_at_a_host_named_as_the_portal_serves_it(client, settings):
    """Django accepts an allowed host with any port, a final dot or other
    capitals, and the addresses are written as the request names the host:
    copies kept for each spelling would let anyone fill the cache."""
    settings.ALLOWED_HOSTS = ["portal.example"]
    item = factories.announcement()
    name = sitemaps.page_id("news", SITEMAPS["news"], 1)

    def kept(origin):
        return [
            encoding
            for encoding in (sitemaps.IDENTITY, sitemaps.GZIP)
            if cache.get(sitemaps.served_key(name, origin, encoding)) is not None
        ]

    fetch(client, HTTP_HOST="portal.example")
    assert kept("http://portal.example") == [sitemaps.IDENTITY, sitemaps.GZIP]
    for host in ("portal.example:8001", "portal.example:8002", "PORTAL.example", "portal.example."):
        state, body = fetch(client, HTTP_HOST=host)
        assert (state, f"http://{host}/vi/tin-tuc/{item.slug_vi}/" in body) == ("stored", True)
        assert kept(f"http://{host}") == []
    state, body = fetch(client, HTTP_HOST="portal.example")
    assert (state, f"http://portal.example/vi/tin-tuc/{item.slug_vi}/" in body) == ("stored", True)

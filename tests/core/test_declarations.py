"""A content type declared in its own app (tests/testapp, which exists only in
the tests) is searched, in the sitemap, never public before it is live and
never served stale from the page cache, and seeded, with no change to the core
or the site: the site and the page cache read what the type declares."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from asean_portal.core.declarations import public_models, searchable_models, sitemap_models
from asean_portal.core.publishing import Status, item_unpublish, publishable_models
from asean_portal.core.seeding import SeedLoader
from asean_portal.ops.seeding import read_seed
from asean_portal.site import pagecache
from asean_portal.site.search import kinds
from tests import factories
from tests.testapp.models import Notice

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SEARCH = "/vi/tim-kiem/?q=zznotice"


def notice(title="Thông báo zznotice", **fields):
    now = timezone.now()
    values = {"status": Status.PUBLISHED, "publish_at": now - timedelta(hours=1), **fields}
    return Notice.objects.create(title_vi=title, body_vi="Nội dung", **values)


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_the_core_finds_the_type_through_its_declarations():
    assert Notice in publishable_models()
    assert Notice in public_models()
    assert Notice in searchable_models()
    assert Notice in sitemap_models()
    assert kinds()["notice"] == "Notice"


def test_a_live_notice_is_searchable_and_a_hidden_one_is_not(client):
    live = notice()
    notice("Thông báo zznotice nháp", status=Status.DRAFT, publish_at=None)
    notice(
        "Thông báo zznotice sắp tới",
        status=Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )
    page = client.get(SEARCH + "&type=notice").content.decode()
    assert live.get_absolute_url() in page
    assert "nháp" not in page
    assert "sắp tới" not in page


def test_the_sitemap_has_a_section_for_the_type_with_only_live_notices(client):
    live = notice()
    draft = notice("Nháp", status=Status.DRAFT, publish_at=None)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iterfind("s:sitemap/s:loc", SITEMAP)]
    section = next(url for url in sections if "sitemap-notices.xml" in url)
    addresses = client.get(section).content.decode()
    assert live.get_absolute_url() in addresses
    assert draft.slug_vi not in addresses


def test_hidden_notices_are_not_public_and_a_withdrawn_one_is_gone(client):
    draft = notice("Nháp", status=Status.DRAFT, publish_at=None)
    later = notice(
        "Sắp tới", status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=1)
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(later.get_absolute_url()).status_code == 404
    withdrawn = notice("Đã gỡ")
    item_unpublish(item=withdrawn, by=factories.staff(superuser=True), reason_vi="Lý do")
    response = client.get(withdrawn.get_absolute_url())
    assert response.status_code == 410
    assert "Lý do" in response.content.decode()


def test_an_edit_is_visible_at_once_through_the_page_cache(client, page_cache):
    item = notice()
    assert client.get(SEARCH)["X-Page-Cache"] == "miss"
    assert client.get(SEARCH)["X-Page-Cache"] == "hit"
    item.title_vi = "Thông báo zznotice đã sửa"
    item.save()
    response = client.get(SEARCH)
    assert response["X-Page-Cache"] == "miss"
    assert "đã sửa" in response.content.decode()


def test_a_cached_page_is_not_served_past_the_notice_s_publication(client, page_cache):
    due = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    # Scheduled with its English: an item without it would be held.
    item = notice(
        "Thông báo zznotice sắp tới",
        title_en="Upcoming notice",
        body_en="Body",
        status=Status.SCHEDULED,
        publish_at=due,
    )
    with time_machine.travel(due - timedelta(seconds=60), tick=False):
        client.get(item.get_absolute_url())  # a 404 is not cached
        assert client.get(SEARCH)["X-Page-Cache"] == "miss"
        assert client.get(SEARCH)["X-Page-Cache"] == "hit"
    with time_machine.travel(due, tick=False):
        response = client.get(SEARCH)
        assert response["X-Page-Cache"] == "miss"
        assert item.get_absolute_url() in response.content.decode()


def test_a_declared_window_bounds_the_cache_life(page_cache):
    now = timezone.now()
    ends = now + timedelta(minutes=5)
    notice(highlighted_until=ends)
    assert pagecache.next_transition(now) == ends.timestamp()


def test_the_type_s_seeder_runs_with_the_others():
    data = read_seed()
    data["notices"] = [
        {
            "slug_vi": "thong-bao-gieo",
            "title": {"vi": "Thông báo gieo", "en": "Seeded notice"},
            "body": {"vi": "Nội dung", "en": "Body"},
            "publish_at": "2022-08-03T06:26:00+07:00",
        }
    ]
    stats = SeedLoader().load(data)
    assert stats["notice created"] == 1
    assert Notice.objects.live().get(slug_vi="thong-bao-gieo").title_en == "Seeded notice"
    assert SeedLoader().load(data)["notice unchanged"] == 1

"""Sitemap sections are built once and served from the cache until their
section changes or reaches a scheduled transition."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from asean_portal.core.publishing import Status, item_unpublish
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


def test_an_edit_rebuilds_its_own_section_and_no_other(client):
    item = factories.announcement()
    factories.meeting()
    fetch(client)
    fetch(client, MEETINGS)
    item.slug_vi = "dia-chi-moi"
    item.save()
    state, body = fetch(client)
    assert (state, "/vi/tin-tuc/dia-chi-moi/" in body) == ("built", True)
    assert fetch(client, MEETINGS)[0] == "stored"


def test_a_new_item_and_a_withdrawal_show_at_once(client, django_capture_on_commit_callbacks):
    first = factories.announcement()
    fetch(client)
    second = factories.announcement()
    state, body = fetch(client)
    assert (state, second.slug_vi in body) == ("built", True)
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=first, by=factories.staff(superuser=True), reason_en="Test")
    state, body = fetch(client)
    assert (state, first.slug_vi in body) == ("built", False)


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

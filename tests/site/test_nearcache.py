"""Each web process's own copies of the pages it serves (site/nearcache.py),
on a real Redis: a hit needs no round trip to Redis, and a copy is never
served once the process knows of a change, or while it has lost Redis."""

import json
import time

import pytest
from django.core.cache import cache

from asean_portal.site import nearcache, pagecache
from events.models import Announcement
from tests import factories
from tests.conftest import (
    redis_cache,
    redis_server,
    run_python,
    subprocess_env,
    wait_for,
)


def shared_cache(url):
    config = redis_cache(url)
    config["default"]["KEY_PREFIX"] = "portal-near-test"
    return config


@pytest.fixture
def on_redis(settings, redis_url):
    settings.CACHES = shared_cache(redis_url)
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield redis_url
    cache.clear()


class CountingCache:
    """The page cache's view of Redis, counting its round trips."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.calls = 0

    def __getattr__(self, name):
        self.calls += 1
        return getattr(self.wrapped, name)


def listening():
    current = nearcache.listener()
    assert wait_for(current.serving, timeout=5), "the near cache never heard from Redis"
    return current


def page(client, item):
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_hit_is_served_from_the_process_without_a_round_trip(client, on_redis, monkeypatch):
    item = factories.announcement()
    listening()
    assert client.get(item.get_absolute_url())["X-Page-Cache"] == "miss"
    counting = CountingCache(pagecache.cache)
    monkeypatch.setattr(pagecache, "cache", counting)
    for _ in range(3):
        response = client.get(item.get_absolute_url())
        assert response["X-Page-Cache"] == "hit"
        assert item.title_vi in response.content.decode()
    assert counting.calls == 0
    # The proxy's refresh, which follows a change, asks the shared cache.
    refreshed = client.get(item.get_absolute_url(), headers={"X-Portal-Refresh": "1"})
    assert refreshed["X-Page-Cache"] == "hit"
    assert counting.calls > 0
    # Each hit has a response of its own: the reader's headers do not pile up.
    assert response.cookies == client.get(item.get_absolute_url()).cookies


def test_a_change_in_this_process_is_seen_at_once(
    client, on_redis, django_capture_on_commit_callbacks
):
    item = factories.announcement()
    listening()
    page(client, item)
    assert "Tin số" in page(client, item)
    with django_capture_on_commit_callbacks(execute=True):
        item.title_vi = "Tiêu đề đã sửa"
        item.save()
    assert "Tiêu đề đã sửa" in page(client, item)


def test_a_change_in_another_process_is_seen_once_announced(client, on_redis):
    """Another node saves: it moves the versions of what it changed, and the
    count of changes, in Redis; this process learns it from the announcement."""
    item = factories.announcement()
    current = listening()
    page(client, item)
    page(client, item)
    (key,) = current.copies
    shown = sorted(cache.get(key)["dependencies"])
    # The other node's commit, which this process's database already shows.
    Announcement.objects.filter(pk=item.pk).update(title_vi="Tiêu đề từ nút khác")
    assert "Tiêu đề từ nút khác" not in page(client, item)
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        f"settings.CACHES = json.loads({json.dumps(json.dumps(shared_cache(on_redis)))})\n"
        "from asean_portal.site import dependencies\n"
        f"dependencies._move(set(json.loads({json.dumps(json.dumps(shown))})))\n"
    )
    result = run_python(code, subprocess_env(DJANGO_SETTINGS_MODULE="asean_portal.settings"))
    assert result.returncode == 0, result.stderr
    moved = time.monotonic()
    assert wait_for(lambda: "Tiêu đề từ nút khác" in page(client, item), timeout=2, interval=0.01)
    assert time.monotonic() - moved < 0.5


def test_a_process_that_loses_redis_serves_no_copy(client, settings, redis_server_binary):
    settings.PAGE_CACHE_SECONDS = 300
    with redis_server(redis_server_binary) as (url, stop, start):
        settings.CACHES = shared_cache(url)
        item = factories.announcement()
        listening()
        page(client, item)
        assert client.get(item.get_absolute_url())["X-Page-Cache"] == "hit"
        stop()
        # Changed while Redis is away: no node can announce it.
        Announcement.objects.filter(pk=item.pk).update(title_vi="Sửa khi Redis vắng")
        assert wait_for(lambda: "Sửa khi Redis vắng" in page(client, item), timeout=3)
        start()
        page(client, item)  # the new Redis is given a count of changes
        current = listening()
        page(client, item)
        assert client.get(item.get_absolute_url())["X-Page-Cache"] == "hit"
        assert current.copies


def test_the_copies_stay_within_their_budget(client, on_redis, settings):
    items = [factories.announcement() for _ in range(4)]
    current = listening()
    size = len(page(client, items[0]).encode())
    settings.PAGE_CACHE_NEAR_BYTES = int(size * 2.5)
    for item in items:
        page(client, item)
        assert current.size <= settings.PAGE_CACHE_NEAR_BYTES
    assert 1 <= len(current.copies) <= 2


def test_without_redis_there_is_no_near_cache(settings):
    assert settings.CACHES["default"]["BACKEND"] != nearcache.REDIS_BACKEND
    assert nearcache.listener() is None
    settings.CACHES = shared_cache("redis://127.0.0.1:6379/0")
    settings.PAGE_CACHE_NEAR_BYTES = 0
    assert nearcache.listener() is None

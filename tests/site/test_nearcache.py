"""Each web process's own copies of the pages it serves (site/nearcache.py),
on a real Redis: a hit needs no round trip to Redis, and a copy is never
served once the process knows of a change, or while it has lost Redis."""

import json
import time

import pytest
import redis
from django.core.cache import cache
from django.test import Client

from asean_portal.site import dependencies, nearcache, pagecache
from events.models import Announcement
from tests import factories
from tests.conftest import (
    redis_cache,
    redis_server,
    run_python,
    subprocess_env,
    wait_for,
)

CHANGED = "Tiêu đề từ nút khác"


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
    assert wait_for(current.serving, timeout=10), "the near cache never heard from Redis"
    return current


def page(client, item):
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def kept_copy(client, item):
    """Serve the item's page until this process keeps and serves a copy; its key."""
    current = listening()
    page(client, item)
    page(client, item)
    (key,) = current.copies
    assert current.get(key, time.time()) is not None
    return key


def shown_on(key):
    """The tags of what the page cached at ``key`` shows."""
    return sorted(cache.get(key)["dependencies"])


def change_in_another_process(url, item, title, shown):
    """Another node's save: the row, then the versions of what the page shows
    and the count of changes, moved and announced by that node."""
    Announcement.objects.filter(pk=item.pk).update(title_vi=title)
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        f"settings.CACHES = json.loads({json.dumps(json.dumps(shared_cache(url)))})\n"
        "from asean_portal.site import dependencies\n"
        f"dependencies._move(set(json.loads({json.dumps(json.dumps(shown))})))\n"
    )
    result = run_python(code, subprocess_env(DJANGO_SETTINGS_MODULE="asean_portal.settings"))
    assert result.returncode == 0, result.stderr


def test_a_hit_is_served_from_the_process_without_a_round_trip(
    client, on_redis, monkeypatch, settings
):
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
    # Each hit has a response of its own: a newcomer's language cookie is not
    # sent to the next reader.
    newcomer = Client().get(item.get_absolute_url())
    assert newcomer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    again = client.get(item.get_absolute_url())
    assert again is not newcomer and not again.cookies
    assert counting.calls == 0
    # The proxy's refresh, which follows a change, asks the shared cache.
    refreshed = client.get(item.get_absolute_url(), headers={"X-Portal-Refresh": "1"})
    assert refreshed["X-Page-Cache"] == "hit"
    assert counting.calls > 0


def test_a_change_in_this_process_is_seen_at_once(
    client, on_redis, django_capture_on_commit_callbacks
):
    item = factories.announcement()
    key = kept_copy(client, item)
    current = nearcache.listener()
    # Until its own change is announced back, the process serves no copy.
    hear = current.hear
    current.hear = lambda data: None
    dependencies._move(set(shown_on(key)))
    assert current.get(key, time.time()) is None
    current.hear = hear
    assert wait_for(current.serving, timeout=3)
    key = kept_copy(client, item)
    with django_capture_on_commit_callbacks(execute=True):
        item.title_vi = "Tiêu đề đã sửa"
        item.save()
    assert "Tiêu đề đã sửa" in page(client, item)


def test_a_change_in_another_process_is_seen_once_announced(client, on_redis, monkeypatch):
    """The announcement alone tells the process: no heartbeat comes meanwhile."""
    monkeypatch.setattr(nearcache, "HEARTBEAT_SECONDS", 30)
    item = factories.announcement()
    key = kept_copy(client, item)
    change_in_another_process(on_redis, item, CHANGED, shown_on(key))
    moved = time.monotonic()
    assert wait_for(lambda: CHANGED in page(client, item), timeout=2, interval=0.01)
    assert time.monotonic() - moved < 0.5


def test_a_count_that_redis_lost_and_made_anew_is_followed(client, on_redis):
    """After a flush the count starts again from the clock, lower than a count
    that busy days of changes took ahead of it: a change is still seen."""
    item = factories.announcement()
    current = listening()
    ahead = time.time_ns() + 10**15
    cache.set(dependencies.CHANGES_KEY, ahead, None)
    assert wait_for(lambda: current.latest == ahead, timeout=3)
    shown = shown_on(kept_copy(client, item))
    cache.clear()
    dependencies.changes()  # a request made the count anew
    change_in_another_process(on_redis, item, CHANGED, shown)
    assert wait_for(lambda: CHANGED in page(client, item), timeout=3, interval=0.01)


def test_no_copy_is_served_while_the_process_is_not_subscribed(client, on_redis, monkeypatch):
    item = factories.announcement()
    kept_copy(client, item)
    current = nearcache.listener()
    redis.Redis.from_url(on_redis).client_kill_filter(_type="pubsub")
    assert wait_for(lambda: not current.serving(), timeout=2, interval=0.01)
    # A change this process makes meanwhile does not stand for hearing Redis.
    dependencies._move({dependencies.type_tag(Announcement)})
    counting = CountingCache(pagecache.cache)
    monkeypatch.setattr(pagecache, "cache", counting)
    for _ in range(2):
        calls = counting.calls
        page(client, item)
        assert counting.calls > calls
    monkeypatch.undo()
    kept_copy(client, item)


def test_a_process_that_hears_nothing_subscribes_again(client, on_redis):
    """A subscription that is open but deaf (a connection cut without a word)."""
    item = factories.announcement()
    kept_copy(client, item)
    current = nearcache.listener()
    epoch, hear = current.epoch, current.hear
    current.hear = lambda data: None
    assert wait_for(lambda: not current.serving(), timeout=3, interval=0.01)
    assert wait_for(lambda: current.epoch > epoch, timeout=3)
    assert not current.copies
    current.hear = hear
    kept_copy(client, item)


def test_a_change_that_redis_refuses_drops_this_processs_copies(client, on_redis, monkeypatch):
    item = factories.announcement()
    key = kept_copy(client, item)
    current = nearcache.listener()
    monkeypatch.setattr(nearcache, "MOVE", "return redis.error_reply('ERR refused')")
    dependencies._move(set(shown_on(key)))  # logged, as django-redis logs it
    assert current.get(key, time.time()) is None
    assert not current.copies


def test_a_copy_read_before_the_copies_were_dropped_is_not_kept(client, on_redis):
    item = factories.announcement()
    key = kept_copy(client, item)
    current = nearcache.listener()
    entry = cache.get(key)
    lookup = nearcache.lookup(key, time.time())
    current.forget()
    lookup.keep(entry, cache.get(dependencies.CHANGES_KEY))
    assert not current.copies
    nearcache.lookup(key, time.time()).keep(entry, cache.get(dependencies.CHANGES_KEY))
    assert key in current.copies


def test_a_process_that_loses_redis_serves_no_copy(client, settings, redis_server_binary):
    settings.PAGE_CACHE_SECONDS = 300
    with redis_server(redis_server_binary) as (url, stop, start):
        settings.CACHES = shared_cache(url)
        item = factories.announcement()
        kept_copy(client, item)
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


def test_the_copies_stay_within_their_budget_the_oldest_going_first(client, on_redis, settings):
    items = [factories.announcement() for _ in range(6)]
    current = listening()
    page(client, items[0])
    (first,) = current.copies.values()
    settings.PAGE_CACHE_NEAR_BYTES = int(first.size * 4.5)
    current.copies.clear()
    current.size = 0
    keys = []
    for item in items:
        page(client, item)
        keys.append(next(reversed(current.copies)))
        assert current.size == sum(copy.size for copy in current.copies.values())
        assert current.size <= settings.PAGE_CACHE_NEAR_BYTES
    assert list(current.copies) == keys[-4:]
    # A page larger than a quarter of the budget is not kept.
    settings.PAGE_CACHE_NEAR_BYTES = int(first.size * 3)
    current.copies.clear()
    current.size = 0
    page(client, items[0])
    assert not current.copies


def test_without_redis_there_is_no_near_cache(settings):
    assert settings.CACHES["default"]["BACKEND"] != nearcache.REDIS_BACKEND
    assert nearcache.listener() is None
    settings.CACHES = shared_cache("redis://127.0.0.1:6379/0")
    settings.PAGE_CACHE_NEAR_BYTES = 0
    assert nearcache.listener() is None

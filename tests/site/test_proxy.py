"""The caching proxy (Debian's nginx, configured from deploy/nginx/) in front of
two gunicorn nodes that share the test database and a Redis: what it caches
and never caches, the refresh that purges a page (only from its own host),
and a node that dies under it."""

import contextlib
import gzip
import http.client
import shutil
import signal
import time
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import transaction
from django.utils import timezone

from asean_portal.core.publishing import Status, item_unpublish
from asean_portal.ops import proxy
from bench.pages import Server
from tests import factories
from tests.conftest import free_port, redis_cache, redis_server, subprocess_env, unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class Stack:
    def __init__(self, port, nodes):
        self.port = port
        self.nodes = nodes

    def get(self, path, headers=None, source="127.0.0.1"):
        status, body, headers = self.get_bytes(path, headers, source)
        return status, body.decode(errors="replace"), headers

    def get_bytes(self, path, headers=None, source="127.0.0.1"):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=15, source_address=(source, 0)
        )
        try:
            connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read(), response.headers
        finally:
            connection.close()


@pytest.fixture
def stack(test_database_url, redis_server_binary, collected_static, tmp_path, settings):
    if not shutil.which(proxy.NGINX):
        unavailable("nginx is not installed (apt-get install nginx)")
    with contextlib.ExitStack() as stack, redis_server(redis_server_binary) as (redis_url, *_):
        # The nodes' cache, as settings.py configures it: a save here starts a
        # new page generation that they see.
        settings.CACHES = {"default": {**redis_cache(redis_url)["default"], "KEY_PREFIX": "portal"}}
        port = free_port()
        env = subprocess_env(
            DATABASE_URL=test_database_url,
            REDIS_URL=redis_url,
            STATIC_ROOT=str(collected_static),
            BEHIND_PROXY="1",
            # The nodes remember which pages show what, for the purge.
            PROXY_PURGE_URL=f"http://127.0.0.1:{port}",
            PROXY_PURGE_HOSTS="127.0.0.1",
        )
        nodes = []
        for _ in range(2):
            server = Server("asean_portal.wsgi", free_port(), env)
            stack.callback(lambda s=server: s.process.poll() is None and s.stop())
            nodes.append(server)
        config = proxy.write(
            tmp_path / "nginx",
            listen=f"127.0.0.1:{port}",
            upstreams=[f"127.0.0.1:{node.port}" for node in nodes],
            static_root=collected_static,
        )
        nginx = proxy.start(config)
        stack.callback(nginx.wait, 10)
        stack.callback(nginx.terminate)
        running = Stack(port, nodes)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if running.get("/healthz")[0] == 200:
                    break
            time.sleep(0.1)
        settings.FRONTEND_CACHE_BACKENDS = [
            {
                "BACKEND": "asean_portal.site.frontcache.NginxBackend",
                "LOCATION": f"http://127.0.0.1:{port}",
                "HOSTS": ["127.0.0.1"],
            }
        ]
        yield running


VI = {"Cookie": "portal_language=vi"}
EN = {"Cookie": "portal_language=en"}


def test_anonymous_pages_are_cached_per_language_as_cache_control_allows(stack):
    factories.announcement(title_vi="Tin đã đăng", title_en="Published news")
    for path, cookie, title in [
        ("/vi/tin-tuc/", VI, "Tin đã đăng"),
        ("/en/news/", EN, "Published news"),
    ]:
        # The save's purge has already put the page in the proxy's cache.
        first = stack.get(path, cookie)
        assert first[0] == 200 and title in first[1]
        assert "public" in first[2]["Cache-Control"]
        second = stack.get(path, cookie)
        assert second[2]["X-Cache"] == "HIT" and title in second[1]


def test_a_sitemap_section_is_kept_once_in_gzip_and_sent_as_each_client_accepts(stack):
    item = factories.announcement()
    status, plain, headers = stack.get_bytes("/sitemap-news.xml")
    assert status == 200 and "Content-Encoding" not in headers
    assert f"http://127.0.0.1/vi/tin-tuc/{item.slug_vi}/".encode() in plain
    ElementTree.fromstring(plain)
    # The copy the proxy keeps is the node's gzip one, whoever asked first.
    status, packed, headers = stack.get_bytes("/sitemap-news.xml", {"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"], headers["X-Cache"]) == (200, "gzip", "HIT")
    assert gzip.decompress(packed) == plain
    status, again, headers = stack.get_bytes("/sitemap-news.xml", {"Accept-Encoding": "br"})
    assert (status, headers["X-Cache"], again) == (200, "HIT", plain)
    assert "Content-Encoding" not in headers


def test_a_host_asked_with_another_port_does_not_put_its_addresses_in_everyones_copy(stack):
    # Django accepts an allowed host with any port, and the portal writes the
    # host as the request names it (a sitemap's addresses, a canonical link).
    item = factories.announcement()
    status, body, headers = stack.get("/sitemap-news.xml", {"Host": "127.0.0.1:6666"})
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert f"http://127.0.0.1:6666/vi/tin-tuc/{item.slug_vi}/" in body
    status, body, headers = stack.get("/sitemap-news.xml")
    assert status == 200
    assert f"http://127.0.0.1/vi/tin-tuc/{item.slug_vi}/" in body
    assert "6666" not in body


def test_a_response_that_sets_a_cookie_and_a_signed_in_reader_are_never_cached(stack):
    # Without the language cookie the page sets it: not stored.
    assert stack.get("/vi/")[2]["X-Cache"] == "MISS"
    assert stack.get("/vi/")[2]["X-Cache"] == "MISS"
    stack.get("/vi/", VI)
    assert stack.get("/vi/", VI)[2]["X-Cache"] == "HIT"
    # A session or a form's cookie goes past the cache, both ways.
    for cookie in ("sessionid=abc", "csrftoken=abc"):
        status, _body, headers = stack.get("/vi/", {"Cookie": f"portal_language=vi; {cookie}"})
        assert headers["X-Cache"] == "BYPASS"


def test_the_max_age_never_passes_the_next_transition(stack):
    factories.announcement(
        status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(seconds=20)
    )
    _status, _body, headers = stack.get("/vi/tin-tuc/", VI)
    max_age = int(headers["Cache-Control"].partition("max-age=")[2].split(",")[0])
    assert max_age <= 20


def test_an_edit_is_seen_through_the_proxy_within_a_second_in_both_languages(
    stack, django_capture_on_commit_callbacks
):
    item = factories.announcement(title_vi="Tiêu đề cũ", title_en="Old title")
    vi, en = item.get_absolute_url(), None
    from django.utils import translation

    with translation.override("en"):
        en = item.get_absolute_url()
    for path, cookie in ((vi, VI), (en, EN)):
        stack.get(path, cookie)
        assert stack.get(path, cookie)[2]["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        item.title_vi, item.title_en = "Tiêu đề mới", "New title"
        item.save()
    edited = time.monotonic()
    assert "Tiêu đề mới" in stack.get(vi, VI)[1]
    assert "New title" in stack.get(en, EN)[1]
    assert "New title" in stack.get("/en/news/", EN)[1]
    assert time.monotonic() - edited < 1


def both_addresses(item):
    from django.utils import translation

    addresses = []
    for code, cookie in (("vi", VI), ("en", EN)):
        with translation.override(code):
            addresses.append((item.get_absolute_url(), cookie))
    return addresses


def cached(stack, addresses):
    for path, cookie in addresses:
        assert stack.get(path, cookie)[0] == 200
        assert stack.get(path, cookie)[2]["X-Cache"] == "HIT", path


def test_a_withdrawn_item_is_gone_from_the_proxy_within_a_second(
    stack, django_capture_on_commit_callbacks
):
    item = factories.announcement(title_vi="Tin sẽ rút", title_en="News to withdraw")
    addresses = both_addresses(item)
    cached(stack, addresses)
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=item, by=factories.staff(superuser=True), reason_vi="Rút lại")
    withdrawn = time.monotonic()
    for path, cookie in addresses:
        status, body, _headers = stack.get(path, cookie)
        assert status == 410, path
        assert "Tin sẽ rút" not in body or "Rút lại" in body
    assert time.monotonic() - withdrawn < 1


def test_a_deleted_item_is_gone_from_the_proxy_within_a_second(
    stack, django_capture_on_commit_callbacks
):
    item = factories.announcement()
    addresses = both_addresses(item)
    cached(stack, addresses)
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    for path, cookie in addresses:
        assert stack.get(path, cookie)[0] == 404, path


def test_a_renamed_items_old_address_moves_through_the_proxy_within_a_second(
    stack, django_capture_on_commit_callbacks
):
    item = factories.announcement(slug_vi="ten-cu", slug_en="old-name")
    addresses = both_addresses(item)
    cached(stack, addresses)
    # As the admin saves: the old addresses are remembered before the commit.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        item.slug_vi, item.slug_en = "ten-moi", "new-name"
        item.save()
    for (old, cookie), new in zip(addresses, both_addresses(item), strict=True):
        status, _body, headers = stack.get(old, cookie)
        assert (status, headers["Location"].endswith(new[0])) == (301, True), old


def test_an_edit_is_seen_at_once_by_readers_with_a_reading_preference(
    stack, django_capture_on_commit_callbacks
):
    item = factories.announcement(title_vi="Tiêu đề cũ", title_en="Old title")
    (vi, _), (en, _) = both_addresses(item)
    readers = [
        (vi, {"Cookie": "portal_language=vi; portal_contrast=high"}),
        (en, {"Cookie": "portal_language=en; portal_font=large"}),
        (en, {"Cookie": "portal_language=en; portal_contrast=high; portal_font=small"}),
    ]
    cached(stack, readers)
    with django_capture_on_commit_callbacks(execute=True):
        item.title_vi, item.title_en = "Tiêu đề mới", "New title"
        item.save()
    assert "Tiêu đề mới" in stack.get(*readers[0])[1]
    assert "New title" in stack.get(*readers[1])[1]
    assert "New title" in stack.get(*readers[2])[1]


def test_a_refresh_is_refused_from_outside_the_proxys_host(stack):
    stack.get("/vi/", VI)
    refresh = {**VI, "X-Portal-Refresh": "1"}
    assert stack.get("/vi/", refresh)[2]["X-Cache"] == "BYPASS"
    # The same request from another address than the proxy's own.
    status, _body, _headers = stack.get("/vi/", refresh, source="127.0.0.2")
    assert status == 403
    assert stack.get("/vi/", VI, source="127.0.0.2")[2]["X-Cache"] == "HIT"


def test_static_files_are_served_by_the_proxy_with_far_future_caching(stack, collected_static):
    hashed = next(collected_static.glob("css/*.*.css"))
    status, body, headers = stack.get(f"/static/css/{hashed.name}")
    assert status == 200 and body == hashed.read_text()
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_a_node_killed_under_the_proxy_costs_no_request(stack):
    factories.announcement()
    stack.nodes[0].process.send_signal(signal.SIGKILL)
    stack.nodes[0].process.wait()
    for n in range(30):
        # Each address is new to the cache: every request reaches a node.
        status, _body, _headers = stack.get(f"/vi/tin-tuc/?trang={n}", VI)
        assert status == 200, (n, status)

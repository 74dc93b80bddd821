"""The anonymous page cache never outlives a transition, with or without a worker."""

import contextlib
import socket
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from asean_portal.core.publishing import Status
from tests import factories
from tests.conftest import free_port

NEWS = "/vi/tin-tuc/"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def fetch(client, path=NEWS):
    response = client.get(path)
    assert response.status_code == 200
    return response["X-Page-Cache"], response.content.decode()


def test_the_cache_of_one_process_keeps_the_pages_of_an_archive(client):
    """Each page keeps a version per thing it shows: the embedded default's
    cache must hold them for more than a few pages."""
    start = timezone.now() - timedelta(days=400)
    items = [factories.announcement(publish_at=start + timedelta(days=day)) for day in range(60)]
    paths = [item.get_absolute_url() for item in items]
    for path in paths:
        assert fetch(client, path)[0] == "miss"
    assert [fetch(client, path)[0] for path in paths] == ["hit"] * len(paths)


def test_a_page_cached_before_a_publication_is_not_served_at_its_time(client):
    due = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    item = factories.announcement(status=Status.SCHEDULED, publish_at=due)
    with time_machine.travel(due - timedelta(seconds=100), tick=False):
        assert fetch(client)[0] == "miss"
        state, page = fetch(client)
        assert state == "hit"
        assert item.title_vi not in page
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        state, page = fetch(client)
        assert state == "hit"
        assert item.title_vi not in page
    # No worker has run: the item is still "scheduled", and public by live().
    with time_machine.travel(due, tick=False):
        state, page = fetch(client)
        assert state == "miss"
        assert item.title_vi in page
        item.refresh_from_db()
        assert item.status == Status.SCHEDULED


def test_a_page_cached_before_a_withdrawal_is_not_served_at_its_time(client):
    now = timezone.now().replace(microsecond=0)
    ends = now + timedelta(minutes=30)
    item = factories.announcement(publish_at=now - timedelta(days=1), unpublish_at=ends)
    with time_machine.travel(ends - timedelta(seconds=2), tick=False):
        fetch(client)
        state, page = fetch(client)
        assert (state, item.title_vi in page) == ("hit", True)
    with time_machine.travel(ends, tick=False):
        state, page = fetch(client)
        assert (state, item.title_vi in page) == ("miss", False)


def test_an_entry_lasts_at_most_page_cache_seconds_when_nothing_is_due(client, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fetch(client)
        assert fetch(client)[0] == "hit"
    with time_machine.travel(
        start + timedelta(seconds=settings.PAGE_CACHE_SECONDS + 1), tick=False
    ):
        assert fetch(client)[0] == "miss"


def test_an_edit_shows_at_once_on_the_list_that_shows_it(client):
    item = factories.announcement()
    fetch(client)
    assert fetch(client)[0] == "hit"
    item.title_vi = "Tiêu đề đã sửa"
    item.save()
    state, page = fetch(client)
    assert state == "miss"
    assert "Tiêu đề đã sửa" in page


def test_a_hit_reads_the_versions_of_what_it_shows_only_after_a_change(client, monkeypatch):
    from asean_portal.site import dependencies, pagecache

    checks = []
    current = dependencies.current
    monkeypatch.setattr(
        dependencies, "current", lambda recorded: checks.append(1) or current(recorded)
    )
    monkeypatch.setattr(pagecache, "_checked", {}, raising=False)
    item = factories.announcement()
    assert fetch(client)[0] == "miss"
    assert [fetch(client)[0] for _ in range(3)] == ["hit"] * 3
    assert checks == []  # nothing changed since the page was stored
    factories.meeting(title_vi="Hội nghị không ở trên trang tin")
    assert [fetch(client)[0] for _ in range(3)] == ["hit"] * 3
    assert len(checks) == 1  # checked once at the new count of changes, then remembered
    item.title_vi = "Tiêu đề đã sửa"
    item.save()
    state, page = fetch(client)
    assert (state, "Tiêu đề đã sửa" in page) == ("miss", True)
    assert fetch(client)[0] == "hit"


def test_scheduling_and_unpublishing_through_the_core_show_at_once(
    client, django_capture_on_commit_callbacks
):
    from asean_portal.core.publishing import item_schedule, item_unpublish

    chief = factories.staff(role="Chief editor")
    item = factories.announcement()
    fetch(client)
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=item, by=chief)
    state, page = fetch(client)
    assert (state, item.title_vi in page) == ("miss", False)
    with django_capture_on_commit_callbacks(execute=True):
        item_schedule(item=item, at=timezone.now() + timedelta(hours=1), by=chief)
    assert fetch(client)[0] == "miss"


def test_languages_and_reading_preferences_have_their_own_entries(client):
    fetch(client, "/vi/")
    assert fetch(client, "/en/")[0] == "miss"
    assert fetch(client, "/en/")[0] == "hit"
    client.cookies["portal_font"] = "large"
    assert fetch(client, "/en/")[0] == "miss"


def test_made_up_reading_preferences_share_the_default_entry(client):
    assert fetch(client, "/en/")[0] == "miss"
    for font, contrast in (("huge", "x"), ("normal", "normal"), ("zz1", ""), ("", "zz2")):
        client.cookies["portal_font"] = font
        client.cookies["portal_contrast"] = contrast
        assert fetch(client, "/en/")[0] == "hit"


def test_signed_in_staff_are_never_served_from_the_cache(client):
    draft = factories.announcement(status=Status.DRAFT, publish_at=None)
    fetch(client)
    client.force_login(factories.staff(role="Editor"))
    response = client.get(NEWS)
    assert not response.has_header("X-Page-Cache")
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert not response.has_header("X-Page-Cache")


def test_pages_are_served_when_redis_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
        }
    }
    item = factories.announcement()
    for _ in range(2):
        response = client.get(NEWS)
        assert response.status_code == 200
        assert item.title_vi in response.content.decode()


def test_the_sitemap_is_cached_and_follows_publications(client, django_capture_on_commit_callbacks):
    factories.announcement()
    assert client.get("/sitemap-news.xml")["X-Page-Cache"] == "miss"
    assert client.get("/sitemap-news.xml")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.announcement()
    response = client.get("/sitemap-news.xml")
    assert response["X-Page-Cache"] == "miss"
    assert response["X-Sitemap"] == "stored"
    assert item.slug_vi in response.content.decode()


def test_browsers_may_keep_a_page_briefly_and_never_past_a_transition(client, settings):
    start = timezone.now().replace(microsecond=0)
    factories.announcement(status=Status.SCHEDULED, publish_at=start + timedelta(seconds=20))
    with time_machine.travel(start, tick=False):
        response = client.get(NEWS)
    assert "public" in response["Cache-Control"]
    # A second less than is left: nginx counts from the whole second.
    assert "max-age=19" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    etag = response["ETag"]
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        assert client.get(NEWS, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_hit_answers_like_the_full_stack_without_touching_the_database(
    client, django_assert_num_queries
):
    factories.announcement()
    miss = client.get(NEWS)
    assert miss["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = client.get(NEWS)
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == miss.content
    for header in (
        "Content-Type",
        "Content-Language",
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "ETag",
        "Cache-Control",
        "Vary",
    ):
        assert hit[header] == miss[header], header
    assert hit["X-Request-ID"] != miss["X-Request-ID"]


def test_a_hit_sets_the_language_cookie_for_a_reader_without_one(client):
    fetch(client, "/en/")
    assert client.cookies["portal_language"].value == "en"
    del client.cookies["portal_language"]
    response = client.get("/en/")
    assert response["X-Page-Cache"] == "hit"
    assert response.cookies["portal_language"].value == "en"
    # A reader who already has it is not sent it again.
    assert "portal_language" not in client.get("/en/").cookies


def test_a_hit_answers_a_repeat_visit_with_304(client):
    etag = client.get(NEWS)["ETag"]
    response = client.get(NEWS, HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, response["X-Page-Cache"]) == (304, "hit")
    assert response.content == b""
    assert client.get(NEWS, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_each_host_and_scheme_has_its_own_entry(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example", "www.portal.example"]
    page = client.get(NEWS, HTTP_HOST="portal.example").content.decode()
    assert "http://portal.example/vi/tin-tuc/" in page
    response = client.get(NEWS, HTTP_HOST="www.portal.example")
    assert response["X-Page-Cache"] == "miss"
    assert "http://www.portal.example/vi/tin-tuc/" in response.content.decode()
    response = client.get(NEWS, HTTP_HOST="portal.example", secure=True)
    assert response["X-Page-Cache"] == "miss"
    assert "https://portal.example/vi/tin-tuc/" in response.content.decode()


def test_a_forged_host_gets_the_full_stacks_400_page(client):
    response = client.get(NEWS, HTTP_HOST="evil.example")
    assert response.status_code == 400
    # Answered by the whole stack (headers, language), not cut short by the cache.
    assert response.has_header("Content-Security-Policy")
    assert 'lang="vi"' in response.content.decode()


def test_with_https_redirect_a_plain_request_is_redirected_even_if_cached(client, settings):
    assert client.get(NEWS)["X-Page-Cache"] == "miss"
    assert client.get(NEWS)["X-Page-Cache"] == "hit"
    settings.SECURE_SSL_REDIRECT = True
    # A server started with the setting on, and the plain page still cached.
    restarted = Client()
    response = restarted.get(NEWS)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert restarted.get(NEWS, secure=True)["X-Page-Cache"] == "miss"


def test_a_304_from_the_cache_carries_the_security_headers(client):
    etag = client.get(NEWS)["ETag"]
    response = client.get(NEWS, HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, response["X-Page-Cache"]) == (304, "hit")
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert response.has_header(header), header
    assert not response.has_header("Content-Type")


def test_the_lifetime_is_capped_by_the_first_transition_after_the_request_started():
    from asean_portal.site.dependencies import changes
    from asean_portal.site.pagecache import cached_next_transition

    start = timezone.now().replace(microsecond=0)
    due = start + timedelta(seconds=1)
    factories.announcement(status=Status.SCHEDULED, publish_at=due)
    later = factories.announcement(status=Status.SCHEDULED, publish_at=due + timedelta(hours=1))
    gen = changes()
    # The page took 5 s to render: the item due after 1 s still ends its life.
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        assert cached_next_transition(gen, start.timestamp()) == due.timestamp()
        # A value found for a later request does not hold for an earlier one.
        now = timezone.now().timestamp()
        assert cached_next_transition(gen, now) == later.publish_at.timestamp()
        assert cached_next_transition(gen, start.timestamp()) == due.timestamp()


@pytest.mark.parametrize("due_in, max_age", [(100, 1), (2.5, 1), (1.5, 0), (0.5, 0)])
def test_a_404_where_an_item_goes_live_soon_is_not_kept_past_that_second(client, due_in, max_age):
    """A proxy keeps a 404 for a second, counted from the whole second it
    stored it in: not at all when the item at that address is due sooner."""
    start = timezone.now().replace(microsecond=0)
    item = factories.announcement(
        status=Status.SCHEDULED, publish_at=start + timedelta(seconds=due_in)
    )
    with time_machine.travel(start, tick=False):
        response = client.get(item.get_absolute_url())
    assert response.status_code == 404
    assert response["Cache-Control"] == f"public, max-age={max_age}"


def test_a_hit_near_a_transition_lets_browsers_keep_it_only_until_then(client):
    """Browsers and proxies keep it a second less than is left: nginx counts a
    max-age from the whole second it stored the page in."""
    start = timezone.now().replace(microsecond=0)
    factories.announcement(status=Status.SCHEDULED, publish_at=start + timedelta(seconds=100))
    with time_machine.travel(start, tick=False):
        assert "max-age=60" in client.get(NEWS)["Cache-Control"]
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        response = client.get(NEWS)
        assert (response["X-Page-Cache"], response["Cache-Control"]) == (
            "hit",
            "public, max-age=60",
        )
    with time_machine.travel(start + timedelta(seconds=85), tick=False):
        response = client.get(NEWS)
        assert (response["X-Page-Cache"], response["Cache-Control"]) == (
            "hit",
            "public, max-age=14",
        )


def cached_pages():
    """The page entries in the (local memory) cache."""
    return [key for key in cache._cache if ":portal:page:" in key]


def test_unknown_query_parameters_create_no_entries(client):
    factories.announcement()
    fetch(client)
    assert len(cached_pages()) == 1
    for n in range(150):
        response = client.get(NEWS, {f"junk{n}": "x" * 50})
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "bypass"
    assert len(cached_pages()) == 1


@pytest.mark.parametrize("spelling", ["02", "002", "+2", " 2", "2 ", "2_0", "\u0662", "\uff12"])
def test_a_number_spelled_otherwise_than_in_its_shortest_form_creates_no_entry(client, spelling):
    """A view reads these as the number 2: the page is the same, and an entry
    per spelling would let anyone fill the cache."""
    for n in range(25):
        factories.announcement(title_vi=f"Tin số {n}")
    assert client.get(NEWS, {"page": "2"})["X-Page-Cache"] == "miss"
    assert client.get(NEWS, {"page": "2"})["X-Page-Cache"] == "hit"
    entries = len(cached_pages())
    for params in ({"page": spelling}, {"page": "2", "year": "0" + "2025"}):
        response = client.get(NEWS, params)
        assert (response.status_code, response["X-Page-Cache"]) == (200, "bypass")
    assert len(cached_pages()) == entries


@pytest.mark.parametrize(
    "host, kept",
    [
        ("portal.example", True),
        ("portal.example:80", True),  # the port the server listens on
        ("portal.example:8001", False),
        ("PORTAL.example", False),
        ("portal.example.", False),
    ],
)
def test_pages_are_kept_only_at_a_host_named_as_the_portal_serves_it(settings, host, kept):
    """Django accepts an allowed host with any port, a final dot or other
    capitals, and pages carry addresses at the host as the request names it:
    an entry per spelling would let anyone fill the cache."""
    settings.ALLOWED_HOSTS = ["portal.example"]
    factories.announcement()
    client = Client(HTTP_HOST=host)
    first = client.get(NEWS)
    assert first.status_code == 200
    assert f"http://{host}/vi/tin-tuc/" in first.content.decode()
    assert (first["X-Page-Cache"], len(cached_pages())) == (("miss", 1) if kept else ("bypass", 0))
    assert client.get(NEWS)["X-Page-Cache"] == ("hit" if kept else "bypass")


@pytest.mark.parametrize("family, kept", [(socket.AF_UNIX, False), (socket.AF_INET, True)])
def test_a_port_is_trusted_only_from_a_server_that_listens_on_it(settings, family, kept):
    """gunicorn bound to a unix socket gives the Host header's port as
    SERVER_PORT: there a port spelling of the host is not the port the server
    listens on, and each one would otherwise get its own entry."""
    settings.ALLOWED_HOSTS = ["portal.example"]
    factories.announcement()
    with contextlib.closing(socket.socket(family, socket.SOCK_STREAM)) as connection:
        client = Client(HTTP_HOST="portal.example:6666", **{"gunicorn.socket": connection})
        first, second = (client.get(NEWS, SERVER_PORT="6666") for _ in range(2))
        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == (
            ("miss", "hit") if kept else ("bypass", "bypass")
        )
    assert len(cached_pages()) == (1 if kept else 0)


def test_the_key_is_the_normalised_query_the_view_reads(client):
    forum = factories.category()
    factories.announcement(category=forum)
    assert client.get(NEWS, {"year": "2022", "category": forum.slug_vi})["X-Page-Cache"] == "miss"
    # The same parameters in another order, with an empty one and the first
    # page named: the same page.
    again = client.get(f"{NEWS}?category={forum.slug_vi}&focus=&page=1&year=2022")
    assert again["X-Page-Cache"] == "hit"
    assert (
        client.get(NEWS, {"year": "2022", "category": forum.slug_vi, "print": "1"})["X-Page-Cache"]
        == "miss"
    )
    assert client.get(f"{NEWS}?year=2022&year=2023")["X-Page-Cache"] == "bypass"


def test_search_and_sitemap_pages_are_cached_by_what_they_read(client):
    factories.announcement(title_vi="Tin zzcache")
    search = "/vi/tim-kiem/"
    assert client.get(search, {"q": "zzcache"})["X-Page-Cache"] == "miss"
    assert client.get(search, {"q": "zzcache", "page": "1"})["X-Page-Cache"] == "hit"
    assert client.get("/sitemap-news.xml", {"p": "1"})["X-Page-Cache"] == "miss"
    assert client.get("/sitemap-news.xml", {"p": "1"})["X-Page-Cache"] == "hit"
    assert client.get("/sitemap-news.xml", {"x": "1"})["X-Page-Cache"] == "bypass"


def test_a_count_of_changes_that_redis_lost_and_reached_again_is_not_trusted(client, monkeypatch):
    """Redis restarted from its append-only file, or a replica that took over,
    may miss the last writes: the count of changes goes back, and the next
    change must not give it a value that a process remembered a page by."""
    from asean_portal.site import dependencies, pagecache
    from events.models import Announcement

    monkeypatch.setattr(pagecache, "_checked", {})
    item = factories.announcement(title_vi="Tiêu đề trước khi sửa")
    assert fetch(client)[0] == "miss"
    kept = cache.get(dependencies.CHANGES_KEY)
    dependencies._move({"unrelated.type"})
    assert fetch(client)[0] == "hit"  # found current at the new count, and remembered
    cache.set(dependencies.CHANGES_KEY, kept, None)  # that change's writes were lost
    Announcement.objects.filter(pk=item.pk).update(title_vi="Tiêu đề đã sửa")
    dependencies._move({dependencies.object_tag(Announcement, item.pk)})
    state, page = fetch(client)
    assert (state, "Tiêu đề đã sửa" in page) == ("miss", True)

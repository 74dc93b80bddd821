"""An edit makes out of date the cached pages that show the changed object,
in both languages, and no other page."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from asean_portal.core.publishing import Status
from asean_portal.site import dependencies, frontcache
from tests import factories
from tests.conftest import redis_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def fetch(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response["X-Page-Cache"], response.content.decode()


def address(obj, language="vi"):
    with translation.override(language):
        return obj.get_absolute_url()


def named(name, language, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


# Each type: how to make one, the field its pages show, and the lists that show it.
TYPES = {
    "announcement": (factories.announcement, "title", ["news:list", "home"]),
    "meeting": (factories.meeting, "title", ["meetings:list"]),
    "priority": (factories.priority, "title", ["priorities:index"]),
    "activity": (factories.activity, "title", ["civil_service:work_plan"]),
    "document": (factories.document, "title", ["civil_service:documents"]),
    "work plan": (factories.work_plan, "name", ["civil_service:work_plan"]),
    "chairmanship": (factories.chairmanship, "theme", ["priorities:index"]),
}


@pytest.mark.parametrize("kind", TYPES)
def test_an_edit_shows_at_once_where_the_object_shows_and_nowhere_else(client, kind):
    make, field, lists = TYPES[kind]
    obj = make()
    # A page that reads nothing of the object's type or its parents'.
    other = factories.document() if kind != "document" else factories.announcement()
    showing = [address(obj, language) for language in ("vi", "en")]
    showing += [named(name, language) for name in lists for language in ("vi", "en")]
    unrelated = [address(other, language) for language in ("vi", "en")]
    for path in showing + unrelated:
        fetch(client, path)
        assert fetch(client, path)[0] == "hit", path
    setattr(obj, f"{field}_vi", "Sửa đổi tiếng Việt")
    setattr(obj, f"{field}_en", "Corrected English")
    obj.save()
    for path in showing:
        state, page = fetch(client, path)
        assert state == "miss", path
        expected = "Corrected English" if path.startswith("/en/") else "Sửa đổi tiếng Việt"
        assert expected in page, path
    for path in unrelated:
        assert fetch(client, path)[0] == "hit", path


def test_a_text_correction_leaves_the_pages_that_do_not_show_the_item_cached(client):
    """The news list and the other types' pages list news items, but not an
    old one: correcting its text leaves them cached."""
    old = factories.announcement(publish_at=factories.live()["publish_at"].replace(year=2001))
    for _ in range(25):
        factories.announcement()
    meeting = factories.meeting()
    pages = ["/vi/", named("news:list", "vi"), address(meeting, "vi"), named("meetings:list", "vi")]
    for path in [*pages, address(old, "vi")]:
        fetch(client, path)
    old.lead_vi = "Tóm tắt đã sửa."
    old.save()
    for path in pages:
        assert fetch(client, path)[0] == "hit", path
    state, page = fetch(client, address(old, "vi"))
    assert (state, "Tóm tắt đã sửa." in page) == ("miss", True)


def test_a_new_item_shows_at_once_in_every_list_of_its_type(client):
    category = factories.category()
    factories.announcement(category=category)
    lists = [named("news:list", "vi"), named("news:category", "vi", slug=category.slug_vi)]
    lists.append("/vi/tin-tuc/rss/")
    for path in lists:
        fetch(client, path)
    item = factories.announcement(category=category)
    for path in lists:
        state, page = fetch(client, path)
        assert (state, item.title_vi in page) == ("miss", True), path


def test_an_empty_related_block_fills_at_once(client):
    """A page that loaded no object of a type still depends on the type."""
    category = factories.category()
    page = named("news:category", "vi", slug=category.slug_vi)
    assert "Tin số" not in fetch(client, page)[1]
    assert fetch(client, page)[0] == "hit"
    item = factories.announcement(category=category)
    state, body = fetch(client, page)
    assert (state, item.title_vi in body) == ("miss", True)


def test_moving_an_item_between_lists_updates_both(client):
    old, new = factories.category(), factories.category()
    item = factories.announcement(category=old)
    pages = [named("news:category", "vi", slug=c.slug_vi) for c in (old, new)]
    for path in pages:
        fetch(client, path)
    item.category = new
    item.save()
    assert item.title_vi not in fetch(client, pages[0])[1]
    assert item.title_vi in fetch(client, pages[1])[1]


def test_a_renamed_address_answers_301_at_once(client):
    item = factories.announcement()
    old = address(item, "vi")
    fetch(client, old)
    item.slug_vi = "dia-chi-moi-cua-tin"
    item.save()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"].endswith("/vi/tin-tuc/dia-chi-moi-cua-tin/")


def test_a_deleted_item_leaves_the_home_page_at_once(client):
    item = factories.announcement()
    assert item.title_vi in fetch(client, "/vi/")[1]
    item.delete()
    state, page = fetch(client, "/vi/")
    assert (state, item.title_vi in page) == ("miss", False)


def test_a_withdrawal_by_status_leaves_every_list(client):
    item = factories.announcement()
    fetch(client, named("news:list", "vi"))
    item.status = Status.ARCHIVED
    item.save()
    assert item.title_vi not in fetch(client, named("news:list", "vi"))[1]


def test_a_page_rendered_while_content_changes_is_not_kept(client, monkeypatch):
    item = factories.announcement()
    path = address(item, "vi")
    real = dependencies.versions

    def edit_during_render(reads):
        # Another process saves the item after this page read it.
        type(item).objects.filter(pk=item.pk).update(lead_vi="Sửa giữa chừng.")
        dependencies.move({dependencies.object_tag(type(item), item.pk)})
        return real(reads)

    monkeypatch.setattr(dependencies, "versions", edit_during_render)
    assert fetch(client, path)[0] == "miss"
    monkeypatch.setattr(dependencies, "versions", real)
    state, page = fetch(client, path)
    assert (state, "Sửa giữa chừng." in page) == ("miss", True)


def test_a_save_that_changes_only_texts_keeps_its_type_tag():
    item = factories.announcement()
    before = dependencies.versions({"events.announcement"})
    item = type(item).objects.get(pk=item.pk)
    item.title_en = "Only the English title"
    item.save()
    assert dependencies.versions({"events.announcement"}) == before
    item.publish_at = item.publish_at.replace(year=item.publish_at.year - 1)
    item.save()
    assert dependencies.versions({"events.announcement"}) != before


def test_an_ordering_by_expression_is_not_display_only():
    """Meetings are ordered by an expression (undated last): its field moves
    the type when it changes, and a title does not."""
    from events.models import Meeting

    assert "start_date" in dependencies.ordering_names(Meeting)
    assert "start_date" not in dependencies.display_columns(Meeting)
    assert "title_vi" in dependencies.display_columns(Meeting)


# --- The front cache is purged by the same map ---------------------------------
# Each page the page cache renders is remembered under the tags it recorded;
# a change purges from the front cache (the caching proxy, a CDN) exactly the
# pages remembered under the tags it moves.


class RecordingPurge(frontcache.PurgeBackend):
    """A front cache that notes the paths it is asked to purge."""

    purged = []

    def purge(self, paths):
        RecordingPurge.purged.extend(paths)


@pytest.fixture
def front_cache(settings):
    settings.FRONTEND_CACHE_BACKENDS = [{"BACKEND": f"{__name__}.RecordingPurge"}]
    RecordingPurge.purged = []
    return RecordingPurge


FEEDS = {"announcement": ["news:rss", "news:atom"]}


@pytest.mark.parametrize("kind", TYPES)
def test_an_edit_purges_from_the_front_cache_exactly_the_pages_it_makes_out_of_date(
    client, kind, front_cache, django_capture_on_commit_callbacks
):
    make, field, lists = TYPES[kind]
    obj = make()
    other = factories.document() if kind != "document" else factories.announcement()
    showing = [address(obj, language) for language in ("vi", "en")]
    showing += [
        named(name, language)
        for name in [*lists, *FEEDS.get(kind, [])]
        for language in ("vi", "en")
    ]
    unrelated = [address(other, language) for language in ("vi", "en")]
    for path in showing + unrelated:
        fetch(client, path)
    assert front_cache.purged == []
    with django_capture_on_commit_callbacks(execute=True):
        setattr(obj, f"{field}_vi", "Sửa đổi tiếng Việt")
        setattr(obj, f"{field}_en", "Corrected English")
        obj.save()
        assert front_cache.purged == []  # only once the change is committed
    purged = set(front_cache.purged)
    assert set(showing) <= purged
    assert not set(unrelated) & purged
    # The same map as the page cache's: what it renders afresh, and only that.
    renewed = {path for path in showing + unrelated if fetch(client, path)[0] == "miss"}
    assert purged == renewed


def test_a_publication_purges_the_lists_and_not_the_other_types_pages(
    client, front_cache, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from asean_portal.core.publishing import publish_due

    factories.announcement()
    document = factories.document()
    item = factories.announcement(
        status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=1)
    )
    lists = [named(name, "vi") for name in ("home", "news:list", "news:rss")]
    lists += [named("news:list", "en"), "/sitemap-news.xml"]
    unrelated = [address(document, "vi"), named("meetings:list", "en")]
    for path in lists + unrelated:
        fetch(client, path)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish_due()
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert set(lists) <= set(front_cache.purged)
    assert not set(unrelated) & set(front_cache.purged)


def test_the_pages_are_remembered_in_redis(settings, client, front_cache, redis_url):
    settings.CACHES = redis_cache(redis_url)
    cache.clear()
    item = factories.announcement()
    for language in ("vi", "en"):
        fetch(client, address(item, language))
    pages = dependencies.pages_showing({dependencies.object_tag(type(item), item.pk)})
    assert pages == {address(item, "vi"), address(item, "en")}
    assert dependencies.pages_showing({"events.nothing:1"}) == set()


@pytest.mark.django_db(transaction=True)
def test_a_save_storm_from_several_editors_leaves_no_stale_page(settings, redis_url):
    """Three editors save the same items over and over while readers fill the
    page cache (Redis, as in production); afterwards every page that shows an
    item shows its last saved title, and nothing else was rendered again."""
    import random
    import threading

    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    settings.CACHES = redis_cache(redis_url)
    cache.clear()
    items = [factories.announcement() for _ in range(3)]
    unrelated = factories.priority()
    pages = [address(item, language) for item in items for language in ("vi", "en")]
    pages += [named("news:list", "vi"), named("news:list", "en"), "/vi/", "/en/"]
    for page in [*pages, address(unrelated, "vi")]:
        fetch(Client(), page)
    stop, errors = threading.Event(), []

    def editor(number):
        try:
            for round_ in range(12):
                item = random.choice(items)
                item.refresh_from_db()
                item.title_vi = f"Biên tập viên {number}, lần {round_}: {item.pk}"
                item.title_en = f"Editor {number}, round {round_}: {item.pk}"
                item.save()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def reader():
        client = Client()
        try:
            while not stop.is_set():
                fetch(client, random.choice(pages))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    readers = [threading.Thread(target=reader) for _ in range(3)]
    editors = [threading.Thread(target=editor, args=(number,)) for number in range(3)]
    for thread in readers + editors:
        thread.start()
    for thread in editors:
        thread.join(120)
    stop.set()
    for thread in readers:
        thread.join(30)
    assert errors == []
    client = Client()
    for item in items:
        item.refresh_from_db()
        for language in ("vi", "en"):
            title = getattr(item, f"title_{language}")
            for page in (address(item, language), named("news:list", language)):
                assert title in fetch(client, page)[1], (page, title)
    assert fetch(client, address(unrelated, "vi"))[0] == "hit"

"""A page that reads only some items of a type (the item at its address, the
items of its category just before it, its neighbours in time, a meeting's
news) is made out of date by the changes of those items only: a publication
leaves cached the pages of the other items of its type, and still shows at
once wherever it belongs."""

from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from asean_portal.core.publishing import Status, publish_due
from asean_portal.site import dependencies
from events import views
from events.models import Announcement
from tests import factories

# The page cache on and empty for each test (an autouse fixture), and the helpers.
from tests.site.test_dependencies import address, fetch, page_cache  # noqa: F401

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def archive():
    """Items ten days apart, oldest first, the newest in the category ``new``
    of what comes. The first and the last have a neighbour on one side only:
    their pages depend on every item of the type."""
    new, other = factories.category(), factories.category()
    items = [
        factories.announcement(category=other, publish_at=days_ago(days))
        for days in (50, 40, 30, 20)
    ]
    return new, [*items, factories.announcement(category=new, publish_at=days_ago(10))]


def test_a_new_item_leaves_the_pages_it_does_not_show_on_cached(client, archive):
    new, (_oldest, older, middle, _recent, newest) = archive
    meeting, other_meeting = factories.meeting(), factories.meeting()
    kept = [address(middle), address(middle, "en"), address(older), address(other_meeting)]
    showing = [address(newest), address(newest, "en"), address(meeting), "/vi/tin-tuc/"]
    for path in kept + showing:
        fetch(client, path)
    item = factories.announcement(category=new, meeting=meeting)
    for path in kept:
        assert fetch(client, path)[0] == "hit", path
    for path in showing:
        state, page = fetch(client, path)
        # The newest item's page: its category's news and its next item.
        assert (state, address(item, path[1:3]) in page) == ("miss", True), path


def test_a_publication_by_the_sweep_reaches_its_category_and_neighbours_only(
    client, archive, django_capture_on_commit_callbacks
):
    import time_machine

    new, (_oldest, older, middle, _recent, newest) = archive
    item = factories.announcement(
        category=new, status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=1)
    )
    later = timezone.now() + timedelta(minutes=2)
    with time_machine.travel(later):
        for path in (address(middle), address(older), address(newest)):
            fetch(client, path)
        with django_capture_on_commit_callbacks(execute=True):
            assert publish_due()
        item.refresh_from_db()
        assert item.status == Status.PUBLISHED
        assert fetch(client, address(middle))[0] == "hit"
        assert fetch(client, address(older))[0] == "hit"
        state, page = fetch(client, address(newest))
        assert (state, address(item) in page) == ("miss", True)


def test_an_item_published_between_two_others_becomes_their_neighbour(client, archive):
    _new, (_oldest, older, middle, recent, _newest) = archive
    category = factories.category()
    pages = [address(obj) for obj in (older, middle, recent)]
    for path in pages:
        fetch(client, path)
    between = factories.announcement(category=category, publish_at=days_ago(35))
    results = {path: fetch(client, path) for path in pages}
    # Before it: the item 40 days old; after it: the one 30 days old.
    for obj, expected in ((older, "miss"), (middle, "miss"), (recent, "hit")):
        state, page = results[address(obj)]
        assert (state, address(between) in page) == (expected, expected == "miss"), obj


def test_an_item_moved_into_a_category_shows_where_it_falls_among_its_earlier_news(client):
    """A page lists the five items of its category just before it: an item
    moved into the category within that stretch shows at once, one moved in
    before it leaves the page cached."""
    category, other = factories.category(), factories.category()
    items = [
        factories.announcement(category=category, publish_at=days_ago(days))
        for days in (71, 67, 63, 59, 55, 51)
    ]
    inside = factories.announcement(category=other, publish_at=days_ago(61))
    before = factories.announcement(category=other, publish_at=days_ago(95))
    factories.announcement(category=other, publish_at=days_ago(10))  # the page's next item
    page = address(items[-1])
    assert address(inside) not in fetch(client, page)[1]
    inside.category = category
    inside.save()
    state, shown = fetch(client, page)
    assert (state, address(inside) in shown, address(items[0]) in shown) == ("miss", True, False)
    before.category = category
    before.save()
    assert fetch(client, page)[0] == "hit"


def test_a_publication_leaves_the_pages_of_its_category_s_earlier_items_cached(client):
    category = factories.category()
    items = [
        factories.announcement(category=category, publish_at=days_ago(days))
        for days in (70, 60, 50, 40, 30, 20, 10)
    ]
    # Five earlier items and a neighbour on each side: it depends on neither
    # the category's later news nor the type.
    kept, newest = address(items[-2]), address(items[-1])
    for path in (kept, newest):
        fetch(client, path)
    item = factories.announcement(category=category)
    assert fetch(client, kept)[0] == "hit"
    state, page = fetch(client, newest)
    assert (state, address(item) in page) == ("miss", True)


def test_a_save_whose_earlier_values_are_not_known_makes_every_scoped_page_out_of_date(
    client, archive
):
    new, (_oldest, older, middle, _recent, newest) = archive
    fetch(client, address(middle))
    # Built from values, not read: what it held before is not known here.
    copy = Announcement(
        **{field.attname: getattr(newest, field.attname) for field in Announcement._meta.fields}
    )
    copy.category = older.category
    copy.save()
    assert fetch(client, address(middle))[0] == "miss"


def test_a_meeting_s_news_follow_the_news_about_it_only(client):
    meeting, other = factories.meeting(), factories.meeting()
    factories.announcement(meeting=meeting)
    for obj in (meeting, other):
        fetch(client, address(obj))
    item = factories.announcement(meeting=meeting)
    state, page = fetch(client, address(meeting))
    assert (state, item.title_vi in page) == ("miss", True)
    assert fetch(client, address(other))[0] == "hit"
    item.meeting = other
    item.save()
    assert item.title_vi not in fetch(client, address(meeting))[1]
    assert item.title_vi in fetch(client, address(other))[1]


def test_a_news_page_depends_on_its_meeting_and_category_not_on_their_types(client):
    meeting = factories.meeting(title_en="The meeting")
    item = factories.announcement(meeting=meeting)
    page = address(item, "en")
    fetch(client, page)
    # Another meeting published, another category made: not shown there.
    factories.meeting()
    factories.category()
    assert fetch(client, page)[0] == "hit"
    meeting.title_en = "The meeting, renamed"
    meeting.save()
    state, shown = fetch(client, page)
    assert (state, "The meeting, renamed" in shown) == ("miss", True)
    meeting.status = Status.ARCHIVED
    meeting.save()
    state, shown = fetch(client, page)
    assert (state, address(meeting, "en") in shown) == ("miss", False)
    item.category.name_en = "Renamed category"
    item.category.save()
    assert fetch(client, page)[1].count("Renamed category") >= 1


def test_a_table_joined_for_more_than_the_objects_loaded_counts_as_its_type(client):
    from asean_portal.core import scopes
    from events.models import Meeting

    meeting = factories.meeting()
    factories.announcement(meeting=meeting)
    twice = Announcement.objects.select_related("meeting").filter(
        meeting__in=Meeting.objects.filter(pk=meeting.pk)
    )
    with dependencies.recording() as reads, scopes.loading(Meeting):
        list(twice)
    assert dependencies.type_tag(Meeting) in reads
    with dependencies.recording() as reads, scopes.loading(Meeting):
        list(Announcement.objects.select_related("meeting"))
    assert dependencies.type_tag(Meeting) not in reads
    assert dependencies.object_tag(Meeting, meeting.pk) in reads


def test_a_read_that_cannot_be_named_counts_as_the_whole_type():
    tag = dependencies.type_tag(Announcement)
    start = timezone.now()
    assert dependencies.read_tags(Announcement, {}) == {tag}
    assert dependencies.read_tags(Announcement, {"title_vi": "x"}) == {tag}
    assert dependencies.read_tags(Announcement, {"publish_at": (None, start)}) == {tag}
    too_long = (start - timedelta(days=dependencies.LONGEST_SCOPED_DAYS + 1), start)
    assert dependencies.read_tags(Announcement, {"publish_at": too_long}) == {tag}
    named = dependencies.read_tags(Announcement, {"publish_at": (start - timedelta(days=2), start)})
    assert len(named) == 4 and tag not in named  # three days and "|*"


def test_a_read_of_values_together_depends_on_the_rows_that_hold_them_all():
    start = timezone.now()
    days = (start - timedelta(days=1), start)
    together = dependencies.read_tags(Announcement, {"category_id": 3, "publish_at": days})
    assert together == {
        "events.announcement|*",
        *(
            f"events.announcement|category_id=3&publish_at={moment.astimezone(UTC).date()}"
            for moment in days
        ),
    }
    # A range that cannot be named leaves the read within the category.
    for start_of in (None, start - timedelta(days=dependencies.LONGEST_SCOPED_DAYS + 1)):
        assert dependencies.read_tags(
            Announcement, {"category_id": 3, "publish_at": (start_of, start)}
        ) == {"events.announcement|*", "events.announcement|category_id=3"}
    # Fields not declared together: a row holding either value counts.
    either = dependencies.read_tags(Announcement, {"meeting_id": 4, "publish_at": days[1:] * 2})
    assert "events.announcement|meeting_id=4" in either and len(either) == 3


def test_a_change_whose_values_together_are_not_all_known_moves_every_scoped_read():
    item = factories.announcement()
    deferred = Announcement.objects.only("pk", "category_id").get(pk=item.pk)
    deferred.category = factories.category()
    tags = dependencies.moved_scopes(Announcement, deferred, {"category_id"}, False, False)
    assert tags == {dependencies.any_scope_tag(Announcement)}


@pytest.mark.parametrize("value", ["Tin Đặc Biệt", "x" * 300, "a b", "\x00", "tin-dac-biet-2"])
def test_every_scope_tag_is_a_safe_cache_key(value):
    """A slug as typed, before it is cleaned, is a tag too: any value gives a
    short key without spaces or control characters, its own."""
    from django.core.cache.backends.base import memcache_key_warnings

    tag = dependencies.scope_tag(Announcement, "slug_vi", value)
    assert list(memcache_key_warnings(dependencies.TAG_PREFIX + tag)) == []
    assert tag != dependencies.scope_tag(Announcement, "slug_vi", value + "-")


# --- Whatever the changes, no cached page differs from a fresh one ------------

CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["create", "move", "reschedule", "withdraw", "delete", "retitle"]),
        st.integers(min_value=0, max_value=8),
        st.integers(min_value=1, max_value=80),
    ),
    min_size=1,
    max_size=5,
)


@hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=CHANGES)
def test_after_any_changes_every_cached_page_is_the_page_rendered_now(settings, changes):
    """Items and pages are made, every page cached, then items created, moved
    between categories, rescheduled, withdrawn, deleted or retitled: each page
    served from the cache afterwards equals the same page rendered now."""
    # Lists of earlier news that one item fills, in categories of two or three.
    with mock.patch.object(views, "EARLIER_COUNT", 1):
        _change_and_compare(settings, changes)


def _change_and_compare(settings, changes):
    cache.clear()
    Announcement.objects.all().delete()
    categories = [factories.category() for _ in range(3)]
    items = [
        factories.announcement(category=categories[n % 3], publish_at=days_ago(10 * n + 5))
        for n in range(8)
    ]
    client = Client()
    pages = {address(item, language) for item in items for language in ("vi", "en")}
    pages.add("/vi/tin-tuc/")
    for path in pages:
        fetch(client, path)
    for action, which, days in changes:
        live = list(Announcement.objects.live().order_by("pk"))
        item = live[which % len(live)] if live else None
        if action == "create" or item is None:
            created = factories.announcement(
                category=categories[which % 3], publish_at=days_ago(days)
            )
            pages.add(address(created))
        elif action == "move":
            item.category = categories[(categories.index(item.category) + 1) % 3]
            item.save()
        elif action == "reschedule":
            item.publish_at = days_ago(days)
            item.save()
        elif action == "withdraw":
            item.status = Status.ARCHIVED
            item.save()
        elif action == "delete":
            item.delete()
        else:
            item.title_vi = f"Tiêu đề mới {days}"
            item.save()
    hits = 0
    for path in sorted(pages):
        settings.PAGE_CACHE_SECONDS = 300
        cached = client.get(path)
        hits += cached.get("X-Page-Cache") == "hit"
        settings.PAGE_CACHE_SECONDS = 0
        fresh = client.get(path)
        assert cached.status_code == fresh.status_code, path
        if fresh.status_code == 200:
            assert cached.content == fresh.content, (path, cached.get("X-Page-Cache"))
    settings.PAGE_CACHE_SECONDS = 300
    HITS.append(hits)


HITS = []


def test_the_changes_left_pages_cached_to_compare():
    """The property above compared pages served from the cache, not only
    pages rendered again (it runs first: tests run in file order)."""
    assert sum(HITS) >= len(HITS)

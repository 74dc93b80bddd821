"""A page makes at most seven queries, however many items it shows."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from asean_portal.site import due_revisions
from events.models import Country
from tests import factories


@pytest.fixture
def world():
    country = factories.country(iso_code="VN")
    category = factories.category()
    meeting = factories.meeting(start_date=date(2022, 8, 3), host_country=country)
    priority = factories.priority()
    plan = factories.work_plan()
    return {
        "country": country,
        "category": category,
        "meeting": meeting,
        "priority": priority,
        "plan": plan,
        "count": 0,
    }


def grow(world, total):
    """Add items of every kind, all linked to the same pages, up to ``total``."""
    for number in range(world["count"], total):
        factories.announcement(
            category=world["category"],
            meeting=world["meeting"],
            priority=world["priority"],
            title_vi=f"Công vụ số {number}",
            title_en=f"Civil service {number}",
        )
        other = factories.meeting(
            series=world["meeting"].series,
            host_country=world["country"],
            start_date=date(2022, 1, 1),
            title_vi=f"Hội nghị công vụ {number}",
            # Parts and related meetings of the meeting's page.
            part_of=world["meeting"] if number % 2 else None,
        )
        if not number % 2:
            world["meeting"].related_meetings.add(other)
        other.participations.create(country=world["country"])
        world["meeting"].participations.create(country=factories.country())
        world["meeting"].documents.add(factories.document(title_vi=f"Văn bản công vụ {number}"))
        factories.priority(chairmanship=world["priority"].chairmanship)
        factories.activity(
            work_plan=world["plan"],
            registering_country=world["country"],
            title_vi=f"Hoạt động công vụ {number}",
        )
    world["count"] = total


def pages(world):
    urls = []
    for language in ("vi", "en"):
        with translation.override(language):
            urls += [
                f"/{language}/",
                world["meeting"].get_absolute_url(),
                world["priority"].get_absolute_url(),
                world["priority"].chairmanship.get_absolute_url(),
                world["plan"].get_absolute_url(),
                world["country"].get_absolute_url(),
                world["category"].get_absolute_url(),
            ]
    urls += [
        "/vi/tin-tuc/",
        "/en/news/",
        "/en/news/rss/",
        "/en/news/atom/",
        "/vi/hoi-nghi/",
        "/en/meetings/calendar.ics",
        "/vi/uu-tien/",
        "/en/work-plan/",
        "/en/work-plan/activities.csv",
        "/en/work-plan/documents/",
        "/vi/tim-kiem/?q=cong+vu",
        "/en/search/?q=civil",
        "/api/news/",
        "/api/meetings/",
        "/api/activities/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/sitemap-meetings.xml",
    ]
    return urls


def counts(client, urls):
    # Each page built from the data: no stored sitemap section or fragment.
    cache.clear()
    # The first request of a generation of content also looks for due pending
    # changes (site/due_revisions.py): once per generation, not per page.
    due_revisions.apply_if_due()
    found = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        found[url] = len(queries)
    return found


def test_every_page_makes_at_most_seven_queries_however_many_items(client, world):
    grow(world, 5)
    # A news item's own page too: related news and neighbours grow with the data.
    first = counts(
        client,
        pages(world)
        + [f"/vi/tin-tuc/{factories.announcement(category=world['category']).slug_vi}/"],
    )
    grow(world, 100)
    second = counts(client, list(first))
    assert second == first
    assert max(first.values()) <= 7, {url: count for url, count in first.items() if count > 7}


def test_the_home_page_s_focus_costs_the_same_for_one_item_or_four(client):
    factories.announcement(is_featured=True, on_home=True)
    one = counts(client, ["/vi/", "/en/"])
    for _ in range(3):
        factories.announcement(is_featured=True, on_home=True)
    assert counts(client, ["/vi/", "/en/"]) == one


def test_a_filter_s_choices_are_read_without_a_server_side_cursor(client, world):
    """Django reads a ModelChoiceField's choices with iterator(), which on
    PostgreSQL is a server-side cursor: DECLARE, FETCH and CLOSE, three round
    trips on every uncached list page for a few categories or countries."""
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors exist only on PostgreSQL")
    grow(world, 3)
    named = []

    def record(execute, sql, params, many, context):
        # psycopg2 declares a named cursor itself: its name tells it apart.
        if context["cursor"].cursor.name:
            named.append(sql)
        return execute(sql, params, many, context)

    lists = ["/vi/tin-tuc/", "/en/meetings/", "/en/work-plan/"]
    with connection.execute_wrapper(record):
        pages = {url: client.get(url) for url in lists}
    assert {url: page.status_code for url, page in pages.items()} == dict.fromkeys(lists, 200)
    assert named == []
    # The choices are all there: every country of the meeting list's filter.
    html = pages["/en/meetings/"].content.decode()
    select = html[
        html.index('<select name="country"') : html.index(
            "</select>", html.index('<select name="country"')
        )
    ]
    assert select.count("<option") == 1 + Country.objects.count()

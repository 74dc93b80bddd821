"""No dead ends: a meeting lists its parts, its parent, its documents, activities and
related meetings; activities and priorities list their news. Only live objects."""

import re
from datetime import date, timedelta

from django.utils import timezone

from asean_portal.core.publishing import Status
from tests import factories
from tests.public import url_of


def hidden(**fields):
    return {"status": Status.DRAFT, **fields}


def test_a_meeting_lists_its_parts_parent_documents_activities_and_related_meetings(client):
    parent = factories.meeting(title_en="ACCSM 21", start_date=date(2022, 8, 3))
    som = factories.meeting(part_of=parent, title_en="The SOM", start_date=date(2022, 8, 3))
    factories.meeting(part_of=parent, title_en="The Forum", start_date=date(2022, 8, 4))
    factories.meeting(part_of=parent, **hidden(title_en="A draft part"))
    ascc = factories.meeting(title_en="26th ASCC Council Meeting")
    draft_ascc = factories.meeting(**hidden(title_en="A draft related meeting"))
    som.related_meetings.add(ascc, draft_ascc)
    document = factories.document(title_en="The declaration")
    som.documents.add(document, factories.document(**hidden(title_en="A draft document")))
    activity = factories.activity(title_en="Leadership after COVID-19")
    activity.meetings.add(som)
    factories.activity(**hidden(title_en="A draft activity")).meetings.add(som)

    html = client.get(url_of(parent, "en")).content.decode()
    assert "The SOM" in html and "The Forum" in html
    assert html.index("The SOM") < html.index("The Forum")
    assert "A draft part" not in html

    html = client.get(url_of(som, "en")).content.decode()
    assert url_of(parent, "en") in html
    for shown in (ascc, document, activity):
        assert url_of(shown, "en") in html, shown
    assert "A draft" not in html
    # The relation reads both ways.
    assert url_of(som, "en") in client.get(url_of(ascc, "en")).content.decode()


def test_a_draft_parent_is_not_linked(client):
    parent = factories.meeting(**hidden(title_en="The draft parent"))
    part = factories.meeting(part_of=parent)
    assert "The draft parent" not in client.get(url_of(part, "en")).content.decode()


def test_activity_and_priority_pages_list_their_news(client):
    activity = factories.activity()
    priority = factories.priority()
    factories.announcement(activity=activity, priority=priority, title_en="Live news")
    factories.announcement(activity=activity, priority=priority, **hidden(title_en="Draft news"))
    priority_activity = factories.activity(title_en="The priority activity")
    priority_activity.priorities.add(priority)
    for obj in (activity, priority):
        html = client.get(url_of(obj, "en")).content.decode()
        assert "Live news" in html and "Draft news" not in html
    assert "The priority activity" in client.get(url_of(priority, "en")).content.decode()


def neighbours(client, item):
    html = client.get(url_of(item, "en")).content.decode()
    found = {}
    for rel in ("prev", "next"):
        match = re.search(rf'<a href="([^"]+)"\s+rel="{rel}"', html)
        found[rel] = match.group(1) if match else None
    return found


def test_a_news_item_links_the_public_items_just_before_and_after_it(client):
    now = timezone.now()
    oldest = factories.announcement(publish_at=now - timedelta(days=3))
    # Published at the same second: the one created first comes first.
    tied = factories.announcement(publish_at=now - timedelta(days=2))
    middle = factories.announcement(publish_at=now - timedelta(days=2))
    factories.announcement(**hidden(publish_at=now - timedelta(days=2, hours=1)))
    factories.announcement(status=Status.SCHEDULED, publish_at=now + timedelta(hours=1))
    newest = factories.announcement(publish_at=now - timedelta(days=1))

    assert neighbours(client, oldest) == {"prev": None, "next": url_of(tied, "en")}
    assert neighbours(client, tied) == {"prev": url_of(oldest, "en"), "next": url_of(middle, "en")}
    assert neighbours(client, middle) == {"prev": url_of(tied, "en"), "next": url_of(newest, "en")}
    assert neighbours(client, newest) == {"prev": url_of(middle, "en"), "next": None}


def test_a_news_item_lists_the_five_public_items_of_its_category_just_before_it(client):
    now = timezone.now()
    category = factories.category()
    item = factories.announcement(
        category=category, publish_at=now - timedelta(days=3), title_en="The item itself"
    )
    same = {
        day: factories.announcement(
            category=category, publish_at=now - timedelta(days=day), title_en=f"Same {day}"
        )
        for day in (1, 2, 4, 5, 6, 7, 8, 9)
    }
    tied = factories.announcement(
        category=category, publish_at=item.publish_at, title_en="Same instant, after it"
    )
    factories.announcement(
        category=category,
        **hidden(title_en="A draft of the category", publish_at=now - timedelta(days=4)),
    )
    factories.announcement(title_en="Another category", publish_at=now - timedelta(days=4))
    html = client.get(url_of(item, "en")).content.decode()
    earlier = html[html.index("Earlier news in this category") : html.index('class="prev-next')]
    assert re.findall(r"Same \d", earlier) == [f"Same {day}" for day in (4, 5, 6, 7, 8)]
    for later in (same[1], same[2], tied, same[9]):
        assert url_of(later, "en") not in earlier
    assert "A draft of the category" not in html and "Another category" not in earlier
    assert earlier.count("The item itself") == 0
    # The item at the same instant, entered after it, lists it first.
    html = client.get(url_of(tied, "en")).content.decode()
    earlier = html[html.index("Earlier news in this category") : html.index('class="prev-next')]
    assert earlier.index("The item itself") < earlier.index("Same 4")

"""No dead ends: a meeting lists its parts, its parent, its documents, activities and
related meetings; activities and priorities list their news. Only live objects."""

from datetime import date

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

"""The priority pages, in both languages."""

from asean_portal.core.publishing import Status
from tests import factories
from tests.public import url_of


def test_priority_page_lists_related_news_and_activities(client):
    priority = factories.priority()
    news = factories.announcement(priority=priority, title_en="Related news item")
    activity = factories.activity(title_en="Related activity")
    activity.priorities.add(priority)
    hidden = factories.activity(title_en="Hidden activity", status=Status.DRAFT)
    hidden.priorities.add(priority)
    html = client.get(url_of(priority, "en")).content.decode()
    assert news.title_en in html and activity.title_en in html
    assert "Hidden activity" not in html


def test_a_priority_summary_quoted_as_a_fragment_starts_with_a_capital(client):
    from tests import factories
    from tests.public import url_of

    priority = factories.priority(
        summary_en="enhancing its institutional capacity and effectiveness"
    )
    html = client.get(url_of(priority, "en")).content.decode()
    assert "Enhancing its institutional capacity and effectiveness" in html
    assert "enhancing its institutional" not in html

"""The meetings and news pages: lists, filters, feeds, calendars and metadata, in
both languages."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import feedparser
import icalendar
import pytest
from django.utils import timezone

from asean_portal.core.publishing import Status
from tests import factories
from tests.public import json_ld, listed, url_of


@pytest.mark.parametrize(("language", "prefix"), [("vi", "/vi/tin-tuc/"), ("en", "/en/news/")])
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_news_feeds_parse_in_each_language(client, language, prefix, kind):
    item = factories.announcement(
        title_vi="Tin tiếng Việt", title_en="English news", byline="Hoài Nga"
    )
    factories.announcement(status=Status.DRAFT, title_vi="Bản nháp bí mật", title_en="Secret draft")
    response = client.get(f"{prefix}{kind}/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.get("language", language).startswith(language)
    titles = [entry.title for entry in feed.entries]
    assert titles == [item.title_vi if language == "vi" else item.title_en]
    assert feed.entries[0].link.endswith(url_of(item, language))


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_english_feed_says_which_items_are_not_in_english_yet(client, kind):
    factories.announcement(title_vi="Tin chưa dịch", title_en="", lead_vi="Tóm tắt.", lead_en="")
    factories.announcement(title_vi="Tin đã dịch", title_en="Translated news")
    english = feedparser.parse(client.get(f"/en/news/{kind}/").content)
    entries = {entry.title: entry.summary for entry in english.entries}
    assert set(entries) == {"Tin chưa dịch (in Vietnamese)", "Translated news"}
    assert "not been fully translated" in entries["Tin chưa dịch (in Vietnamese)"]
    assert "not been fully translated" not in entries["Translated news"]
    vietnamese = feedparser.parse(client.get(f"/vi/tin-tuc/{kind}/").content)
    assert {entry.title for entry in vietnamese.entries} == {"Tin chưa dịch", "Tin đã dịch"}


def test_category_feed_only_has_its_category(client):
    mine = factories.category(name_vi="Diễn đàn", name_en="Forum")
    kept = factories.announcement(category=mine)
    factories.announcement()
    feed = feedparser.parse(client.get(f"/en/news/category/{mine.slug_en}/rss/").content)
    assert [entry.title for entry in feed.entries] == [kept.title_en]
    assert "Forum" in feed.feed.title


def test_meetings_calendar_parses_and_has_only_live_dated_meetings(client):
    dated = factories.meeting(
        title_en="Dated", start_date=date(2022, 8, 3), end_date=date(2022, 8, 5)
    )
    factories.meeting(title_en="Undated")
    factories.meeting(title_en="Draft", status=Status.DRAFT, start_date=date(2022, 1, 1))
    response = client.get("/en/meetings/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(event["summary"]) for event in events] == ["Dated"]
    assert events[0].decoded("dtstart") == date(2022, 8, 3)
    assert events[0].decoded("dtend") == date(2022, 8, 6)
    assert str(events[0]["url"]).endswith(url_of(dated, "en"))


def test_each_meeting_has_an_ics_download(client):
    meeting = factories.meeting(title_vi="Hội nghị ACCSM", start_date=date(2024, 8, 1))
    response = client.get(f"/vi/hoi-nghi/{meeting.slug_vi}/lich.ics")
    assert "attachment" in response["Content-Disposition"]
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Hội nghị ACCSM"
    draft = factories.meeting(status=Status.DRAFT, start_date=date(2024, 8, 1))
    assert client.get(f"/vi/hoi-nghi/{draft.slug_vi}/lich.ics").status_code == 404


def test_news_page_metadata(client):
    item = factories.announcement(byline="Hoài Nga")
    html = client.get(url_of(item, "en")).content.decode()
    assert f'<link rel="canonical" href="http://testserver{url_of(item, "en")}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:title" content="{item.title_en}">' in html
    assert '<meta property="og:locale" content="en_GB">' in html
    assert f'hreflang="vi" href="http://testserver{url_of(item, "vi")}"' in html
    types = {block["@type"]: block for block in json_ld(html)}
    assert types["NewsArticle"]["headline"] == item.title_en
    assert types["NewsArticle"]["author"]["name"] == "Hoài Nga"
    assert types["GovernmentOrganization"]["inLanguage"] == "en"


def test_meeting_page_has_event_data(client):
    meeting = factories.meeting(
        start_date=date(2022, 8, 4), host_city_vi="Hà Nội", host_city_en="Hanoi"
    )
    event = {b["@type"]: b for b in json_ld(client.get(url_of(meeting, "en")).content.decode())}[
        "Event"
    ]
    assert event["startDate"] == "2022-08-04"
    assert event["location"]["name"] == "Hanoi"


def test_news_filters(client):
    forum = factories.category()
    old = factories.announcement(category=forum, publish_at=timezone.now() - timedelta(days=800))
    focus = factories.announcement(is_featured=True)
    other = factories.announcement()
    assert listed(client.get("/vi/tin-tuc/", {"category": forum.slug_vi})) == {old.pk}
    assert listed(client.get("/vi/tin-tuc/", {"focus": "true"})) == {focus.pk}
    year = timezone.localtime(old.publish_at).year
    assert old.pk in listed(client.get("/vi/tin-tuc/", {"year": year}))
    assert other.pk not in listed(client.get("/vi/tin-tuc/", {"year": year}))
    assert listed(client.get(f"/en/news/category/{forum.slug_en}/")) == {old.pk}


def test_the_category_filter_speaks_the_reader_s_language_and_understands_both(client):
    forum = factories.category(name_en="Forums", slug_en="forums")
    item = factories.announcement(category=forum)
    factories.announcement()
    english = client.get("/en/news/").content.decode()
    assert f'<option value="{forum.slug_en}">Forums</option>' in english
    assert f'value="{forum.slug_vi}"' not in english
    # An address filtered in one language keeps its filter in the other.
    for language, path in (("en", "/en/news/"), ("vi", "/vi/tin-tuc/")):
        for slug in (forum.slug_vi, forum.slug_en):
            assert listed(client.get(path, {"category": slug})) == {item.pk}, (language, slug)
    # An unknown one is reported, and the news listed unfiltered.
    unknown = client.get("/en/news/", {"category": "no-such-category"})
    assert unknown.status_code == 200 and "is not one of the available choices" in (
        unknown.content.decode()
    )
    # Without an English slug, the English page names it by the Vietnamese one.
    bare = factories.category(name_en="", slug_en="")
    html = client.get("/en/news/").content.decode()
    assert f'value="{bare.slug_vi}"' in html, html[html.find("<select") :][:500]


def test_the_category_chosen_is_shown_chosen_in_either_language_and_on_its_page(client):
    forum = factories.category(name_vi="Diễn đàn", slug_vi="dien-dan", name_en="Forum")
    activities = factories.category(name_en="Activities", slug_en="activities")
    item = factories.announcement(category=forum)
    other = factories.announcement(category=activities)
    chosen = f'<option value="{forum.slug_en}" selected>Forum</option>'
    # An address filtered in Vietnamese, after a switch to English.
    assert chosen in client.get("/en/news/", {"category": "dien-dan"}).content.decode()
    assert '<option value="dien-dan" selected>Diễn đàn</option>' in (
        client.get("/vi/tin-tuc/", {"category": forum.slug_en}).content.decode()
    )
    # A category's page shows its category chosen, and its filters lead to the
    # news list, where another category can be chosen.
    page = client.get(f"/en/news/category/{forum.slug_en}/", {"year": "2020"})
    html = page.content.decode()
    assert chosen in html and 'action="/en/news/"' in html
    assert listed(client.get(f"/en/news/category/{forum.slug_en}/")) == {item.pk}
    # The page decides its category, whatever the query says.
    crossed = client.get(f"/en/news/category/{forum.slug_en}/", {"category": "activities"})
    assert listed(crossed) == {item.pk} and chosen in crossed.content.decode()
    assert listed(client.get("/en/news/", {"category": "activities"})) == {other.pk}


def test_meeting_filters(client):
    series = factories.series(code="ACCSM")
    host = factories.country(iso_code="BN")
    guest = factories.country(iso_code="JP")
    hosted = factories.meeting(series=series, host_country=host, start_date=date(2024, 8, 1))
    attended = factories.meeting(start_date=date(2022, 8, 3))
    attended.participations.create(country=guest)
    assert listed(client.get("/en/meetings/", {"series": "ACCSM"})) == {hosted.pk}
    assert listed(client.get("/en/meetings/", {"year": "2022"})) == {attended.pk}
    assert listed(client.get("/en/meetings/", {"country": "BN"})) == {hosted.pk}
    assert listed(client.get("/en/meetings/", {"country": "JP"})) == {attended.pk}


def test_month_calendar_places_meetings_on_their_days(client):
    meeting = factories.meeting(
        title_vi="ACCSM 21", start_date=date(2022, 8, 3), end_date=date(2022, 8, 5)
    )
    factories.meeting(title_vi="Bản nháp", status=Status.DRAFT, start_date=date(2022, 8, 4))
    response = client.get("/vi/hoi-nghi/lich/", {"month": "2022-08"})
    days = {
        cell["date"].day: [m.pk for m in cell["meetings"]]
        for week in response.context["weeks"]
        for cell in week
        if cell["in_month"]
    }
    assert days[3] == days[4] == days[5] == [meeting.pk]
    assert days[2] == days[6] == []
    assert "Bản nháp" not in response.content.decode()
    # The month as each language writes it.
    assert "<caption>Tháng 8 năm 2022</caption>" in response.content.decode()
    english = client.get("/en/meetings/calendar/", {"month": "2022-08"}).content.decode()
    assert "<caption>August 2022</caption>" in english


def test_calendar_defaults_to_the_month_of_the_nearest_meeting(client):
    factories.meeting(start_date=date(2022, 8, 3))
    assert client.get("/en/meetings/calendar/").context["month"] == date(2022, 8, 1)


@pytest.mark.parametrize("month", ["2022-13", "abcd", "99999-01", "1900-01", "2022-8-1"])
def test_calendar_explains_a_month_it_cannot_show(client, month):
    factories.meeting(start_date=date(2022, 8, 3))
    response = client.get("/en/meetings/calendar/", {"month": month})
    assert response.status_code == 200
    assert "not understood" in response.content.decode()


class ParsedHTML(HTMLParser):
    """The elements and the text of an HTML fragment."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.tags, self.pieces = [], []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.pieces.append(data)

    @property
    def text(self):
        return "".join(self.pieces)


MARKUP_LIKE = "Tom & Jerry <script>alert(1)</script> 5 < 6"


@pytest.mark.parametrize(("language", "prefix"), [("vi", "/vi/tin-tuc/"), ("en", "/en/news/")])
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_text_that_looks_like_markup_arrives_as_text(client, language, prefix, kind):
    factories.announcement(
        title_vi=f"Tiêu đề {MARKUP_LIKE}",
        title_en=f"Title {MARKUP_LIKE}",
        lead_vi=f"Tóm tắt {MARKUP_LIKE}",
        lead_en=f"Summary {MARKUP_LIKE}",
    )
    content = client.get(f"{prefix}{kind}/").content
    # As a reader that does not clean HTML up sees the feed.
    entry = feedparser.parse(content, sanitize_html=False).entries[0]
    words = {"vi": ("Tiêu đề", "Tóm tắt"), "en": ("Title", "Summary")}[language]
    assert entry.title == f"{words[0]} {MARKUP_LIKE}"
    assert entry.summary_detail.type == "text/html"
    summary = ParsedHTML(entry.summary)
    assert summary.text.strip() == f"{words[1]} {MARKUP_LIKE}"
    assert "script" not in summary.tags
    assert "<script" not in entry.summary.lower()


@pytest.mark.parametrize(
    ("url", "params", "words"),
    [
        ("/vi/tin-tuc/", {"category": "xyz", "year": "abc"}, ["Chuyên mục: ", "Năm: "]),
        ("/en/news/", {"year": "20.5"}, ["Year: Enter a year in digits, for example 2022."]),
        ("/en/meetings/", {"series": "nope", "country": "XX"}, ["Series: ", "Country: "]),
    ],
)
def test_a_filter_that_is_not_understood_is_named_and_its_field_points_at_the_reason(
    client, url, params, words
):
    html = client.get(url, params).content.decode()
    described = set(re.findall(r'aria-describedby="([^"]+)"', html))
    assert described, "the refused fields point at their reasons"
    for ident in described:
        assert f'id="{ident}"' in html, ident
    for word in words:
        assert f">{word}" in html, word

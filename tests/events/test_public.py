"""The public site's lists, filters, feeds, calendars, sitemap, metadata and
open data, in both languages."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser

import feedparser
import icalendar
import pytest
from django.utils import timezone, translation

from asean_portal.core.publishing import Status
from tests import factories

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def url_of(obj, language):
    with translation.override(language):
        return obj.get_absolute_url()


# --- feeds -------------------------------------------------------------------
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


def test_category_feed_only_has_its_category(client):
    mine = factories.category(name_vi="Diễn đàn", name_en="Forum")
    kept = factories.announcement(category=mine)
    factories.announcement()
    feed = feedparser.parse(client.get(f"/en/news/category/{mine.slug_en}/rss/").content)
    assert [entry.title for entry in feed.entries] == [kept.title_en]
    assert "Forum" in feed.feed.title


# --- calendars ---------------------------------------------------------------
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


# --- sitemap and robots --------------------------------------------------------
def test_sitemap_lists_live_objects_in_both_languages_with_alternates(client):
    item = factories.announcement()
    draft = factories.announcement(status=Status.DRAFT)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iterfind("s:sitemap/s:loc", SITEMAP_NS)]
    news = next(section for section in sections if "sitemap-news.xml" in section)
    urlset = ET.fromstring(client.get(news.replace("http://testserver", "")).content)
    locations = [url.find("s:loc", SITEMAP_NS).text for url in urlset.iterfind("s:url", SITEMAP_NS)]
    expected = {f"http://testserver{url_of(item, lang)}" for lang in ("vi", "en")}
    assert set(locations) == expected
    assert not any(draft.slug_vi in location for location in locations)
    for url in urlset.iterfind("s:url", SITEMAP_NS):
        alternates = {
            link.get("hreflang"): link.get("href") for link in url.iterfind("x:link", SITEMAP_NS)
        }
        assert set(alternates) == {"vi", "en"}
        assert set(alternates.values()) == expected


def test_robots_txt_points_to_the_sitemap_and_hides_the_admin(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /vi/admin/" in body


# --- page metadata -----------------------------------------------------------------
def json_ld(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


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


def test_canonical_drops_filters_but_keeps_the_page(client):
    html = client.get("/vi/tin-tuc/", {"year": "2022", "page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/vi/tin-tuc/?page=2">' in html


# --- filters ---------------------------------------------------------------------------
def listed(response):
    return {obj.pk for obj in response.context["page"]}


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


def test_work_plan_shows_activities_a_page_at_a_time_and_charts_them_all(client):
    from civil_service.views import ACTIVITIES_PER_PAGE

    plan = factories.work_plan()
    for _ in range(ACTIVITIES_PER_PAGE + 3):
        factories.activity(work_plan=plan, start_year=2022)
    for url in ("/en/work-plan/", url_of(plan, "en")):
        first = client.get(url)
        html = first.content.decode()
        assert html.count('<th scope="row"><a href=') == ACTIVITIES_PER_PAGE
        assert f"Activities ({ACTIVITIES_PER_PAGE + 3})" in html
        assert 'rel="next"' in html
        second = client.get(url, {"page": "2"}).content.decode()
        assert second.count('<th scope="row"><a href=') == 3
    chart = client.get("/en/work-plan/").context["chart"]
    assert sum(segment["count"] for bar in chart["bars"] for segment in bar["segments"]) == (
        ACTIVITIES_PER_PAGE + 3
    )


def test_work_plan_filters_and_exports(client):
    vn = factories.country(iso_code="VN", name_vi="Việt Nam", name_en="Viet Nam")
    first = factories.activity(
        registering_country=vn, start_year=2022, progress="approved", participation="accsm3"
    )
    second = factories.activity(start_year=2023, progress="completed", participation="accsm")
    rows = lambda response: {a.pk for a in response.context["activities"]}  # noqa: E731
    assert rows(client.get("/en/work-plan/", {"year": "2022"})) == {first.pk}
    assert rows(client.get("/en/work-plan/", {"status": "completed"})) == {second.pk}
    assert rows(client.get("/en/work-plan/", {"country": "VN"})) == {first.pk}
    assert rows(client.get("/en/work-plan/", {"participation": "accsm"})) == {second.pk}

    exported = client.get("/vi/ke-hoach-lam-viec/hoat-dong.csv", {"country": "VN"})
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][0] == "Hoạt động"
    assert [row[0] for row in table[1:]] == [first.title_vi]

    data = client.get("/api/activities/", {"country": "VN"}).json()
    assert data["count"] == 1
    assert data["results"][0]["title"] == {"vi": first.title_vi, "en": first.title_en}
    assert data["results"][0]["url"]["en"].endswith(url_of(first, "en"))


FORMULAS = ['=HYPERLINK("http://x","y")', "-2+3", "@SUM(A1)", "+1", "\tx", "\rx"]


def test_the_export_writes_cells_a_spreadsheet_would_run_as_text(client):
    plan = factories.work_plan(name_vi="=1+1")
    vn = factories.country(name_vi="@Việt Nam")
    for number, title in enumerate(FORMULAS):
        factories.activity(
            title_vi=title,
            slug_vi=f"cong-thuc-{number}",
            work_plan=plan,
            registering_country=vn,
            registering_agency_vi="-Bộ Nội vụ",
            start_year=2022,
        )
    ordinary = factories.activity(
        title_vi="Hội thảo - công vụ, 2022",
        registering_agency_vi="Bộ Nội vụ",
        start_year=2023,
    )
    exported = client.get("/vi/ke-hoach-lam-viec/hoat-dong.csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    rows = {row[0]: row for row in table[1:]}
    assert set(rows) == {"'" + title for title in FORMULAS} | {ordinary.title_vi}
    for title in FORMULAS:
        row = rows["'" + title]
        assert row[1:5] == ["'=1+1", "2022", "'@Việt Nam", "'-Bộ Nội vụ"]
    assert rows[ordinary.title_vi][:5] == [
        "Hội thảo - công vụ, 2022",
        ordinary.work_plan.name_vi,
        "2023",
        str(ordinary.registering_country),
        "Bộ Nội vụ",
    ]


def test_document_filters(client):
    decision = factories.document(kind="decision", issued_on=date(2018, 10, 29))
    declaration = factories.document(kind="declaration", issued_on=date(2017, 4, 29))
    assert listed(client.get("/en/work-plan/documents/", {"kind": "declaration"})) == {
        declaration.pk
    }
    assert listed(client.get("/en/work-plan/documents/", {"year": "2018"})) == {decision.pk}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/vi/tin-tuc/", {"year": "99999"}),
        ("/vi/tin-tuc/", {"year": "abc", "category": "nope"}),
        ("/en/meetings/", {"country": "ZZ", "series": "<b>"}),
        ("/en/work-plan/", {"status": "nonsense", "year": "-1"}),
        ("/en/work-plan/documents/", {"kind": "x" * 500}),
        ("/vi/tin-tuc/", {"page": "-1"}),
        ("/vi/tin-tuc/", {"page": "abc"}),
        ("/vi/tin-tuc/", {"page": "100000"}),
    ],
)
def test_odd_filters_get_a_page_not_an_error(client, url, params):
    factories.announcement()
    response = client.get(url, params)
    assert response.status_code == 200


def test_api_reports_ignored_filters(client):
    factories.announcement()
    data = client.get("/api/news/", {"year": "abc"}).json()
    assert data["count"] == 1
    assert "year" in data["ignored_filters"]


def test_api_meetings_are_bilingual(client):
    meeting = factories.meeting(
        title_vi="Hội nghị", title_en="Meeting", start_date=date(2022, 8, 3)
    )
    meeting.participations.create(country=factories.country(iso_code="KR"))
    record = client.get("/api/meetings/").json()["results"][0]
    assert record["title"] == {"vi": "Hội nghị", "en": "Meeting"}
    assert record["countries"] == ["KR"]
    assert record["start_date"] == "2022-08-03"


# --- home ------------------------------------------------------------------------------
def test_home_rotates_focus_items_by_their_own_times(client):
    now = timezone.now()
    current = factories.announcement(is_featured=True, featured_from=now - timedelta(hours=1))
    factories.announcement(
        is_featured=True, featured_from=now + timedelta(hours=1), title_vi="Sắp tiêu điểm"
    )
    factories.announcement(
        is_featured=True, featured_until=now - timedelta(hours=1), title_vi="Hết tiêu điểm"
    )
    focus = list(client.get("/vi/").context["focus"])
    assert focus == [current]


def test_home_shows_the_current_chairmanship_and_work_plan_progress(client):
    priority = factories.priority(title_vi="Ưu tiên gắn kết")
    for _ in range(3):
        factories.activity(progress="completed")
    factories.activity(progress="approved")
    factories.activity(progress="completed", status=Status.DRAFT)
    response = client.get("/vi/")
    assert priority.title_vi in response.content.decode()
    # proposed, concept note approved, in progress, completed, postponed
    assert [count for _label, count in response.context["progress"]] == [0, 1, 0, 3, 0]
    assert response.context["activity_total"] == 4


# --- calendar and timeline ------------------------------------------------------------
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


def test_calendar_defaults_to_the_month_of_the_nearest_meeting(client):
    factories.meeting(start_date=date(2022, 8, 3))
    assert client.get("/en/meetings/calendar/").context["month"] == date(2022, 8, 1)


@pytest.mark.parametrize("month", ["2022-13", "abcd", "99999-01", "1900-01", "2022-8-1"])
def test_calendar_explains_a_month_it_cannot_show(client, month):
    factories.meeting(start_date=date(2022, 8, 3))
    response = client.get("/en/meetings/calendar/", {"month": month})
    assert response.status_code == 200
    assert "not understood" in response.content.decode()


def test_work_plan_timeline_is_accessible_svg_with_a_table(client):
    factories.activity(start_year=2022, progress="approved")
    factories.activity(start_year=2023, progress="approved")
    factories.activity(start_year=2023, progress="completed")
    html = client.get("/en/work-plan/").content.decode()
    svg = re.search(r"<svg role=\"img\".*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.find("svg:title", ns).text == "Activities by year and status"
    assert "3 activities, from 2022 to 2023" in root.find("svg:desc", ns).text
    assert len(root.findall(".//svg:rect", ns)) == 3
    chart = client.get("/en/work-plan/").context["chart"]
    assert chart["table"] == [
        {"year": 2022, "cells": [0, 1, 0, 0, 0]},
        {"year": 2023, "cells": [0, 1, 0, 1, 0]},
    ]
    vi = client.get("/vi/ke-hoach-lam-viec/").content.decode()
    assert "Hoạt động theo năm và tình trạng" in vi


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

"""What the site assembles: home, sitemap, robots.txt, canonical addresses and the
open data API, in both languages."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils import timezone

from asean_portal.core.publishing import Status
from tests import factories
from tests.public import SITEMAP_NS, url_of


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


def test_canonical_drops_filters_but_keeps_the_page(client):
    html = client.get("/vi/tin-tuc/", {"year": "2022", "page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/vi/tin-tuc/?page=2">' in html


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


@pytest.mark.parametrize("year", ["2022.5", "2e3", "２０２２.５"])
@pytest.mark.parametrize("url", ["/vi/tin-tuc/", "/en/meetings/", "/en/work-plan/"])
def test_a_year_that_is_not_a_whole_number_is_reported_not_understood(client, url, year):
    """Not read as a year that matches nothing: the list says it was left out,
    and the field steps by whole years."""
    factories.announcement()
    html = client.get(url, {"year": year}).content.decode()
    assert ("không hợp lệ" if url.startswith("/vi/") else "not understood") in html
    assert 'name="year"' in html and 'step="any"' not in html


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


def test_the_focus_on_the_home_page_shows_its_photo(client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), "#0b3a75").save(buffer, "JPEG")
    item = factories.announcement(
        is_featured=True,
        image=SimpleUploadedFile("delegates.jpg", buffer.getvalue(), content_type="image/jpeg"),
        image_alt_vi="Các đại biểu chụp ảnh lưu niệm",
        image_alt_en="Delegates pose for a group photo.",
    )
    page = client.get("/en/").content.decode()
    focus = page.split('id="focus-heading"', 1)[1].split("</section>", 1)[0]
    assert item.title_en in focus
    assert 'alt="Delegates pose for a group photo."' in focus
    assert 'type="image/webp"' in focus and "srcset=" in focus
    assert 'width="960"' in focus and 'height="640"' in focus


def test_home_lists_the_four_next_and_the_four_last_public_meetings(client):
    today = timezone.localdate()

    def meeting(days, **fields):
        return factories.meeting(
            start_date=today + timedelta(days=days), title_en=f"Meeting at {days:+d}", **fields
        )

    for days in (9, 1, 7, 0, 3, 5, -1, -8, -3, -20, -5):
        meeting(days)
    meeting(2, status=Status.DRAFT)
    meeting(-2, status=Status.DRAFT)
    factories.meeting(start_date=None, title_en="Meeting at no date")
    html = client.get("/en/").content.decode()
    upcoming = html[html.index(">Upcoming<") : html.index(">Recent<")]
    recent = html[html.index(">Recent<") : html.index("All meetings")]
    assert re.findall(r"Meeting at [^<]+", upcoming) == [
        "Meeting at +0",
        "Meeting at +1",
        "Meeting at +3",
        "Meeting at +5",
    ]
    assert re.findall(r"Meeting at [^<]+", recent) == [
        "Meeting at -1",
        "Meeting at -3",
        "Meeting at -5",
        "Meeting at -8",
    ]

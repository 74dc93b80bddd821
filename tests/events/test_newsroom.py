"""What the newsroom shows the public: the translation label, editors' notes,
posting dates without invented times, the home page's own selection, and
captions whose photo is not online yet."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from events.models import MeetingPhoto
from tests import factories
from tests.public import url_of

LABEL_EN = "Translation by the portal; the Vietnamese text is the official one."
LABEL_VI = "Bản dịch của Cổng thông tin; văn bản tiếng Việt là văn bản chính thức."
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_english_that_is_not_official_is_labelled_in_both_languages(client):
    item = factories.announcement(english_label="translation")
    html = client.get(url_of(item, "en")).content.decode()
    assert LABEL_EN in html
    assert f'<span lang="vi">{LABEL_VI}</span>' in html
    # The Vietnamese page is the official text: no label.
    assert LABEL_VI not in client.get(url_of(item, "vi")).content.decode()


def test_official_english_and_pages_shown_in_vietnamese_carry_no_label(client):
    official = factories.announcement(english_label="official")
    assert LABEL_EN not in client.get(url_of(official, "en")).content.decode()
    untranslated = factories.announcement(
        english_label="translation", title_en="", lead_en="", body_en=""
    )
    assert LABEL_EN not in client.get(url_of(untranslated, "en")).content.decode()


def test_a_meeting_translated_by_the_portal_is_labelled_too(client):
    meeting = factories.meeting(english_label="translation")
    assert LABEL_EN in client.get(url_of(meeting, "en")).content.decode()


def test_the_editors_note_is_shown_in_each_language(client):
    item = factories.announcement(
        editorial_note_vi="Bản gốc viết sai tên nước.",
        editorial_note_en="The source misspells the country's name.",
    )
    vi = client.get(url_of(item, "vi")).content.decode()
    en = client.get(url_of(item, "en")).content.decode()
    assert "Ghi chú của Ban biên tập" in vi and "Bản gốc viết sai tên nước." in vi
    assert "Editor's note" in en and "The source misspells the country&#x27;s name." in en


def test_a_posting_known_only_by_its_day_shows_no_invented_time(client):
    day = datetime(2022, 8, 9, tzinfo=HANOI)
    dated = factories.announcement(publish_at=day, posted_time_known=False, title_vi="Ngày thôi")
    timed = factories.announcement(
        publish_at=datetime(2022, 8, 3, 6, 26, tzinfo=HANOI), title_vi="Có giờ"
    )
    html = client.get(url_of(dated, "vi")).content.decode()
    assert '<time datetime="2022-08-09">09/08/2022</time>' in html
    # Neither the visible date, the Open Graph time nor the JSON-LD invents a time.
    assert "2022-08-09T00:00" not in html and "2022-08-08T17:00" not in html
    assert "00:00 09/08/2022" not in html
    html = client.get(url_of(timed, "vi")).content.decode()
    assert "06:26 03/08/2022" in html
    # In English the month is a word, in the list as on the page.
    assert "3 Aug 2022, 06:26" in client.get(url_of(timed, "en")).content.decode()
    english_list = client.get("/en/news/").content.decode()
    assert '<time datetime="2022-08-09">9 Aug 2022</time>' in english_list
    listing = client.get("/vi/tin-tuc/").content.decode()
    shown = re.findall(r'<time datetime="2022-08-09">([^<]*)</time>', listing)
    assert shown and not any(":" in text for text in shown)


def test_the_home_page_shows_only_what_editors_put_on_it(client):
    asean = factories.announcement(title_vi="Tin ASEAN", is_featured=True)
    other = factories.announcement(title_vi="Tin khác", is_featured=True, on_home=False)
    context = client.get("/vi/").context
    assert list(context["focus"]) == [asean]
    assert asean in context["latest"] and other not in context["latest"]
    # It is still news: listed, and in the news list's Focus filter.
    listing = client.get("/vi/tin-tuc/?focus=true").content.decode()
    assert "Tin khác" in listing and "Tin ASEAN" in listing


def test_a_caption_without_its_photo_still_reaches_the_public(client):
    meeting = factories.meeting()
    MeetingPhoto.objects.create(
        meeting=meeting,
        caption_vi="Đại sứ Ekkaphab Phanthavong, Phó Tổng Thư ký ASEAN phát biểu tại cuộc họp.",
        caption_en="Ambassador Ekkaphab Phanthavong, Deputy Secretary-General of ASEAN, speaks.",
        alt_text_vi="x",
        alt_text_en="x",
    )
    vi = client.get(url_of(meeting, "vi")).content.decode()
    en = client.get(url_of(meeting, "en")).content.decode()
    assert "Đại sứ Ekkaphab Phanthavong, Phó Tổng Thư ký ASEAN" in vi
    assert "Ambassador Ekkaphab Phanthavong, Deputy Secretary-General of ASEAN" in en
    assert "<img" not in vi.split('class="photos"')[1].split("</div>")[0]
    # The reader is told why a caption stands alone.
    assert "Some pictures are not online yet" in en
    assert "Một số ảnh chưa được đưa lên" in vi


def test_the_main_photos_caption_shows_without_the_photo(client):
    item = factories.announcement(image_caption_vi="Ông Phan Thảo Nguyên", image_caption_en="Mr")
    assert "Ông Phan Thảo Nguyên" in client.get(url_of(item, "vi")).content.decode()


def test_the_news_list_with_thumbnails_costs_no_query_per_item(client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from PIL import Image

    def with_photo():
        buffer = io.BytesIO()
        Image.new("RGB", (500, 300), "#0b3a75").save(buffer, "JPEG")
        upload = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
        return factories.announcement(image=upload, image_alt_vi="Ảnh")

    def count():
        # What a first request reads once for all pages (the footer's publisher,
        # the check for due pending changes) is not the list's.
        client.get("/vi/tin-tuc/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/vi/tin-tuc/")
        assert response.status_code == 200
        return len(queries), response.content.decode()

    with_photo()
    one, html = count()
    assert "<picture>" in html and 'width="400"' in html
    for _ in range(4):
        with_photo()
    assert count()[0] == one

"""What a reader and an editor see in Chromium: a meeting's photos on a phone,
the way up from a meeting and through the calendar, the About page and its
contact form, and a meeting saved with a photo after an error."""

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.utils import translation
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from asean_portal.site.about import AboutPortal, FeedbackMessage
from events.models import Meeting, MeetingPhoto
from tests import factories
from tests.browser.test_admin import log_in
from tests.browser.test_layout import emulate
from tests.core.test_images import cleaned, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTIONS = [
    {
        "caption_vi": "Quang cảnh phiên khai mạc",
        "caption_en": "The opening session",
        "alt_text_vi": "Các đại biểu ngồi quanh bàn họp",
        "alt_text_en": "Delegates around the meeting table",
    },
    {
        "caption_vi": "Các trưởng đoàn chụp ảnh chung",
        "caption_en": "The heads of delegation",
        "alt_text_vi": "Các trưởng đoàn đứng thành hàng",
        "alt_text_en": "The heads of delegation standing in a row",
    },
]

# Each photo of the gallery: loaded, the rendition chosen, its width in the
# WebP srcset, and its caption as shown.
GALLERY = """
return [...document.querySelectorAll(".photos figure picture")].map((picture) => {
  const img = picture.querySelector("img");
  const webp = picture.querySelector('source[type="image/webp"]');
  const widths = {};
  for (const entry of (webp ? webp.srcset : "").split(",")) {
    const [url, width] = entry.trim().split(/\\s+/);
    if (url) widths[new URL(url, location.href).href] = parseInt(width, 10);
  }
  const caption = picture.closest("figure").querySelector("figcaption");
  const box = caption ? caption.getBoundingClientRect() : null;
  return {
    complete: img.complete,
    natural: img.naturalWidth,
    current: img.currentSrc,
    chosen: widths[img.currentSrc] || null,
    offered: Object.values(widths).sort((a, b) => a - b),
    caption: caption ? caption.innerText.trim() : "",
    captionShown: !!box && box.width > 0 && box.height > 0,
  };
});
"""


def wait_loaded(browser):
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def test_a_meetings_photos_load_as_webp_renditions_sized_for_a_phone(
    live_server, browser, settings
):
    settings.SERVE_MEDIA = True
    meeting = factories.meeting()
    for order, texts in enumerate(CAPTIONS):
        MeetingPhoto.objects.create(
            meeting=meeting, image=cleaned(image_bytes(size=(1999, 1001))), order=order, **texts
        )
    emulate(browser, 390, 844)
    for language in ("vi", "en"):
        with translation.override(language):
            browser.get(live_server.url + meeting.get_absolute_url())
        wait_loaded(browser)
        # The photos load lazily: bring each into view, then wait for it.
        for img in browser.find_elements(By.CSS_SELECTOR, ".photos img"):
            browser.execute_script("arguments[0].scrollIntoView()", img)
        WebDriverWait(browser, 10).until(
            lambda d: all(p["complete"] and p["natural"] > 0 for p in d.execute_script(GALLERY))
        )
        photos = browser.execute_script(GALLERY)
        assert len(photos) == 2
        for photo, texts in zip(photos, CAPTIONS, strict=True):
            assert photo["natural"] > 0, photo
            assert photo["current"].endswith(".webp"), photo
            # The smallest rendition that fills 390 CSS pixels, not a larger one.
            needed = min(width for width in photo["offered"] if width >= 390)
            assert photo["chosen"] == needed, photo
            assert photo["captionShown"] and texts[f"caption_{language}"] in photo["caption"]


def test_breadcrumbs_lead_up_from_a_meeting_and_the_calendar_finds_the_nearest_meetings(
    live_server, browser
):
    meeting = factories.meeting(start_date=date(2022, 8, 3), title_vi="Hội nghị ACCSM lần thứ 21")
    with translation.override("vi"):
        browser.get(live_server.url + meeting.get_absolute_url())
    wait_loaded(browser)
    crumbs = browser.find_elements(By.CSS_SELECTOR, "nav.breadcrumbs li")
    assert crumbs[-1].get_attribute("aria-current") == "page"
    assert "ACCSM lần thứ 21" in crumbs[-1].text
    # One step up is the list of meetings, which lists this one.
    crumbs[-2].find_element(By.TAG_NAME, "a").click()
    wait_loaded(browser)
    assert browser.current_url == live_server.url + "/vi/hoi-nghi/"
    assert browser.find_elements(By.XPATH, '//a[contains(., "ACCSM lần thứ 21")]')
    # The calendar: pick a month without meetings, then jump to the nearest one with.
    browser.get(live_server.url + "/vi/hoi-nghi/lich/")
    wait_loaded(browser)
    picker = browser.find_element(By.ID, "calendar-month")
    browser.execute_script("arguments[0].value = '2021-03'", picker)
    picker.find_element(By.XPATH, "./ancestor::form").submit()
    WebDriverWait(browser, 10).until(lambda d: "month=2021-03" in d.current_url)
    wait_loaded(browser)
    assert not browser.find_elements(By.XPATH, '//a[contains(., "ACCSM lần thứ 21")]')
    browser.find_element(By.CSS_SELECTOR, '.month-nav a[href="?month=2022-08"]').click()
    WebDriverWait(browser, 10).until(lambda d: "month=2022-08" in d.current_url)
    wait_loaded(browser)
    assert browser.find_elements(By.XPATH, '//a[contains(., "ACCSM lần thứ 21")]')


def test_the_about_page_names_the_publisher_and_its_form_reaches_the_editors(live_server, browser):
    cache.clear()
    about = AboutPortal.load()
    about.managing_agency_vi = "Bộ Nội vụ"
    about.licence_vi = "Giấy phép số 123/GP"
    about.save()
    browser.get(live_server.url + "/vi/gioi-thieu/")
    wait_loaded(browser)
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "Bộ Nội vụ" in facts and "Giấy phép số 123/GP" in facts

    def send(name, robot=False):
        form = browser.find_element(By.CSS_SELECTOR, "form.contact-form")
        form.find_element(By.NAME, "name").send_keys(name)
        form.find_element(By.NAME, "email").send_keys("lan@example.org")
        form.find_element(By.NAME, "message").send_keys("Xin hỏi lịch hội nghị năm sau.")
        if robot:
            # What a robot does: fill every field, the hidden one too.
            browser.execute_script(
                "arguments[0].value = 'http://spam.example'", form.find_element(By.NAME, "website")
            )
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".notice"))

    send("Lan")
    assert "Cảm ơn" in browser.find_element(By.CSS_SELECTOR, "p.notice[role=status]").text
    message = FeedbackMessage.objects.get()
    assert (message.name, message.language) == ("Lan", "vi")
    browser.get(live_server.url + "/vi/gioi-thieu/")
    wait_loaded(browser)
    send("Robot", robot=True)
    assert list(FeedbackMessage.objects.values_list("name", flat=True)) == ["Lan"]


def photo_path(tmp_path):
    path = tmp_path / "delegates.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#0b3a75").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_photo_dropped_by_a_failed_save_is_asked_for_again_then_kept(
    live_server, browser, client, tmp_path, screenshot
):
    series = factories.series()
    log_in(browser, live_server, client)
    browser.get(live_server.url + "/vi/admin/events/meeting/add/")
    wait = WebDriverWait(browser, 10)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#photos-group .add-row a"))
    # The series is picked from a search box: choose it as the box does.
    browser.execute_script(
        "const s = document.getElementById('id_series');"
        "s.add(new Option(arguments[1], arguments[0], true, true));"
        "s.dispatchEvent(new Event('change'));",
        str(series.pk),
        str(series),
    )
    browser.find_element(By.CSS_SELECTOR, "#id_kind option[value='som']").click()
    browser.find_element(By.CSS_SELECTOR, "#photos-group .add-row a").click()
    wait.until(lambda d: d.find_elements(By.ID, "id_photos-0-image"))
    browser.find_element(By.ID, "id_photos-0-caption_vi").send_keys("Quang cảnh cuộc họp")
    browser.find_element(By.ID, "id_photos-0-alt_text_vi").send_keys("Các đại biểu")
    photo = photo_path(tmp_path)
    browser.find_element(By.ID, "id_photos-0-image").send_keys(photo)
    # The title, required, left empty.
    browser.find_element(By.NAME, "_save").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".errornote"))
    page = browser.find_element(By.ID, "photos-group").text
    assert "delegates.jpg" in page and "chọn lại" in page
    assert not browser.find_elements(By.CSS_SELECTOR, ".messagelist .success")
    screenshot(browser, "photo-to-choose-again")
    # The title filled in, the photo not chosen again: still refused, never a success.
    browser.find_element(By.ID, "id_title_vi").send_keys("Hội nghị có ảnh")
    browser.find_element(By.NAME, "_save").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".errornote"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".messagelist .success")
    assert not Meeting.objects.exists() and not MeetingPhoto.objects.exists()
    # Chosen again: saved, with the photo.
    browser.find_element(By.ID, "id_photos-0-image").send_keys(photo)
    browser.find_element(By.NAME, "_save").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".messagelist .success"))
    saved = MeetingPhoto.objects.get()
    assert saved.meeting.title_vi == "Hội nghị có ảnh"
    assert saved.image and (saved.width, saved.height) == (640, 480)

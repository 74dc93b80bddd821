"""Pending changes to a live meeting's rows, in Chromium: an Editor changes a
participant's country and a photo's caption and adds two photos, then removes the first
new one with the admin's "remove" link (the rows after it renumbered): the
public page does not change, the remaining new row keeps its own photo, and
all of it goes live when a Chief editor publishes."""

import io

import pytest
from django.test import Client
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from asean_portal.core import revisions
from events.models import MeetingPhoto
from tests import factories
from tests.browser.test_revisions import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "/vi/admin/events/meeting/"


def picture(path, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def type_into(browser, name, text):
    field = browser.find_element(By.NAME, name)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
    field.clear()
    field.send_keys(text)


def saved_with_message(browser, button):
    element = browser.find_element(By.NAME, button)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()
    WebDriverWait(browser, 15).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".messagelist, .errornote")
    )
    errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".errornote, .errorlist")]
    assert not errors, errors
    return browser.find_element(By.CSS_SELECTOR, ".messagelist").text


def test_an_editor_s_row_changes_wait_for_a_chief_editor(
    live_server, browser, tmp_path, screenshot
):
    meeting = factories.meeting(title_vi="Hội nghị đang đăng")
    meeting.participations.create(
        country=factories.country(name_vi="Lào"), delegation_head="Ông Cũ"
    )
    MeetingPhoto.objects.create(
        meeting=meeting,
        caption_vi="Chú thích đã duyệt",
        caption_en="Approved caption",
        alt_text_vi="Đại biểu",
        alt_text_en="Delegates",
        order=1,
    )
    japan = factories.country(name_vi="Nhật Bản", group="plus3")
    editor = factories.staff(role="Editor")
    chief = factories.staff(role="Chief editor")
    reader = Client()
    before = reader.get(meeting.get_absolute_url()).content.decode()
    assert "Lào" in before and "Nhật Bản" not in before and "Chú thích đã duyệt" in before

    sign_in_as(browser, live_server, editor)
    browser.get(f"{live_server.url}{ADMIN}{meeting.pk}/change/")
    # The participant's country, chosen as the autocomplete widget does.
    browser.execute_script(
        "const select = document.querySelector('[name=\"participations-0-country\"]');"
        "select.add(new Option(arguments[1], arguments[0], true, true));"
        "select.dispatchEvent(new Event('change', {bubbles: true}));",
        str(japan.pk),
        "Nhật Bản",
    )
    type_into(browser, "photos-0-caption_vi", "Chú thích đã sửa")
    add = browser.find_element(By.CSS_SELECTOR, "#photos-group .add-row a")
    for index, (caption, colour) in enumerate(
        [("Ảnh bị bỏ", "#aa0000"), ("Ảnh giữ lại", "#0b3a75")], start=1
    ):
        browser.execute_script("arguments[0].click();", add)
        file_input = browser.find_element(By.NAME, f"photos-{index}-image")
        file_input.send_keys(picture(tmp_path / f"photo{index}.jpg", colour))
        type_into(browser, f"photos-{index}-caption_vi", caption)
        type_into(browser, f"photos-{index}-alt_text_vi", f"Ảnh số {index}")
        # The English field, in its language tab.
        browser.execute_script(
            "document.querySelector(`[name='${arguments[0]}']`).value = arguments[1];",
            f"photos-{index}-alt_text_en",
            f"Photo {index}",
        )
    assert "gửi duyệt" in saved_with_message(browser, "_submit_for_review")
    change = revisions.row_changes(revisions.open_revision(meeting))["photos"]
    stored = {values["caption_vi"]: values["image"] for values in change["added"]}
    assert stored["Ảnh bị bỏ"].endswith("photo1.jpg")
    assert stored["Ảnh giữ lại"].endswith("photo2.jpg")
    assert reader.get(meeting.get_absolute_url()).content.decode() == before

    # The first new photo is removed with its link: the second moves up.
    browser.get(f"{live_server.url}{ADMIN}{meeting.pk}/change/")
    remove = browser.find_element(By.CSS_SELECTOR, "#photos-1 .inline-deletelink")
    browser.execute_script("arguments[0].click();", remove)
    assert (
        browser.find_element(By.NAME, "photos-1-caption_vi").get_attribute("value") == "Ảnh giữ lại"
    )
    screenshot(browser, "row-removed")
    assert "gửi duyệt" in saved_with_message(browser, "_submit_for_review")
    change = revisions.row_changes(revisions.open_revision(meeting))["photos"]
    assert [(values["caption_vi"], values["image"]) for values in change["added"]] == [
        ("Ảnh giữ lại", stored["Ảnh giữ lại"])
    ]
    assert reader.get(meeting.get_absolute_url()).content.decode() == before

    sign_in_as(browser, live_server, chief)
    browser.get(f"{live_server.url}{ADMIN}{meeting.pk}/change/")
    browser.find_element(By.CSS_SELECTOR, '[data-action="publish"]').click()
    notice = browser.find_elements(By.CSS_SELECTOR, 'input[name="english"][value="notice"]')
    if notice:
        notice[0].click()
    browser.find_element(By.NAME, "confirm").click()
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.CSS_SELECTOR, ".messagelist"))
    assert revisions.open_revision(meeting) is None
    after = reader.get(meeting.get_absolute_url()).content.decode()
    assert "Nhật Bản" in after and "Lào" not in after
    assert "Chú thích đã sửa" in after and "Ảnh giữ lại" in after and "Ảnh bị bỏ" not in after
    photo = MeetingPhoto.objects.get(meeting=meeting, caption_vi="Ảnh giữ lại")
    assert photo.image.name == stored["Ảnh giữ lại"]

"""The admin's language tabs in Debian's headless Chromium."""

import pytest
import reversion
from django.conf import settings
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from events.models import Category, Meeting, Participation
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, live_server, client):
    user = factories.staff(superuser=True)
    client.force_login(user)
    browser.get(f"{live_server.url}/healthz")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session})


def test_a_validation_error_opens_the_tab_that_holds_it(live_server, browser, client, screenshot):
    log_in(browser, live_server, client)
    browser.get(f"{live_server.url}/vi/admin/events/category/add/")
    wait = WebDriverWait(browser, 10)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".ui-tabs-nav"))
    # The tabs of the staff member's language are open first.
    active = browser.find_elements(By.CSS_SELECTOR, ".ui-tabs-active a")
    assert active and {tab.text.strip().lower() for tab in active} == {"vi"}
    browser.find_element(By.ID, "id_name_vi").send_keys("Chuyên mục thử")
    # Open the English tab of the address and type an invalid slug.
    for tab in browser.find_elements(By.CSS_SELECTOR, ".ui-tabs-nav a"):
        if tab.text.strip().lower() == "en" and tab.is_displayed():
            tab.click()
    slug_en = browser.find_element(By.ID, "id_slug_en")
    wait.until(lambda d: slug_en.is_displayed())
    slug_en.send_keys("địa chỉ sai!")
    browser.find_element(By.NAME, "_save").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".errornote"))
    assert not Category.objects.exists()
    # After the reload the tab with the error is the open one.
    assert browser.find_element(By.ID, "id_slug_en").is_displayed()
    assert not browser.find_element(By.ID, "id_slug_vi").is_displayed()
    assert browser.find_element(By.ID, "id_name_vi").get_attribute("value") == "Chuyên mục thử"
    screenshot(browser, "admin-error-tab")


def test_the_rich_text_editor_loads_from_this_host_only(live_server, browser, client, screenshot):
    log_in(browser, live_server, client)
    browser.get(f"{live_server.url}/vi/admin/events/announcement/add/")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".ProseMirror"))
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
    )
    assert set(hosts) <= {live_server.url.split("//")[1]}
    screenshot(browser, "admin-announcement-add")


# What the first editor's toolbar shows: each control's name, and the heading choices.
TOOLBAR = """
const bar = document.querySelector(".prose-menubar");
const named = [...bar.querySelectorAll("[title]")].map(
  (element) => [element.getAttribute("title"), element.getAttribute("aria-label")]);
const choices = [...bar.querySelectorAll(".prose-menubar__option > *")].map(
  (label) => label.textContent);
const caret = getComputedStyle(bar.querySelector(".prose-menubar__selected"), "::after");
return [named, choices, caret.content];
"""


def toolbar(browser, url):
    browser.get(url)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".prose-menubar"))
    return browser.execute_script(TOOLBAR)


def test_the_rich_text_editor_speaks_the_staff_member_s_language(
    live_server, browser, client, screenshot
):
    """The editor names its controls with English literals: in the Vietnamese
    admin each is named in Vietnamese (title and accessible name), its
    heading choices too, and its picker's mark is drawn, not a glyph the
    admin's fonts lack."""
    log_in(browser, live_server, client)
    english, english_choices, _caret = toolbar(
        browser, f"{live_server.url}/en/admin/events/announcement/add/"
    )
    named, choices, caret = toolbar(browser, f"{live_server.url}/vi/admin/events/announcement/add/")
    assert len(named) == len(english) > 20
    untranslated = [
        title for (title, _label), (was, _) in zip(named, english, strict=True) if title == was
    ]
    assert untranslated == ["HTML"] * untranslated.count("HTML")
    assert all(label in (None, title) for title, label in named)
    assert ["Chữ đậm", "Chữ đậm"] in named and ["Hoàn tác", "Hoàn tác"] in named
    assert english_choices == ["Heading 2", "Heading 3", "Heading 4", "Paragraph"]
    assert choices == ["Tiêu đề cấp 2", "Tiêu đề cấp 3", "Tiêu đề cấp 4", "Đoạn văn"]
    assert caret == '""'
    # A dialog of its own, from the same catalogue.
    editor = browser.find_element(By.CSS_SELECTOR, ".ProseMirror[contenteditable]")
    editor.click()
    editor.send_keys("Hội nghị")
    browser.execute_script(
        "const p = document.querySelector('.ProseMirror[contenteditable] p');"
        "const range = document.createRange(); range.selectNodeContents(p);"
        "getSelection().removeAllRanges(); getSelection().addRange(range);"
    )
    browser.find_element(By.CSS_SELECTOR, '.prose-menubar [data-name="link"]').click()
    dialog = WebDriverWait(browser, 10).until(
        lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, "dialog") if e.is_displayed()]
    )[0]
    assert dialog.text.split("\n") == [
        "Sửa liên kết",
        "Địa chỉ (URL)",
        "Tiêu đề",
        "Cập nhật",
        "Hủy",
    ]
    screenshot(browser, "editor-link-dialog-vi")


def test_a_deleted_meeting_is_confirmed_first_and_recovered_from_the_history(
    live_server, browser, client, screenshot
):
    with reversion.create_revision():
        meeting = factories.meeting(title_vi="Hội nghị bị xoá nhầm", title_en="Deleted meeting")
        Participation.objects.create(
            meeting=meeting, country=factories.country(), delegation_head="Bộ trưởng"
        )
        meeting.save()
    log_in(browser, live_server, client)
    wait = WebDriverWait(browser, 10)
    browser.get(f"{live_server.url}/vi/admin/events/meeting/{meeting.pk}/delete/")
    # A confirmation first: nothing is gone yet.
    assert "Bạn có chắc" in browser.page_source
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    browser.find_element(By.CSS_SELECTOR, "form input[type=submit]").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist"))
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    screenshot(browser, "admin-deleted")

    # The undo: the message links to the deleted items.
    browser.find_element(By.LINK_TEXT, "Khôi phục từ các mục đã xoá.").click()
    wait.until(lambda d: "Hội nghị bị xoá nhầm" in d.page_source)
    browser.find_element(By.CSS_SELECTOR, "#content th a").click()
    wait.until(lambda d: d.find_elements(By.NAME, "_save"))
    assert "Bấm nút Lưu bên dưới để khôi phục" in browser.page_source
    browser.find_element(By.NAME, "_save").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist"))
    recovered = Meeting.objects.get(pk=meeting.pk)
    assert (recovered.title_vi, recovered.title_en) == ("Hội nghị bị xoá nhầm", "Deleted meeting")
    assert list(recovered.participations.values_list("delegation_head", flat=True)) == ["Bộ trưởng"]

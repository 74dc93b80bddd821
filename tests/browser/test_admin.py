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

"""Two editors in two browsers open the same item; the second save is refused
in Vietnamese, names who saved first, shows what they saved, and keeps what
the second editor typed, until the second editor saves again knowingly."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from asean_portal.core.publishing import Status
from events.models import Announcement
from tests import factories
from tests.browser.conftest import make_driver
from tests.browser.test_revisions import ADMIN, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_browser(browser_available):
    driver = make_driver()
    yield driver
    driver.quit()


def open_and_type(browser, url, title):
    browser.get(url)
    field = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "id_title_vi"))
    field.clear()
    field.send_keys(title)


def save(browser):
    # The page before the click may hold a message too: wait for the next one.
    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.NAME, "_continue").click()
    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(before))
    return WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".messagelist, .errornote")
    )


def test_two_browsers_the_second_save_is_refused_and_nothing_typed_is_lost(
    live_server, browser, second_browser, screenshot
):
    factories.ensure_roles()
    an = factories.staff(role="Chief editor", first_name="An", last_name="Phạm")
    binh = factories.staff(role="Chief editor", first_name="Bình", last_name="Lê")
    item = factories.announcement(title_vi="Tiêu đề gốc", status=Status.DRAFT, publish_at=None)
    url = f"{live_server.url}{ADMIN}{item.pk}/change/"
    sign_in_as(browser, live_server, an)
    sign_in_as(second_browser, live_server, binh)

    # Both open the form before either saves.
    open_and_type(browser, url, "Tiêu đề của An")
    open_and_type(second_browser, url, "Tiêu đề của Bình")

    assert "messagelist" in save(browser).get_attribute("class")
    assert Announcement.objects.get(pk=item.pk).title_vi == "Tiêu đề của An"

    refusal = save(second_browser)
    page = second_browser.find_element(By.TAG_NAME, "body").text
    screenshot(second_browser, "refused")
    assert "errornote" in refusal.get_attribute("class")
    assert "Phạm An" in page or "An Phạm" in page
    assert "giờ Hà Nội" in page
    assert "Tiêu đề của An" in page  # what was saved meanwhile, beside the field
    typed = second_browser.find_element(By.ID, "id_title_vi").get_attribute("value")
    assert typed == "Tiêu đề của Bình"
    assert Announcement.objects.get(pk=item.pk).title_vi == "Tiêu đề của An"

    # Having read the difference, the second editor saves on purpose.
    assert "messagelist" in save(second_browser).get_attribute("class")
    assert Announcement.objects.get(pk=item.pk).title_vi == "Tiêu đề của Bình"

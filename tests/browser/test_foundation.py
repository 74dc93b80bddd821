"""The public shell in Debian's headless Chromium: languages and font size."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def html_lang(driver):
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def root_font_px(driver):
    return driver.execute_script(
        "return parseFloat(getComputedStyle(document.documentElement).fontSize)"
    )


def wait_until(driver, condition, timeout=10):
    WebDriverWait(driver, timeout).until(lambda d: condition(d))


def test_home_page_in_both_languages_and_switching(live_server, browser, screenshot):
    browser.get(f"{live_server.url}/vi/")
    assert html_lang(browser) == "vi"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Cổng thông tin Hợp tác ASEAN"
    screenshot(browser, "home-vi")

    browser.find_element(By.CSS_SELECTOR, '.language-switcher a[hreflang="en"]').click()
    wait_until(browser, lambda d: d.current_url.endswith("/en/"))
    assert html_lang(browser) == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "ASEAN Cooperation Portal"
    screenshot(browser, "home-en")

    # The switcher keeps the page, not just the language.
    browser.find_element(By.LINK_TEXT, "News").click()
    wait_until(browser, lambda d: d.current_url.endswith("/en/news/"))
    browser.find_element(By.CSS_SELECTOR, '.language-switcher a[hreflang="vi"]').click()
    wait_until(browser, lambda d: d.current_url.endswith("/vi/tin-tuc/"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Tin tức"

    # The bare address now leads back to the language last read.
    browser.get(f"{live_server.url}/")
    assert browser.current_url == f"{live_server.url}/vi/"


def test_font_size_is_remembered_on_the_next_page(live_server, any_browser, screenshot):
    driver = any_browser
    driver.get(f"{live_server.url}/vi/")
    assert "font-normal" in driver.find_element(By.TAG_NAME, "html").get_attribute("class")

    driver.find_element(By.CSS_SELECTOR, '.font-option[data-value="large"]').click()
    wait_until(
        driver, lambda d: "font-large" in d.find_element(By.TAG_NAME, "html").get_attribute("class")
    )
    large = driver.find_element(By.CSS_SELECTOR, '.font-option[data-value="large"]')
    assert large.get_attribute("aria-current") == "true"

    driver.find_element(By.LINK_TEXT, "Hội nghị").click()
    wait_until(driver, lambda d: d.current_url.endswith("/vi/hoi-nghi/"))
    html = driver.find_element(By.TAG_NAME, "html")
    assert "font-large" in html.get_attribute("class")
    if driver.javascript:  # computed style needs a script to read it
        assert root_font_px(driver) == pytest.approx(20.0)
    screenshot(driver, "meetings-large-text")

    driver.find_element(By.CSS_SELECTOR, '.font-option[data-value="small"]').click()
    wait_until(
        driver, lambda d: "font-small" in d.find_element(By.TAG_NAME, "html").get_attribute("class")
    )
    driver.refresh()
    assert "font-small" in driver.find_element(By.TAG_NAME, "html").get_attribute("class")

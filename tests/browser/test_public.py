"""The public site in Debian's headless Chromium: accessibility audit with
axe-core, keyboard use, language switching, reading preferences, search and
printing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from civil_service.models import Activity, Document
from events.models import Announcement, Country, Meeting
from priorities.models import Chairmanship, Priority
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "assets" / "axe-core" / "axe.min.js").read_text()
ARTICLE_SLUG = (
    "thuc-day-hop-tac-trong-van-de-cong-vu-cac-nuoc-asean-va-3-quoc-gia-doi-tac-doi-thoai"
)


@pytest.fixture
def seeded():
    call_command("load_seed_content", stdout=StringIO())


def page_types():
    """One address of every page type, in both languages."""
    samples = [
        Announcement.objects.get(slug_vi=ARTICLE_SLUG),
        Meeting.objects.get(series__code="ACCSM+3", ordinal=6),
        Chairmanship.objects.get(year=2020),
        Priority.objects.get(number=2),
        Activity.objects.get(number=1),
        Document.objects.get(number="1439/QĐ-TTg"),
        Country.objects.get(iso_code="VN"),
        Announcement.objects.get(slug_vi=ARTICLE_SLUG).category,
        Activity.objects.get(number=1).work_plan,
    ]
    urls = []
    for language in ("vi", "en"):
        with translation.override(language):
            urls += [obj.get_absolute_url() for obj in samples]
    urls += [
        "/vi/",
        "/en/",
        "/vi/tin-tuc/",
        "/en/news/",
        "/vi/hoi-nghi/",
        "/en/meetings/",
        "/vi/hoi-nghi/lich/",
        "/en/meetings/calendar/",
        "/vi/uu-tien/",
        "/en/priorities/",
        "/vi/ke-hoach-lam-viec/",
        "/en/work-plan/",
        "/vi/ke-hoach-lam-viec/van-ban/",
        "/en/work-plan/documents/",
        "/vi/tim-kiem/?q=cong+vu",
        "/en/search/?q=civil+service",
        "/en/search/",
        "/vi/gioi-thieu/",
        "/en/about/",
        "/vi/khong-co-trang-nay/",
        "/en/no-such-page/",
    ]
    return urls


def axe_violations(driver):
    driver.execute_script(AXE)
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
        axe.run(document, {runOnly: {type: "tag", values: tags}})
          .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
                summary: v.nodes.length ? v.nodes[0].failureSummary : ""}))))
          .catch(e => done([{id: "axe-error", targets: [], summary: String(e)}]));
        """
    )
    return result


def test_every_page_type_passes_an_axe_audit_in_both_languages(
    live_server, browser, seeded, screenshot
):
    browser.set_script_timeout(60)
    failures = {}
    urls = page_types()
    for url in urls:
        browser.get(live_server.url + url)
        if url in ("/vi/", "/en/"):
            screenshot(browser, f"home-{url.strip('/')}")
        violations = axe_violations(browser)
        if violations:
            failures[url] = violations
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-violations.json").write_text(
        json.dumps(failures, indent=1, ensure_ascii=False)
    )
    assert len(urls) >= 36
    assert failures == {}


def test_high_contrast_mode_passes_too(live_server, browser, seeded):
    browser.set_script_timeout(60)
    browser.get(f"{live_server.url}/vi/")
    browser.find_element(By.CSS_SELECTOR, ".contrast-option").click()
    WebDriverWait(browser, 10).until(
        lambda d: "contrast-high" in d.find_element(By.TAG_NAME, "html").get_attribute("class")
    )
    for url in ("/vi/", f"/vi/tin-tuc/{ARTICLE_SLUG}/", "/en/work-plan/"):
        browser.get(live_server.url + url)
        assert "contrast-high" in browser.find_element(By.TAG_NAME, "html").get_attribute("class")
        assert axe_violations(browser) == [], url


def test_keyboard_only_reaches_a_news_item(live_server, browser, seeded, screenshot):
    browser.get(f"{live_server.url}/vi/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip-link"
    assert active.is_displayed()  # the skip link shows when focused
    active.send_keys(Keys.ENTER)
    for _ in range(80):
        active = browser.switch_to.active_element
        href = active.get_attribute("href") or ""
        if "/vi/tin-tuc/" in href and href.rstrip("/").split("/")[-1] not in (
            "tin-tuc",
            "rss",
            "atom",
        ):
            break
        active.send_keys(Keys.TAB)
    else:
        pytest.fail("no news item reachable with the Tab key")
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    screenshot(browser, "keyboard-focus")
    active.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article h1"))
    assert "/vi/tin-tuc/" in browser.current_url


def test_language_switch_on_a_detail_page_keeps_the_item(live_server, browser, seeded, screenshot):
    browser.get(f"{live_server.url}/vi/tin-tuc/{ARTICLE_SLUG}/")
    screenshot(browser, "news-detail-vi")
    browser.find_element(By.CSS_SELECTOR, '.language-switcher a[hreflang="en"]').click()
    WebDriverWait(browser, 10).until(lambda d: "/en/news/" in d.current_url)
    assert browser.current_url.endswith(
        "/en/news/promoting-civil-service-cooperation-between-asean-and-three-dialogue-partners/"
    )
    assert browser.find_element(By.TAG_NAME, "h1").text == (
        "Promoting Civil Service Cooperation between ASEAN and Three Dialogue Partners"
    )
    # The English body is the portal's translation, and says so.
    assert browser.find_element(By.CSS_SELECTOR, "article .body").get_attribute("lang") != "vi"
    assert browser.find_element(By.CSS_SELECTOR, ".notice-translation").is_displayed()
    screenshot(browser, "news-detail-en")


def test_font_size_and_contrast_persist_across_pages(live_server, any_browser, seeded):
    driver = any_browser
    driver.get(f"{live_server.url}/en/")
    driver.find_element(By.CSS_SELECTOR, '.font-option[data-value="large"]').click()
    driver.find_element(By.CSS_SELECTOR, ".contrast-option").click()

    def classes(d):
        return d.find_element(By.TAG_NAME, "html").get_attribute("class")

    def toggle(d):
        return d.find_element(By.CSS_SELECTOR, ".contrast-option").text

    WebDriverWait(driver, 10).until(
        lambda d: "font-large" in classes(d) and "contrast-high" in classes(d)
    )
    # The toggle says what it does next, with the script and without it.
    assert toggle(driver) == "Standard contrast"
    driver.find_element(By.LINK_TEXT, "Work plan").click()
    WebDriverWait(driver, 10).until(lambda d: "/en/work-plan/" in d.current_url)
    assert "font-large" in classes(driver) and "contrast-high" in classes(driver)
    assert toggle(driver) == "Standard contrast"
    driver.find_element(By.CSS_SELECTOR, ".contrast-option").click()
    WebDriverWait(driver, 10).until(lambda d: "contrast-normal" in classes(d))
    assert toggle(driver) == "High contrast"
    driver.refresh()
    assert "contrast-normal" in classes(driver) and "font-large" in classes(driver)
    assert toggle(driver) == "High contrast"


def test_search_from_the_header(live_server, any_browser, seeded):
    driver = any_browser
    driver.get(f"{live_server.url}/vi/hoi-nghi/")
    box = driver.find_element(By.ID, "header-q")
    box.send_keys("cong vu")
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: "/vi/tim-kiem/" in d.current_url)
    results = driver.find_elements(By.CSS_SELECTOR, ".search-results h2 a")
    assert any("công vụ" in link.text for link in results)
    assert driver.find_elements(By.CSS_SELECTOR, ".search-results mark")


def test_print_stylesheet_shows_only_the_article(live_server, browser, seeded, screenshot):
    browser.get(f"{live_server.url}/vi/tin-tuc/{ARTICLE_SLUG}/")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})

    def shown(selector):
        return browser.execute_script(
            "const e = document.querySelector(arguments[0]);"
            "return e && getComputedStyle(e).display !== 'none';",
            selector,
        )

    assert not shown(".nav-bar") and not shown(".site-footer") and not shown(".article-tools")
    assert not shown(".breadcrumbs")
    assert shown("article h1") and shown("article .body")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    # The print view link gives the same layout on screen.
    browser.get(f"{live_server.url}/vi/tin-tuc/{ARTICLE_SLUG}/?print=1")
    assert not shown(".nav-bar") and shown("article .body")
    # On a screen it leads back to the page, and keeps a margin on a phone.
    back = browser.find_element(By.CSS_SELECTOR, ".print-back a")
    assert back.text == "Quay lại trang"
    assert back.get_attribute("href") == f"{live_server.url}/vi/tin-tuc/{ARTICLE_SLUG}/"
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": False},
    )
    left = browser.execute_script(
        "return document.querySelector('article .body').getBoundingClientRect().left"
    )
    assert left >= 12, left
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not shown(".print-back")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    screenshot(browser, "print-view")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    assert len(pdf["data"]) > 10000

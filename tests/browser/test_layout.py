"""Phone and tablet widths in Chromium: no page scrolls sideways, at any of the
reading sizes, and the header folds into a menu button."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_public import page_types, seeded  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 768)

OVERFLOW = """
const limit = window.innerWidth;
const wide = [];
for (const el of document.querySelectorAll("body *")) {
  const box = el.getBoundingClientRect();
  if (box.width && box.right > limit + 1) {
    wide.push(el.tagName.toLowerCase() + "." + el.className + " " + Math.round(box.right));
  }
}
return [document.documentElement.scrollWidth, limit, wide.slice(0, 5)];
"""


def emulate(browser, width, height=844):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def set_font(browser, live_server, size):
    browser.get(live_server.url + "/vi/")
    browser.add_cookie({"name": "portal_font", "value": size, "path": "/"})


@pytest.mark.parametrize("font", ["medium", "large"], ids=["A", "A+"])
def test_no_page_scrolls_sideways_on_a_phone_or_tablet(live_server, browser, seeded, font):  # noqa: F811
    set_font(browser, live_server, font)
    failures = {}
    for url in page_types():
        emulate(browser, WIDTHS[0])
        browser.get(live_server.url + url)
        for width in WIDTHS:
            emulate(browser, width)
            document_width, window_width, wide = browser.execute_script(OVERFLOW)
            if document_width > window_width:
                failures[f"{url} @{width}"] = (document_width, wide)
    assert failures == {}


def test_the_header_folds_into_a_menu_on_a_phone(live_server, browser, seeded):  # noqa: F811
    emulate(browser, 390)
    for url in ("/vi/", "/en/work-plan/"):
        browser.get(live_server.url + url)
        header = browser.find_element(By.CSS_SELECTOR, ".site-header")
        assert header.size["height"] < 844 * 0.2, header.size
        button = browser.find_element(By.CSS_SELECTOR, ".menu-button")
        nav = browser.find_element(By.CSS_SELECTOR, ".main-nav")
        assert button.is_displayed() and not nav.is_displayed()
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        WebDriverWait(browser, 5).until(lambda d, nav=nav: nav.is_displayed())
        assert button.get_attribute("aria-expanded") == "true"
        assert browser.find_element(By.ID, "header-q").is_displayed()
        button.click()
        WebDriverWait(browser, 5).until(lambda d, nav=nav: not nav.is_displayed())
    emulate(browser, 1366, 768)
    browser.get(live_server.url + "/en/")
    assert not browser.find_element(By.CSS_SELECTOR, ".menu-button").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, ".main-nav").is_displayed()


# The header's height, and the tops of the languages and of the menu button.
HEADER_ROWS = """
const top = (selector) => Math.round(document.querySelector(selector).getBoundingClientRect().top);
return [document.querySelector(".site-header").getBoundingClientRect().height,
        top(".language-switcher"), top(".menu-button")];
"""


@pytest.mark.parametrize("width", [320, 390])
def test_the_header_takes_two_rows_on_a_phone_in_either_language(
    live_server,
    browser,
    seeded,  # noqa: F811
    width,
):
    """The name, then the languages and the menu button on one row: the
    longer Vietnamese names do not push the button to a third row at 320 px
    (with a scrollbar that takes room, as a desktop browser's does)."""
    emulate(browser, width, 700)
    for url in ("/vi/", "/en/"):
        browser.get(live_server.url + url)
        height, languages, button = browser.execute_script(HEADER_ROWS)
        assert height < 110 and abs(languages - button) < 12, (url, height, languages, button)


def test_without_javascript_the_menu_is_open_on_a_phone(live_server, seeded):  # noqa: F811
    from tests.browser.conftest import make_driver

    driver = make_driver(javascript=False)
    try:
        emulate(driver, 390)
        driver.get(live_server.url + "/vi/")
        assert driver.find_element(By.CSS_SELECTOR, ".main-nav").is_displayed()
        assert not driver.find_element(By.CSS_SELECTOR, ".menu-button").is_displayed()
        assert driver.execute_script(OVERFLOW)[0] <= 390
    finally:
        driver.quit()


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)])
def test_the_first_search_result_is_on_the_first_screen(
    live_server,
    browser,
    seeded,  # noqa: F811
    width,
    height,
):
    emulate(browser, width, height)
    for url in ("/vi/tim-kiem/?q=cong+vu", "/en/search/?q=civil+service"):
        browser.get(live_server.url + url)
        box = browser.find_element(By.ID, "search-q")
        assert box.size["height"] < 60, box.size
        assert browser.find_element(By.ID, "search-year").size["height"] < 60
        first = browser.find_element(By.CSS_SELECTOR, ".search-results h2")
        assert first.location["y"] + first.size["height"] <= height, first.location


def test_escape_closes_the_menu_and_returns_focus_to_its_button(live_server, browser, seeded):  # noqa: F811
    emulate(browser, 390)
    for url in ("/vi/", "/en/meetings/"):
        browser.get(live_server.url + url)
        button = browser.find_element(By.CSS_SELECTOR, ".menu-button")
        nav = browser.find_element(By.CSS_SELECTOR, ".main-nav")
        # From the button itself, from a link of the menu and from its search box.
        for inside in (".menu-button", ".main-nav a", "#header-q"):
            button.click()
            WebDriverWait(browser, 5).until(lambda d, nav=nav: nav.is_displayed())
            assert button.get_attribute("aria-expanded") == "true"
            browser.execute_script("document.querySelector(arguments[0]).focus()", inside)
            if inside != ".menu-button":
                assert browser.switch_to.active_element != button
            browser.switch_to.active_element.send_keys(Keys.ESCAPE)
            WebDriverWait(browser, 5).until(lambda d, nav=nav: not nav.is_displayed())
            assert button.get_attribute("aria-expanded") == "false"
            assert browser.switch_to.active_element == button
        # With the menu closed, Escape leaves the focus where it is.
        link = browser.find_element(By.CSS_SELECTOR, "main a")
        browser.execute_script("arguments[0].focus()", link)
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        assert browser.switch_to.active_element == link
        assert button.get_attribute("aria-expanded") == "false"


BROKEN_WORDS = """
const broken = [];
for (const link of document.querySelectorAll(arguments[0])) {
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
}
return broken;
"""

SHOWN_DAYS = """
return [...document.querySelectorAll(".calendar td")]
  .filter((cell) => cell.getClientRects().length)
  .map((cell) => [cell.innerText.split("\\n")[0].trim(), cell.querySelectorAll("a").length]);
"""


@pytest.mark.parametrize("font", ["medium", "large"], ids=["A", "A+"])
def test_the_calendar_is_a_list_of_the_days_with_meetings_on_a_phone(
    live_server,
    browser,
    seeded,  # noqa: F811
    font,
):
    set_font(browser, live_server, font)
    days = {
        # The seed's meetings of August 2022: the 3rd to the 5th.
        "/vi/hoi-nghi/lich/?month=2022-08": [
            ["Thứ 4, ngày 3 tháng 8", 3],
            ["Thứ 5, ngày 4 tháng 8", 2],
            ["Thứ 6, ngày 5 tháng 8", 1],
        ],
        "/en/meetings/calendar/?month=2022-08": [
            ["Wednesday, 3 August", 3],
            ["Thursday, 4 August", 2],
            ["Friday, 5 August", 1],
        ],
    }
    for url, expected in days.items():
        emulate(browser, 390)
        browser.get(live_server.url + url)
        # Each day that has meetings, named in full, with its meetings under it;
        # the other days and the weekday columns are not shown.
        assert browser.execute_script(SHOWN_DAYS) == expected
        assert not browser.find_element(By.CSS_SELECTOR, ".calendar thead").is_displayed()
        assert browser.execute_script(BROKEN_WORDS, ".calendar td a") == []
        # On a wide screen, the month's grid of seven columns.
        emulate(browser, 1366, 768)
        browser.get(live_server.url + url)
        headers = browser.find_elements(By.CSS_SELECTOR, ".calendar thead th")
        assert len(headers) == 7 and all(header.is_displayed() for header in headers)
        assert len(browser.execute_script(SHOWN_DAYS)) == 35
        assert browser.execute_script(BROKEN_WORDS, ".calendar td a") == []


def edge_shading(browser, region):
    """How much darker than the page the left and right edges of a scrolling
    region's rows are (0: not at all), with the table's text and lines made
    transparent so that only a hint painted at the edges can count."""
    from io import BytesIO

    from PIL import Image

    browser.execute_script(
        "document.styleSheets[0].insertRule("
        "'.table-scroll th, .table-scroll td, .table-scroll caption "
        "{ color: transparent !important; border-color: transparent !important; }')"
    )
    image = Image.open(BytesIO(region.screenshot_as_png)).convert("L")
    top, bottom = browser.execute_script(
        "const [region, body] = [arguments[0], arguments[0].querySelector('tbody')];"
        "const r = region.getBoundingClientRect(), b = body.getBoundingClientRect();"
        "return [Math.round(b.top - r.top) + 2, Math.round(b.bottom - r.top) - 2];",
        region,
    )
    width = region.size["width"]
    browser.execute_script("document.styleSheets[0].deleteRule(0)")

    def darkness(left):
        pixels = [image.getpixel((x, y)) for x in range(left, left + 4) for y in range(top, bottom)]
        return 255 - min(pixels)

    return darkness(0), darkness(width - 4)


def test_a_table_wider_than_a_phone_shows_the_edge_where_it_scrolls_on(
    live_server,
    browser,
    seeded,  # noqa: F811
):
    emulate(browser, 390)
    scrolled = []
    for url in ("/en/work-plan/", "/vi/ke-hoach-lam-viec/"):
        browser.get(live_server.url + url)
        region = browser.find_element(By.CSS_SELECTOR, ".table-scroll")
        scrolls = "return arguments[0].scrollWidth - arguments[0].clientWidth"
        cue = browser.find_element(By.CSS_SELECTOR, ".scroll-cue")
        if not browser.execute_script(scrolls, region) > 0:
            # This table fits: nothing to hint at, and no cue to scroll.
            assert not cue.is_displayed() and not region.get_attribute("aria-describedby"), url
            continue
        assert cue.is_displayed()
        assert region.get_attribute("aria-describedby") == "timeline-table-cue"
        scrolled.append(url)
        left, right = edge_shading(browser, region)
        assert left == 0 and right > 20, (url, left, right)
        browser.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth", region)
        left, right = edge_shading(browser, region)
        assert left > 20 and right == 0, (url, left, right)
    assert "/en/work-plan/" in scrolled
    assert "/vi/ke-hoach-lam-viec/" not in scrolled  # the cue's hiding is tried
    # On a wide screen the table fits and no edge is shaded.
    emulate(browser, 1366, 768)
    browser.get(live_server.url + "/en/work-plan/")
    region = browser.find_element(By.CSS_SELECTOR, ".table-scroll")
    assert edge_shading(browser, region) == (0, 0)


def test_the_activity_cards_on_a_phone_show_no_label_without_a_value(
    live_server,
    browser,
    seeded,  # noqa: F811
):
    emulate(browser, 390)
    for url in ("/en/work-plan/", "/vi/ke-hoach-lam-viec/"):
        browser.get(live_server.url + url)
        lines = browser.execute_script(
            "return [...document.querySelectorAll('.stack-table td[data-label]')]"
            ".filter((cell) => cell.getClientRects().length)"
            ".map((cell) => [cell.dataset.label, cell.innerText.trim()]);"
        )
        assert len(lines) > 10
        # A cell shows its label before its text ("Status: In progress"); a
        # cell without text would show the label alone.
        assert [label for label, text in lines if not text] == []
        # The caption, "Activities (4)", is on one line.
        assert (
            browser.execute_script(
                "const range = document.createRange();"
                "range.selectNodeContents(document.querySelector('.stack-table caption'));"
                "return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;"
            )
            == 1
        )


TARGETS = """
const sizes = (selector) => [...document.querySelectorAll(selector)]
  .map((el) => [el.getBoundingClientRect(), el.textContent.trim()])
  .filter(([box]) => box.width)
  .map(([box, text]) => [text, Math.round(box.width), Math.round(box.height)]);
return [sizes(".article-tools a"), sizes(".breadcrumbs a, .site-footer a")];
"""


def test_the_print_share_breadcrumb_and_footer_links_are_targets_a_thumb_can_hit(
    live_server,
    browser,
    seeded,  # noqa: F811
):
    """WCAG 2.5.8: a link that is not a word in a sentence is at least 24 px
    each way; the print and share links, used on a phone, 44 px."""
    emulate(browser, 390)
    small, tools = {}, 0
    for url in page_types():
        browser.get(live_server.url + url)
        article_tools, crumbs = browser.execute_script(TARGETS)
        tools += len(article_tools)
        small[url] = [link for link in article_tools if min(link[1:]) < 44] + [
            link for link in crumbs if min(link[1:]) < 24
        ]
    assert tools > 20  # the print and share links of every detail page were measured
    assert {url: links for url, links in small.items() if links} == {}


def test_the_keyboard_focus_ring_stands_out_on_the_white_page_and_the_blue_bar(
    live_server,
    browser,
    seeded,  # noqa: F811
):
    """WCAG 1.4.11: the focus ring contrasts at least 3:1 with what is around
    it, on the page (the footer's light tint) and in the navigation bar (blue)."""
    from io import BytesIO

    from PIL import Image

    def luminance(rgb):
        def channel(value):
            value /= 255
            return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

        red, green, blue = (channel(value) for value in rgb[:3])
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    def ring_contrast(selector):
        link = browser.find_element(By.CSS_SELECTOR, selector)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        background = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return [Math.round(r.left) - 12, Math.round(r.top + r.height / 2)];",
            link,
        )
        page = Image.open(BytesIO(browser.get_screenshot_as_png())).convert("RGB")
        around = luminance(page.getpixel(tuple(background)))
        # After a key press, Chromium shows the ring of a focused element.
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.SHIFT)
        assert browser.execute_script(
            "arguments[0].focus(); return arguments[0].matches(':focus-visible')", link
        )
        left, top = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return [Math.round(r.left), Math.round(r.top + r.height / 2)];",
            link,
        )
        page = Image.open(BytesIO(browser.get_screenshot_as_png())).convert("RGB")
        ring = [luminance(page.getpixel((left - offset, top))) for offset in range(1, 8)]
        return max((max(value, around) + 0.05) / (min(value, around) + 0.05) for value in ring)

    emulate(browser, 1280, 900)
    browser.get(live_server.url + "/en/news/")
    assert ring_contrast(".site-footer a") >= 3
    assert ring_contrast(".nav-bar a") >= 3

"""The admin on a 1366×768 desktop in Chromium: no change list or change form
of a content type scrolls sideways in /vi/admin/."""

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from asean_portal.core.publishing import Status
from tests import factories
from tests.browser.test_admin import log_in
from tests.browser.test_layout import OVERFLOW, emulate
from tests.core.test_admin import MAKERS, admin_url
from tests.core.test_roles import CONTENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = (
    "Hội nghị Bộ trưởng ASEAN phụ trách công vụ lần thứ 21 và các hội nghị liên quan "
    "tại Đà Nẵng, Việt Nam"
)


# The change list's table inside its own region: its full width, the width
# shown, and the width of its title column.
RESULTS = """
const region = document.querySelector("#changelist .results");
if (!region) return null;
const first = [".field-title", ".field-theme", ".field-name", "th"]
  .map((name) => region.querySelector("tbody tr " + name))
  .find(Boolean);
return [region.scrollWidth, region.clientWidth, first ? first.getBoundingClientRect().width : 999];
"""


def long_item(label):
    item = MAKERS[label]()
    for name in ("title_vi", "name_vi"):
        if hasattr(item, name):
            type(item)._default_manager.filter(pk=item.pk).update(**{name: LONG_TITLE})
    return item


def test_no_admin_page_of_a_content_type_scrolls_sideways_at_1366(
    live_server, browser, client, screenshot
):
    log_in(browser, live_server, client)
    emulate(browser, 1366, 768)
    failures = {}
    for label in CONTENT:
        item = long_item(label)
        for url in (admin_url(label), admin_url(label, suffix=f"{item.pk}/change/")):
            browser.get(live_server.url + url)
            WebDriverWait(browser, 10).until(
                lambda d: d.execute_script("return document.readyState") == "complete"
            )
            document_width, window_width, wide = browser.execute_script(OVERFLOW)
            results = browser.execute_script(RESULTS)
            if document_width > window_width or (results and results[0] > results[1]):
                failures[url] = (document_width, window_width, wide, results)
                screenshot(browser, url.strip("/").replace("/", "-"))
            if results and results[2] < 200:
                failures[url] = ("title column", results)
    assert failures == {}


# The boxes of the main column's first fieldset and of the publication's.
COLUMNS = """
const main = document.querySelector(".form-main fieldset");
const side = document.querySelector(".form-sidebar fieldset.publication-sidebar");
if (!main || !side) return null;
const a = main.getBoundingClientRect();
const b = side.getBoundingClientRect();
return [a.left, a.right, a.top, b.left, b.right, b.top, b.width];
"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_publication_is_at_the_right_of_the_content_at_1366(
    live_server, browser, client, screenshot, language
):
    log_in(browser, live_server, client)
    emulate(browser, 1366, 768)
    failures = {}
    for label in CONTENT:
        item = long_item(label)
        url = admin_url(label, language, suffix=f"{item.pk}/change/")
        browser.get(live_server.url + url)
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        columns = browser.execute_script(COLUMNS)
        document_width, window_width, wide = browser.execute_script(OVERFLOW)
        if (
            columns is None
            or columns[3] < columns[1]  # the sidebar starts right of the content
            or abs(columns[5] - columns[2]) > 40  # side by side, at the top
            or columns[6] < 250  # wide enough to read
            or document_width > window_width
        ):
            failures[url] = (columns, document_width, window_width, wide)
            screenshot(browser, url.strip("/").replace("/", "-"))
    screenshot(browser, f"publication-sidebar-{language}")
    assert failures == {}


def test_below_1200_the_publication_follows_the_content(live_server, browser, client):
    log_in(browser, live_server, client)
    emulate(browser, 1024, 768)
    item = long_item("events.meeting")
    browser.get(live_server.url + admin_url("events.meeting", suffix=f"{item.pk}/change/"))
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    main_left, _right, main_top, side_left, _side_right, side_top, _width = browser.execute_script(
        COLUMNS
    )
    # Stacked in the order of work: the same left edge, below the content.
    assert abs(side_left - main_left) < 2 and side_top > main_top
    document_width, window_width, wide = browser.execute_script(OVERFLOW)
    assert document_width <= window_width, wide


# The date and time shortcuts of a split date-time field: their icons' boxes.
SHORTCUTS = """
return Array.from(document.querySelectorAll(".datetimeshortcuts a")).map((link) => {
  const box = (link.querySelector("span") || link).getBoundingClientRect();
  return [link.id || link.className, Math.round(box.width), Math.round(box.height)];
});
"""


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("action", ["schedule", "publish"])
def test_the_transition_pages_are_styled_as_admin_forms_with_their_date_pickers(
    live_server, browser, client, screenshot, action, width
):
    log_in(browser, live_server, client)
    emulate(browser, width)
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    browser.get(f"{live_server.url}/vi/admin/events/announcement/{item.pk}/publishing/{action}/")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    # The admin's form styles (which bring the widgets' own) are loaded.
    sheets = browser.execute_script(
        "return Array.from(document.styleSheets).map((s) => s.href || '')"
    )
    if not any("admin/css/forms" in sheet for sheet in sheets):
        screenshot(browser, f"transition-{action}-{width}")
    assert any("admin/css/forms" in sheet for sheet in sheets), sheets
    if action == "schedule":
        shortcuts = browser.execute_script(SHORTCUTS)
        icons = [entry for entry in shortcuts if entry[0].startswith(("calendarlink", "clocklink"))]
        assert icons, shortcuts
        assert all(w >= 16 and h >= 16 for _name, w, h in icons), icons

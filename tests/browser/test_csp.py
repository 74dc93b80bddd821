"""The Content-Security-Policy holds in Chromium: no page of the public site
or of the admin (with its language tabs and rich text editor) triggers a
violation, and an injected inline script is blocked."""

import pytest
from selenium.webdriver.common.by import By

from tests import factories
from tests.browser.test_admin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile);
});
"""


def violations(browser):
    return browser.execute_script("return window.__csp || [];")


def test_no_page_violates_the_policy(live_server, browser, client):
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    item = factories.announcement()
    meeting = factories.meeting()
    found = {}
    for path in (
        "/vi/",
        "/en/",
        item.get_absolute_url(),
        meeting.get_absolute_url(),
        "/vi/ke-hoach-lam-viec/",
        "/en/search/?q=news",
    ):
        browser.get(live_server.url + path)
        found[path] = violations(browser)
    log_in(browser, live_server, client)
    for path in (
        f"/vi/admin/events/announcement/{item.pk}/change/",
        "/en/admin/events/announcement/add/",
        f"/vi/admin/events/announcement/{item.pk}/publishing/schedule/",
        "/en/staff/agenda/",
    ):
        browser.get(live_server.url + path)
        browser.find_element(By.TAG_NAME, "body")
        found[path] = violations(browser)
    assert {path: seen for path, seen in found.items() if seen} == {}


def test_an_injected_inline_script_is_blocked(live_server, browser):
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    browser.get(live_server.url + "/vi/")
    browser.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__ran = true';"
        "document.body.appendChild(s);"
    )
    assert browser.execute_script("return window.__ran === true") is False
    assert any("script-src" in entry for entry in violations(browser))

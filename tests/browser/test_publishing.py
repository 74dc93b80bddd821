"""What a journalist and a reader see of scheduled publishing, in Chromium:
the embargo banner, the refused link and the withdrawn page, in both
languages, with an axe-core audit."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from selenium.webdriver.common.by import By

from asean_portal.core.publishing import Status, item_unpublish
from events.models import EmbargoLink
from tests import factories
from tests.browser.test_public import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_embargo_banner_refusal_and_withdrawn_page(live_server, browser, screenshot):
    due = timezone.now() + timedelta(hours=3)
    item = factories.announcement(status=Status.SCHEDULED, publish_at=due)
    link = EmbargoLink.objects.create(
        announcement=item, recipient="Phóng viên", expires_at=due - timedelta(minutes=5)
    )
    failures = {}
    for language in ("vi", "en"):
        with translation.override(language):
            browser.get(live_server.url + link.get_absolute_url())
        banner = browser.find_element(By.CSS_SELECTOR, ".notice-embargo")
        assert banner.is_displayed()
        expected = "CẤM CÔNG BỐ TRƯỚC" if language == "vi" else "EMBARGOED UNTIL"
        assert expected in banner.text
        local = timezone.localtime(due)
        # In English the month is a word, as in the page's other dates.
        shown = (
            f"{local:%H:%M %d/%m/%Y}" if language == "vi" else f"{local.day} {local:%b %Y, %H:%M}"
        )
        assert shown in banner.text
        screenshot(browser, f"embargo-{language}")
        failures[f"embargo-{language}"] = axe_violations(browser)

    link.revoked_at = timezone.now()
    link.save()
    with translation.override("vi"):
        browser.get(live_server.url + link.get_absolute_url())
    assert "thu hồi" in browser.find_element(By.TAG_NAME, "main").text
    failures["refused"] = axe_violations(browser)

    public = factories.announcement()
    item_unpublish(
        item=public,
        by=factories.staff(role="Chief editor"),
        reason_vi="Thông tin chưa chính xác.",
        reason_en="The information was inaccurate.",
    )
    for language, path in (
        ("vi", f"/vi/tin-tuc/{public.slug_vi}/"),
        ("en", f"/en/news/{public.slug_en}/"),
    ):
        browser.get(live_server.url + path)
        text = browser.find_element(By.TAG_NAME, "main").text
        reason = "Thông tin chưa chính xác." if language == "vi" else "inaccurate"
        assert reason in text
        screenshot(browser, f"withdrawn-{language}")
        failures[f"withdrawn-{language}"] = axe_violations(browser)
    assert {page: found for page, found in failures.items() if found} == {}

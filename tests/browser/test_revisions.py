"""Pending changes of a public announcement, in Chromium and in Vietnamese:
an Editor submits them, the public page does not change, a Chief editor reads
the diff in the review queue and schedules them, and they go live at
that second (applied by the first request at or after it, or by a real
worker's sweep, once); or the Chief editor sends them back and the
Editor reads why."""

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from asean_portal.celery import app as celery_app
from asean_portal.core import revisions
from asean_portal.core.publishing import PublicationEvent
from asean_portal.core.revisions import RevisionState
from tests import factories
from tests.browser.conftest import make_driver
from tests.conftest import redis_server, wait_for, worker_process
from tests.core.test_publishing_worker import sending_to, worker_env

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

ADMIN = "/vi/admin/events/announcement/"


def sign_in_as(browser, live_server, user):
    client = Client()
    client.force_login(user)
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/healthz")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session})


def public_heading(browser, live_server, item):
    browser.get(live_server.url + item.get_absolute_url())
    return browser.find_element(By.TAG_NAME, "h1").text


def submit_changes(browser, live_server, item, title):
    browser.get(f"{live_server.url}{ADMIN}{item.pk}/change/")
    field = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "id_title_vi"))
    field.clear()
    field.send_keys(title)
    browser.find_element(By.NAME, "_submit_for_review").click()
    message = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".messagelist")
    )
    assert "đã được gửi duyệt" in message.text


@pytest.fixture
def broker(redis_server_binary):
    with redis_server(redis_server_binary) as (url, _stop, _start), sending_to(url):
        yield url


@pytest.fixture
def reader(browser_available):
    """A second Chromium, with no session: the public."""
    driver = make_driver()
    yield driver
    driver.quit()


def test_an_editor_s_changes_are_reviewed_scheduled_and_published_by_the_sweep(
    live_server, browser, reader, broker, test_database_url, tmp_path, screenshot
):
    item = factories.announcement(title_vi="Thông cáo đã duyệt", title_en="Approved release")
    editor = factories.staff(role="Editor", email="bientap@example.gov.vn")
    chief = factories.staff(role="Chief editor", email="tongbientap@example.gov.vn")

    sign_in_as(browser, live_server, editor)
    submit_changes(browser, live_server, item, "Thông cáo đã đính chính")
    assert public_heading(reader, live_server, item) == "Thông cáo đã duyệt"

    sign_in_as(browser, live_server, chief)
    browser.get(f"{live_server.url}/vi/admin/asean_portal/pendingrevision/")
    assert "(1)" in browser.find_element(By.CSS_SELECTOR, ".review-queue-link").text
    browser.find_element(By.LINK_TEXT, "Thông cáo đã đính chính").click()
    diff = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".revision-diff")
    )
    row = diff.find_element(By.CSS_SELECTOR, '[data-field="title_vi"]')
    assert row.find_element(By.CSS_SELECTOR, ".diff-live").text == "Thông cáo đã duyệt"
    assert row.find_element(By.CSS_SELECTOR, ".diff-live del").text == "duyệt"
    assert row.find_element(By.CSS_SELECTOR, ".diff-pending").text == "Thông cáo đã đính chính"
    assert row.find_element(By.CSS_SELECTOR, ".diff-pending ins").text == "đính chính"
    screenshot(browser, "diff")
    browser.find_element(By.CSS_SELECTOR, '[data-action="schedule"]').click()

    env = worker_env(test_database_url, broker, tmp_path, PUBLISHING_SWEEP_SECONDS="1")
    with worker_process(env, "-B", "-s", str(tmp_path / "beat-schedule")):
        celery_app.send_task("asean_portal.tasks.ping", args=("ready",))
        assert wait_for(lambda: redis.Redis.from_url(broker).llen("celery") == 0, timeout=30)
        due = timezone.localtime() + timedelta(seconds=12)
        due = due.replace(microsecond=0)
        browser.find_element(By.ID, "id_publish_at_0").clear()
        browser.find_element(By.ID, "id_publish_at_0").send_keys(due.strftime("%d/%m/%Y"))
        browser.find_element(By.ID, "id_publish_at_1").clear()
        browser.find_element(By.ID, "id_publish_at_1").send_keys(due.strftime("%H:%M:%S"))
        # Only the Vietnamese title changed: the English is asked about.
        browser.find_element(By.CSS_SELECTOR, 'input[name="english"][value="notice"]').click()
        browser.find_element(By.NAME, "confirm").click()
        message = WebDriverWait(browser, 10).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".messagelist")
        )
        assert due.strftime("%H:%M %d/%m/%Y") in message.text
        # Read again and again around its time: the old text until that
        # second, the new one from it (a request at or after it applies the
        # revision if the sweep has not yet).
        while timezone.now() < due - timedelta(seconds=3):
            time.sleep(0.2)
        readings = []
        while timezone.now() < due + timedelta(seconds=2):
            started = timezone.now()
            heading = public_heading(reader, live_server, item)
            readings.append((started, timezone.now(), heading))
    assert {heading for *_times, heading in readings} == {
        "Thông cáo đã duyệt",
        "Thông cáo đã đính chính",
    }
    for started, ended, heading in readings:
        if heading == "Thông cáo đã đính chính":
            assert ended >= due, (started, ended, due)  # not one second before
        else:
            assert heading == "Thông cáo đã duyệt"
            assert started < due, (started, ended, due)  # at that second
    first_new = min(
        ended for _started, ended, heading in readings if heading != "Thông cáo đã duyệt"
    )
    assert first_new - due < timedelta(seconds=1), first_new - due
    event = PublicationEvent.objects.get(object_id=item.pk)
    assert event.action == "revised" and event.due_at == due
    browser.get(f"{live_server.url}/vi/admin/asean_portal/publicationevent/")
    log = browser.find_element(By.ID, "result_list").text
    assert "Thông cáo đã đính chính" in log and "Đã đăng thay đổi" in log
    screenshot(browser, "log")
    # The author heard of the approval, in Vietnamese.
    assert any("đã được duyệt" in message.subject for message in mail.outbox)


def test_changes_sent_back_reach_the_editor(live_server, browser, reader, screenshot):
    item = factories.announcement(title_vi="Thông cáo đã duyệt")
    editor = factories.staff(role="Editor", email="bientap@example.gov.vn")
    chief = factories.staff(role="Chief editor")

    sign_in_as(browser, live_server, editor)
    submit_changes(browser, live_server, item, "Thông cáo sửa vội")

    sign_in_as(browser, live_server, chief)
    browser.get(f"{live_server.url}{ADMIN}{item.pk}/change/")
    browser.find_element(By.CSS_SELECTOR, '[data-action="send_back"]').click()
    comment = "Tên hội nghị chưa đúng <b>chính thức</b>."
    browser.find_element(By.ID, "id_comment").send_keys(comment)
    browser.find_element(By.NAME, "confirm").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, ".messagelist"))
    assert revisions.open_revision(item).state == RevisionState.SENT_BACK
    assert public_heading(reader, live_server, item) == "Thông cáo đã duyệt"

    (message,) = mail.outbox
    assert message.to == [editor.email]
    assert message.subject.startswith("Thay đổi bị trả lại")
    assert comment in message.body

    sign_in_as(browser, live_server, editor)
    browser.get(f"{live_server.url}{ADMIN}?editorial=sent_back")
    assert "Thay đổi bị trả lại" in browser.find_element(By.ID, "result_list").text
    browser.get(f"{live_server.url}{ADMIN}{item.pk}/change/")
    panel = browser.find_element(By.CSS_SELECTOR, ".revision-comment").text
    assert comment in panel  # shown as text, markup and all
    assert browser.find_element(By.ID, "id_title_vi").get_attribute("value") == "Thông cáo sửa vội"
    screenshot(browser, "sent-back")

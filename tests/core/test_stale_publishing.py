"""A publisher publishes or schedules what they read. The item's change form
links to "Publish now" and "Schedule" with a digest of the item as the form
showed it (TranslatedAdmin.fingerprint); the page carries it, and the
transition is refused when the item was edited meanwhile (an author saving
the draft again after the publisher read it). The publisher reads it again
and confirms from a fresh page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from asean_portal.core import revisions
from asean_portal.core.publishing import Status
from asean_portal.core.revisions import RevisionState
from events.models import Announcement
from tests import factories

CHANGE = "/{lang}/admin/events/announcement/{pk}/change/"
PUBLISHING = "/{lang}/admin/events/announcement/{pk}/publishing/{action}/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    client = Client()
    client.force_login(factories.staff(role="Press officer"))
    return client


def seen_on(page):
    found = re.search(r'name="seen" value="([^"]*)"', page)
    return found.group(1) if found else None


def schedule_fields(seen):
    at = timezone.localtime(timezone.now() + timedelta(hours=5))
    return {
        **publish_fields(seen),
        "publish_at_0": at.strftime("%d/%m/%Y"),
        "publish_at_1": "10:00:00",
    }


def publish_fields(seen):
    # The Vietnamese edit leaves the English outdated: the publisher also
    # chooses to publish with the "English coming" notice.
    return {"seen": seen, "english": "notice"}


def author_saves_again(item):
    item.lead_vi = "Đoạn mở đầu viết lại sau khi người duyệt đã đọc."
    item.save()


@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_an_item_edited_after_the_page_was_opened_is_not_published(officer, action):
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    url = PUBLISHING.format(lang="vi", pk=item.pk, action=action)
    seen = seen_on(officer.get(url).content.decode())
    assert seen
    author_saves_again(item)
    fields = publish_fields(seen) if action == "publish" else schedule_fields(seen)
    response = officer.post(url, fields)
    assert response.status_code == 200
    assert "đã được sửa sau khi" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.DRAFT and item.publish_at is None


def test_the_change_forms_button_pins_what_the_form_showed(officer):
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    change = officer.get(CHANGE.format(lang="en", pk=item.pk)).content.decode()
    link = re.search(r'href="([^"]*/publishing/publish/\?seen=[^"]+)"', change).group(1)
    # Edited between the publisher's reading and their click on the button.
    author_saves_again(item)
    page = officer.get(link.replace("&amp;", "&")).content.decode()
    response = officer.post(link.split("?")[0], publish_fields(seen_on(page)))
    assert response.status_code == 200
    assert "was edited after you read it" in response.content.decode()
    assert Announcement.objects.get(pk=item.pk).status == Status.DRAFT


def test_an_item_as_it_was_read_is_published(officer):
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    change = officer.get(CHANGE.format(lang="vi", pk=item.pk)).content.decode()
    link = re.search(r'href="([^"]*/publishing/publish/\?seen=[^"]+)"', change).group(1)
    page = officer.get(link).content.decode()
    response = officer.post(link.split("?")[0], {"seen": seen_on(page)})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED


@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_a_new_draft_waiting_for_review_is_approved_by_its_buttons(officer, action):
    """A new draft submitted for review and published (or scheduled) with the
    item's own buttons: its review closes as the review page's decision would,
    instead of waiting in the queue for an item that is out already."""
    author = factories.staff(role="Editor", email="author@example.org")
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    revision = revisions.store(item, ["title_vi"], by=author, submit=True)
    assert revision.state == RevisionState.IN_REVIEW
    url = PUBLISHING.format(lang="vi", pk=item.pk, action=action)
    seen = seen_on(officer.get(url).content.decode())
    fields = publish_fields(seen) if action == "publish" else schedule_fields(seen)
    assert officer.post(url, fields).status_code == 302
    revision.refresh_from_db()
    item.refresh_from_db()
    expected = Status.PUBLISHED if action == "publish" else Status.SCHEDULED
    assert item.status == expected
    assert revision.state in (RevisionState.PUBLISHED, RevisionState.SCHEDULED)
    assert revisions.open_revision(item) is None


def test_a_publisher_does_not_approve_their_own_submission_with_the_buttons(client):
    chief = factories.staff(role="Chief editor", email="chief@example.org")
    client.force_login(chief)
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    revisions.store(item, ["title_vi"], by=chief, submit=True)
    url = PUBLISHING.format(lang="en", pk=item.pk, action="publish")
    seen = seen_on(client.get(url).content.decode())
    response = client.post(url, publish_fields(seen))
    assert response.status_code == 200
    assert "another publisher approves them" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_a_scheduled_item_with_pending_changes_can_be_rescheduled_from_its_form(officer):
    """The change form of an item with pending changes shows them; its button
    carries the digest of what it showed, and the transition compares it with
    the same view of the item."""
    editor = factories.staff(role="Editor", email="editor@example.org")
    at = timezone.now() + timedelta(days=1)
    item = factories.announcement(status=Status.SCHEDULED, publish_at=at)
    item.title_vi = "Tiêu đề chờ duyệt"
    revisions.store(item, ["title_vi"], by=editor)
    change = officer.get(CHANGE.format(lang="en", pk=item.pk)).content.decode()
    link = re.search(r'href="([^"]*/publishing/schedule/\?seen=[^"]+)"', change).group(1)
    page = officer.get(link).content.decode()
    response = officer.post(link.split("?")[0], schedule_fields(seen_on(page)))
    assert response.status_code == 302, response.content.decode()[-3000:]
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED and item.publish_at != at


def review_link(page, action):
    found = re.search(rf'href="([^"]*/revision/{action}/\?read=[^"]+)"', page)
    return found.group(1).replace("&amp;", "&")


def test_the_review_page_does_not_approve_a_new_draft_edited_after_it_was_read(client):
    """A new draft's review page shows no difference (the row is the draft):
    its publisher read the draft in its change form, whose review buttons
    carry the digest of what it showed."""
    author = factories.staff(role="Editor", email="author@example.org")
    chief = factories.staff(role="Chief editor", email="chief@example.org")
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    revisions.store(item, ["title_vi", "lead_vi"], by=author, submit=True)
    client.force_login(chief)
    change = client.get(CHANGE.format(lang="en", pk=item.pk)).content.decode()
    link = review_link(change, "publish")
    # The author saves the draft again: its review follows the row.
    author_saves_again(item)
    revisions.store(item, ["title_vi", "lead_vi"], by=author)
    page = client.get(link).content.decode()
    data = {"read": re.search(r'name="read" value="([^"]+)"', page).group(1)}
    data["seen"] = seen_on(page)
    response = client.post(link.split("?")[0], {**data, "english": "notice"})
    assert response.status_code == 200
    assert "was edited after you read it" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    # Read again, it is approved.
    change = client.get(CHANGE.format(lang="en", pk=item.pk)).content.decode()
    link = review_link(change, "publish")
    page = client.get(link).content.decode()
    data = {"read": re.search(r'name="read" value="([^"]+)"', page).group(1)}
    data["seen"] = seen_on(page)
    assert client.post(link.split("?")[0], {**data, "english": "notice"}).status_code == 302
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED

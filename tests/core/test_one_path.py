"""Publication state changes through the transition functions only: not as a
form field, not by reverting a version from the history, not by recovering a
deleted item, not by a stale form. Each path, as each role."""

from datetime import timedelta

import pytest
import reversion
import time_machine
from django.utils import timezone
from reversion.models import Version

from asean_portal.core.publishing import (
    PublicationEvent,
    Status,
    item_go_live,
    item_unpublish,
    publish_due,
)
from events.models import Announcement
from tests import factories
from tests.core.test_admin import admin_url, announcement_form, errors

ROLES = ["Editor", "Press officer", "Chief editor"]
CHANGE = "events.announcement"


def signed_in(client, role):
    user = factories.staff(superuser=True) if role == "superuser" else factories.staff(role=role)
    client.force_login(user)
    return user


def form_of(item, **overrides):
    return announcement_form(
        item.category, title_vi=item.title_vi, slug_vi=item.slug_vi, **overrides
    )


def assert_not_public(item, state):
    item.refresh_from_db()
    assert item.status == state
    assert not Announcement.objects.live().filter(pk=item.pk).exists()
    assert not PublicationEvent.objects.filter(object_id=item.pk, action="published").exists()


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_the_change_form_has_no_publication_fields(client, role):
    signed_in(client, role)
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    html = client.get(admin_url(CHANGE, suffix=f"{item.pk}/change/")).content.decode()
    assert 'name="status"' not in html
    assert 'name="publish_at_0"' not in html
    assert 'name="unpublish_at_0"' not in html


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_a_posted_status_is_ignored(client, role):
    signed_in(client, role)
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    past = timezone.localtime() - timedelta(days=1)
    response = client.post(
        admin_url(CHANGE, suffix=f"{item.pk}/change/"),
        form_of(
            item,
            status=Status.PUBLISHED,
            publish_at_0=past.strftime("%d/%m/%Y"),
            publish_at_1=past.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302, errors(response)
    assert_not_public(item, Status.DRAFT)


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_reverting_a_version_does_not_republish(client, role):
    officer = factories.staff(superuser=True)
    with reversion.create_revision():
        item = factories.announcement(title_vi="Bản đã đăng")
    item_unpublish(item=item, by=officer, reason_vi="Sai sót")
    version = Version.objects.get_for_object(item).get()
    signed_in(client, role)
    url = admin_url(CHANGE, suffix=f"{item.pk}/history/{version.pk}/")
    response = client.post(url, form_of(item, status=Status.PUBLISHED))
    assert response.status_code == 302, errors(response)
    item.refresh_from_db()
    assert item.status == Status.ARCHIVED
    assert not Announcement.objects.live().filter(pk=item.pk).exists()


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_recovering_a_deleted_item_gives_a_draft(client, role):
    with reversion.create_revision():
        item = factories.announcement(title_vi="Bản đã xoá")
    pk, category = item.pk, item.category
    item.delete()
    version = Version.objects.get_deleted(Announcement).get()
    signed_in(client, role)
    url = admin_url(CHANGE, suffix=f"recover/{version.pk}/")
    data = announcement_form(category, title_vi="Bản đã xoá", slug_vi=item.slug_vi)
    response = client.post(url, data)
    # Every role here may add and change announcements, so may recover one.
    assert response.status_code == 302, errors(response)
    recovered = Announcement.objects.get(pk=pk)
    assert recovered.status == Status.DRAFT
    assert recovered.publish_at is None
    assert not Announcement.objects.live().filter(pk=pk).exists()


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_reverting_a_version_leaves_the_other_items_of_its_revision_alone(client, role):
    """A bulk action saves every item it changes in one revision: restoring
    one item's version from it restores that item only."""
    officer = factories.staff(superuser=True)
    with reversion.create_revision():
        item = factories.announcement(title_vi="Mục được khôi phục")
        other = factories.announcement(title_vi="Mục khác, đã gỡ")
    for each in (item, other):
        item_unpublish(item=each, by=officer, reason_vi="Sai sót")
    Announcement.objects.filter(pk=other.pk).update(title_vi="Mục khác, đã sửa")
    version = Version.objects.get_for_object(item).get()
    signed_in(client, role)
    url = admin_url(CHANGE, suffix=f"{item.pk}/history/{version.pk}/")
    response = client.post(url, form_of(item))
    assert response.status_code == 302, errors(response)
    other.refresh_from_db()
    assert (other.status, other.title_vi) == (Status.ARCHIVED, "Mục khác, đã sửa")
    assert not Announcement.objects.live().filter(pk__in=[item.pk, other.pk]).exists()


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_recover_does_not_restore_an_item_that_exists(client, role):
    with reversion.create_revision():
        item = factories.announcement(title_vi="Bản cũ")
    Announcement.objects.filter(pk=item.pk).update(title_vi="Bản đang đăng")
    version = Version.objects.get_for_object(item).get()
    signed_in(client, role)
    url = admin_url(CHANGE, suffix=f"recover/{version.pk}/")
    assert client.get(url).status_code == 404
    response = client.post(url, form_of(item))
    assert response.status_code == 404
    item.refresh_from_db()
    assert (item.status, item.title_vi) == (Status.PUBLISHED, "Bản đang đăng")
    # Nor a deleted item of another type through this type's page.
    with reversion.create_revision():
        document = factories.document()
    deleted = Version.objects.get_for_object(document).get()
    document.delete()
    assert client.get(admin_url(CHANGE, suffix=f"recover/{deleted.pk}/")).status_code == 404


def test_publish_now_posted_twice_publishes_once(client, mailoutbox):
    signed_in(client, "Chief editor")
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    url = admin_url(CHANGE, suffix=f"{item.pk}/publishing/publish/")
    assert client.post(url, {"english": "notice"}).status_code == 302
    item.refresh_from_db()
    published_at, sent = item.publish_at, len(mailoutbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert client.post(url, {"english": "notice"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.publish_at) == (Status.PUBLISHED, published_at)
    assert PublicationEvent.objects.filter(object_id=item.pk, action="published").count() == 1
    assert len(mailoutbox) == sent


def test_a_stale_form_saved_after_publication_keeps_the_sweep_working(client):
    """A form opened while the item was scheduled and saved after the sweep
    published it neither rewrites its state nor stops the sweep."""
    signed_in(client, "Chief editor")
    due = timezone.now() + timedelta(minutes=2, microseconds=345678)
    item = factories.announcement(status=Status.SCHEDULED, publish_at=due)
    other = factories.announcement(status=Status.SCHEDULED, publish_at=due + timedelta(minutes=5))
    # The form as it was opened, with the due time to the second (the stored
    # one has fractions of a second).
    opened_at = timezone.localtime(due)
    stale = form_of(
        item,
        status=Status.SCHEDULED,
        publish_at_0=opened_at.strftime("%d/%m/%Y"),
        publish_at_1=opened_at.strftime("%H:%M:%S"),
    )
    assert item_go_live(model=Announcement, pk=item.pk, now=due)
    response = client.post(admin_url(CHANGE, suffix=f"{item.pk}/change/"), stale)
    assert response.status_code == 302, errors(response)
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    with time_machine.travel(other.publish_at + timedelta(seconds=1), tick=False):
        publish_due()
    other.refresh_from_db()
    assert other.status == Status.PUBLISHED
    assert PublicationEvent.objects.filter(object_id=item.pk).count() == 1
    assert PublicationEvent.objects.filter(object_id=other.pk).count() == 1


# --- The rows of a live meeting change with its pending changes only ----------


@pytest.mark.parametrize("role", ["Editor", "Chief editor"])
def test_the_photo_list_does_not_change_a_live_meeting_s_photos_around_its_review(client, role):
    from events.models import MeetingPhoto

    meeting = factories.meeting()
    photo = MeetingPhoto.objects.create(
        meeting=meeting, caption_vi="Chú thích đã duyệt", alt_text_vi="Đại biểu"
    )
    signed_in(client, role)
    data = {
        "meeting": meeting.pk,
        "caption_vi": "Chú thích sửa thẳng",
        "alt_text_vi": "Đại biểu",
        "alt_text_en": "Delegates",
        "order": "0",
        "focus_x": "50",
        "focus_y": "50",
    }
    changed = client.post(admin_url("events.meetingphoto", suffix=f"{photo.pk}/change/"), data)
    added = client.post(admin_url("events.meetingphoto", suffix="add/"), data)
    captions = set(MeetingPhoto.objects.values_list("caption_vi", flat=True))
    if role == "Editor":
        # Only through the meeting's form, as pending changes.
        assert changed.status_code == 403 and added.status_code == 200
        assert captions == {"Chú thích đã duyệt"}
    else:
        assert changed.status_code == 302 and added.status_code == 302
        assert captions == {"Chú thích sửa thẳng"}

"""The reason a withdrawn item's page gives readers (410, in both languages)
is public text: only those who may publish the item set it, by unpublishing
it or in its change form. An editor's form shows it without a field, and a
reason forged into their request is not stored."""

import pytest
import reversion
from django.test import Client
from reversion.models import Version

from asean_portal.core.publishing import Status, item_unpublish
from events.models import Announcement
from tests import factories
from tests.core.test_admin import admin_url
from tests.core.test_one_path import form_of
from tests.core.test_revisions import edit, signed_in

pytestmark = pytest.mark.django_db

FORGED = {"withdrawal_reason_vi": "Lý do bịa đặt", "withdrawal_reason_en": "A made-up reason"}


def withdrawn_item():
    item = factories.announcement()
    item_unpublish(
        item=item,
        by=factories.staff(role="Chief editor", email="chief@example.org"),
        reason_vi="Lý do chính thức",
        reason_en="The official reason",
    )
    item.refresh_from_db()
    assert item.status == Status.ARCHIVED and item.withdrawn_at
    return item


def test_an_editor_cannot_rewrite_the_public_reason_of_a_withdrawn_item(client):
    item = withdrawn_item()
    signed_in(client, "Editor")
    form = client.get(f"/en/admin/events/announcement/{item.pk}/change/").content.decode()
    assert 'name="withdrawal_reason_en"' not in form
    assert "The official reason" in form  # shown, as text
    response = edit(client, item, **FORGED)
    assert response.status_code == 302
    item = Announcement.objects.get(pk=item.pk)
    assert (item.withdrawal_reason_vi, item.withdrawal_reason_en) == (
        "Lý do chính thức",
        "The official reason",
    )
    with_page = Client().get(f"/en/news/{item.slug_en}/")
    assert with_page.status_code == 410
    assert "The official reason" in with_page.content.decode()


def test_a_publisher_may_correct_the_reason(client):
    item = withdrawn_item()
    signed_in(client, "Chief editor")
    form = client.get(f"/en/admin/events/announcement/{item.pk}/change/").content.decode()
    assert 'name="withdrawal_reason_en"' in form
    assert edit(client, item, **FORGED).status_code == 302
    item = Announcement.objects.get(pk=item.pk)
    assert item.withdrawal_reason_en == "A made-up reason"


@pytest.mark.parametrize("role", ["Editor", "Chief editor"])
def test_reverting_to_a_version_keeps_the_withdrawals_reason(client, role):
    """The reason belongs to the withdrawal, as its time does: a version saved
    before it (no reason) or with another reason does not bring that back."""
    with reversion.create_revision():
        item = factories.announcement(title_vi="Bản đã đăng")
    item_unpublish(
        item=item,
        by=factories.staff(role="Chief editor", email="chief@example.org"),
        reason_vi="Lý do chính thức",
        reason_en="The official reason",
    )
    version = Version.objects.get_for_object(item).get()
    signed_in(client, role)
    url = admin_url("events.announcement", suffix=f"{item.pk}/history/{version.pk}/")
    assert client.post(url, form_of(item)).status_code == 302
    item = Announcement.objects.get(pk=item.pk)
    assert (item.withdrawal_reason_vi, item.withdrawal_reason_en) == (
        "Lý do chính thức",
        "The official reason",
    )

"""No lost updates: saving an item that someone else saved since you opened it
is refused, naming who and when, showing what differs, and keeping what you
typed; a second save after reading the difference goes through."""

import re

import pytest
from django.test import Client

from asean_portal.core import revisions
from events.models import Announcement, Meeting
from tests import factories
from tests.core.test_admin import admin_url, announcement_form

URL = admin_url("events.announcement", suffix="{pk}/change/")


def opened(client, url):
    html = client.get(url).content.decode()
    return re.search(r'name="opened_as" value="([^"]*)"', html).group(1)


@pytest.fixture
def editors():
    first, second = Client(), Client()
    anh = factories.staff(role="Editor", first_name="Anh", last_name="Nguyễn")
    binh = factories.staff(role="Editor", first_name="Bình", last_name="Trần")
    first.force_login(anh)
    second.force_login(binh)
    return first, second


def test_the_second_save_is_refused_and_keeps_what_was_typed(editors):
    first, second = editors
    item = factories.announcement(title_vi="Tiêu đề gốc")
    url = URL.format(pk=item.pk)
    token_first, token_second = opened(first, url), opened(second, url)
    form = announcement_form(item.category, slug_vi=item.slug_vi)
    saved = first.post(url, {**form, "title_vi": "Tiêu đề của Anh", "opened_as": token_first})
    assert saved.status_code == 302
    refused = second.post(url, {**form, "title_vi": "Tiêu đề của Bình", "opened_as": token_second})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Nguyễn Anh" in page or "Anh Nguyễn" in page
    assert "giờ Hà Nội" in page
    assert "Tiêu đề của Anh" in page  # the saved text, beside the field
    assert 'value="Tiêu đề của Bình"' in page  # what the second editor typed
    # The item is public: an Editor's save is a pending revision.
    assert revisions.open_revision(item).fields["title_vi"] == "Tiêu đề của Anh"
    # Having read the difference, the second editor saves on purpose.
    token = re.search(r'name="opened_as" value="([^"]*)"', page).group(1)
    again = second.post(url, {**form, "title_vi": "Tiêu đề của Bình", "opened_as": token})
    assert again.status_code == 302
    assert revisions.open_revision(item).fields["title_vi"] == "Tiêu đề của Bình"
    item.refresh_from_db()
    assert item.title_vi == "Tiêu đề gốc"


def test_the_refusal_is_in_the_editor_s_language(editors):
    first, second = editors
    item = factories.announcement()
    url_en = admin_url("events.announcement", "en", f"{item.pk}/change/")
    token_first, token_second = opened(first, url_en), opened(second, url_en)
    form = announcement_form(item.category, slug_vi=item.slug_vi)
    first.post(url_en, {**form, "title_vi": "Một", "opened_as": token_first})
    page = second.post(url_en, {**form, "title_vi": "Hai", "opened_as": token_second})
    assert "changed this item" in page.content.decode()


def test_a_save_without_a_conflict_goes_through(editors):
    from asean_portal.core.publishing import Status

    first, _second = editors
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    url = URL.format(pk=item.pk)
    form = announcement_form(item.category, slug_vi=item.slug_vi, title_vi="Mới")
    response = first.post(url, {**form, "opened_as": opened(first, url)})
    assert response.status_code == 302
    assert Announcement.objects.get(pk=item.pk).title_vi == "Mới"


def test_a_publication_in_between_is_not_a_conflict(editors):
    from asean_portal.core.publishing import Status, item_publish_now

    first, _second = editors
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    url = URL.format(pk=item.pk)
    token = opened(first, url)
    item_publish_now(item=item, by=factories.staff(superuser=True))
    form = announcement_form(item.category, slug_vi=item.slug_vi, title_vi="Sửa sau khi đăng")
    assert first.post(url, {**form, "opened_as": token}).status_code == 302


def test_an_inline_change_counts_as_a_change(editors):
    first, second = editors
    meeting = factories.meeting()
    country = factories.country()
    url = admin_url("events.meeting", suffix=f"{meeting.pk}/change/")
    token = opened(second, url)
    meeting.participations.create(country=country)  # another editor added a participant
    Meeting.objects.filter(pk=meeting.pk).update(title_vi=meeting.title_vi)
    html = second.get(url).content.decode()
    assert re.search(r'name="opened_as" value="([^"]*)"', html).group(1) != token


def test_read_only_and_new_forms_carry_no_token(client):
    meeting = factories.meeting()
    client.force_login(factories.staff(role="Press officer"))  # may view meetings only
    page = client.get(admin_url("events.meeting", suffix=f"{meeting.pk}/change/"))
    assert page.status_code == 200
    assert "opened_as" not in page.content.decode()
    client.force_login(factories.staff(role="Editor"))
    assert (
        "opened_as" not in client.get(admin_url("events.meeting", suffix="add/")).content.decode()
    )

"""The press officer's tools: state text, buttons, bulk actions, refusals,
agenda, the missing-English choice, embargoed previews and withdrawal."""

import datetime as dt
import html
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import reversion
import time_machine
from django.utils import timezone, translation

from asean_portal.core.publishing import (
    PublicationEvent,
    Status,
    item_schedule,
    item_unpublish,
    publish_due,
)
from asean_portal.core.publishing_admin import state_text
from events.models import Announcement, EmbargoLink, EmbargoView
from tests import factories

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
CHANGE = "/{lang}/admin/events/announcement/{pk}/change/"
PUBLISHING = "/{lang}/admin/events/announcement/{pk}/publishing/{action}/"
CHANGELIST = "/vi/admin/events/announcement/"


def hanoi(*args):
    return dt.datetime(*args, tzinfo=HANOI)


def future(hours=3):
    return timezone.localtime(timezone.now() + timedelta(hours=hours)).replace(
        second=0, microsecond=0
    )


def split(moment, name="publish_at"):
    local = timezone.localtime(moment)
    return {f"{name}_0": local.strftime("%d/%m/%Y"), f"{name}_1": local.strftime("%H:%M:%S")}


@pytest.fixture
def officer(client):
    user = factories.staff(role="Press officer", email="press@example.gov.vn")
    client.force_login(user)
    return user


# --- state text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "Scheduled for 08:00 22/11/2026 (Hanoi time, UTC+7), in 2 h 15 min"),
        ("vi", "Lên lịch đăng lúc 08:00 22/11/2026 (giờ Hà Nội, UTC+7), còn 2 giờ 15 phút"),
    ],
)
def test_the_state_reads_plainly(language, expected):
    item = factories.announcement(status=Status.SCHEDULED, publish_at=hanoi(2026, 11, 22, 8, 0))
    with translation.override(language):
        assert state_text(item, now=hanoi(2026, 11, 22, 5, 45)) == expected


def test_state_text_for_each_state():
    now = hanoi(2026, 11, 22, 9, 0)
    draft = factories.announcement(status=Status.DRAFT, publish_at=None)
    public = factories.announcement(publish_at=hanoi(2026, 11, 22, 8, 0))
    ending = factories.announcement(
        publish_at=hanoi(2026, 11, 22, 8, 0), unpublish_at=hanoi(2026, 11, 24, 9, 0)
    )
    with translation.override("en"):
        assert state_text(draft, now) == "Draft: not public"
        assert state_text(public, now) == "Public since 08:00 22/11/2026 (Hanoi time, UTC+7)"
        assert state_text(ending, now).endswith("to be withdrawn at 09:00 24/11/2026, in 2 days")


# --- buttons on the change page -------------------------------------------------------


def test_the_change_page_has_the_transition_buttons_and_the_zone(client, officer):
    item = factories.announcement(status=Status.SCHEDULED, publish_at=future())
    page = client.get(CHANGE.format(lang="en", pk=item.pk)).content.decode()
    for action in ("schedule", "publish", "unpublish"):
        assert PUBLISHING.format(lang="en", pk=item.pk, action=action) in page
    assert "Reschedule" in page
    assert "Scheduled for" in page
    assert page.count("UTC+7") >= 3  # the state, publish_at, unpublish_at


def test_an_editor_gets_no_buttons_and_no_transitions(client):
    client.force_login(factories.staff(role="Editor"))
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    page = client.get(CHANGE.format(lang="vi", pk=item.pk)).content.decode()
    assert "/publishing/" not in page
    response = client.post(
        PUBLISHING.format(lang="vi", pk=item.pk, action="publish"), {}, follow=False
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_scheduling_from_the_button(client, officer, django_capture_on_commit_callbacks):
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    at = future(5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PUBLISHING.format(lang="vi", pk=item.pk, action="schedule"), split(at)
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.publish_at, item.scheduled_by) == (Status.SCHEDULED, at, officer)


def test_refusals_are_clear_and_in_the_officers_language(client, officer):
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    url = PUBLISHING.format(lang="vi", pk=item.pk, action="schedule")
    past = timezone.now() - timedelta(hours=1)
    page = client.post(url, split(past)).content.decode()
    assert "đã qua" in page
    at = future(5)
    page = client.post(url, {**split(at), **split(at - timedelta(hours=1), "unpublish_at")})
    assert "Thời điểm gỡ phải sau thời điểm đăng" in page.content.decode()
    page = client.post(
        PUBLISHING.format(lang="en", pk=item.pk, action="schedule"),
        {"publish_at_0": "31/02/2026", "publish_at_1": "10:00"},
    ).content.decode()
    assert "Enter a valid date" in page
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_missing_english_asks_for_a_choice(client, officer, django_capture_on_commit_callbacks):
    url_for = lambda item: PUBLISHING.format(lang="en", pk=item.pk, action="schedule")  # noqa: E731
    at = future(4)
    item = factories.announcement(
        status=Status.DRAFT, publish_at=None, title_en="", lead_en="", body_en=""
    )
    page = client.get(url_for(item)).content.decode()
    assert "Hold it until the English is ready" in page
    response = client.post(url_for(item), split(at))
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    # Hold: a draft that remembers the intended time.
    client.post(url_for(item), {**split(at), "english": "hold"})
    item.refresh_from_db()
    assert (item.status, item.publish_at) == (Status.DRAFT, at)
    assert "held until the English is ready" in state_text(item)
    # Publish in Vietnamese with the notice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_for(item), {**split(at), "english": "notice"})
    item.refresh_from_db()
    assert (item.status, item.english_notice) == (Status.SCHEDULED, True)
    with time_machine.travel(at, tick=False):
        client.logout()
        page = client.get(f"/en/news/{item.slug_vi}/").content.decode()
    assert "English coming" in page


def test_the_core_refuses_to_schedule_without_english_or_a_choice():
    from django.core.exceptions import ValidationError

    chief = factories.staff(role="Chief editor")
    item = factories.announcement(status=Status.DRAFT, publish_at=None, title_en="", lead_en="")
    with pytest.raises(ValidationError) as error:
        item_schedule(item=item, at=future(), by=chief)
    assert "bản tiếng Anh" in error.value.message_dict["english"][0]


# --- bulk actions -----------------------------------------------------------------


def test_bulk_schedule_publish_and_unpublish(client, officer, django_capture_on_commit_callbacks):
    items = [factories.announcement(status=Status.DRAFT, publish_at=None) for _ in range(3)]
    ids = [str(item.pk) for item in items]
    at = future(6)
    page = client.post(CHANGELIST, {"action": "schedule_selected", "_selected_action": ids})
    assert page.status_code == 200 and "publish_at_0" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            CHANGELIST,
            {"action": "schedule_selected", "_selected_action": ids, "apply": "1", **split(at)},
        )
    assert set(Announcement.objects.filter(pk__in=ids).values_list("status", "publish_at")) == {
        (Status.SCHEDULED, at)
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "publish_selected_now", "_selected_action": ids})
    assert Announcement.objects.live().filter(pk__in=ids).count() == 3
    assert PublicationEvent.objects.filter(action="published").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "unpublish_selected", "_selected_action": ids})
    assert Announcement.objects.live().filter(pk__in=ids).count() == 0
    assert PublicationEvent.objects.filter(action="withdrawn").count() == 3


def test_an_editor_has_no_publishing_actions(client):
    client.force_login(factories.staff(role="Editor"))
    factories.announcement()
    page = client.get(CHANGELIST).content.decode()
    assert "schedule_selected" not in page
    assert "publish_selected_now" not in page


# --- agenda -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang, heading", [("vi", "Lịch đăng bài"), ("en", "Publishing agenda")])
def test_the_agenda_lists_what_goes_public_with_that_days_meetings(client, officer, lang, heading):
    at = future(26)
    item = factories.announcement(status=Status.SCHEDULED, publish_at=at)
    meeting = factories.meeting(start_date=timezone.localtime(at).date())
    other = factories.meeting(start_date=timezone.localtime(at).date() + timedelta(days=40))
    page = client.get(f"/{lang}/{'nhan-vien/lich-dang' if lang == 'vi' else 'staff/agenda'}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert heading in text
    assert item.title_vi in text and item.title_en in text
    assert meeting.title_vi in text
    assert other.title_vi not in text


def test_the_agenda_is_for_staff_only(client):
    response = client.get("/en/staff/agenda/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_agenda_ignores_odd_input(client, officer):
    for days in ("abc", "-4", "100000", ""):
        assert client.get("/en/staff/agenda/", {"days": days}).status_code == 200


# --- embargoed preview -------------------------------------------------------------------


def embargoed(expires_hours=2, **fields):
    item = factories.announcement(status=Status.SCHEDULED, publish_at=future(5), **fields)
    link = EmbargoLink.objects.create(
        announcement=item,
        recipient="Phóng viên, Báo Nhân Dân",
        expires_at=timezone.now() + timedelta(hours=expires_hours),
    )
    return item, link


def test_an_embargo_link_shows_the_item_with_a_banner_never_cached_and_logged(client):
    item, link = embargoed()
    for lang in ("vi", "en"):
        with translation.override(lang):
            response = client.get(link.get_absolute_url())
        assert response.status_code == 200
        text = response.content.decode()
        assert item.title_vi in text or item.title_en in text
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]
    assert "EMBARGOED UNTIL" in text
    # In English the month is a word, as in the page's other dates.
    local = timezone.localtime(item.publish_at)
    assert f"{local.day} {local:%b %Y, %H:%M}" in text
    assert EmbargoView.objects.filter(link=link).count() == 2


@pytest.mark.parametrize("behind_proxy, expected", [(True, "203.0.113.7"), (False, "127.0.0.1")])
def test_an_embargo_view_records_the_readers_address_as_sign_in_throttling_does(
    client, settings, behind_proxy, expected
):
    """Behind the proxy the reader's address is the entry the proxy appended to
    X-Forwarded-For, not the proxy's own; without one the header is ignored."""
    settings.BEHIND_PROXY = behind_proxy
    _item, link = embargoed()
    response = client.get(
        link.get_absolute_url(),
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
        REMOTE_ADDR="127.0.0.1",
    )
    assert response.status_code == 200
    assert EmbargoView.objects.get(link=link).address == expected


def test_an_embargo_link_expires(client):
    item, link = embargoed(expires_hours=1)
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        response = client.get(link.get_absolute_url())
    assert response.status_code == 410
    assert item.title_vi not in response.content.decode()
    assert EmbargoView.objects.count() == 0


def test_an_embargo_link_can_be_revoked(client, officer):
    item, link = embargoed()
    assert client.get(link.get_absolute_url()).status_code == 200
    client.post(
        "/vi/admin/events/embargolink/", {"action": "revoke", "_selected_action": [link.pk]}
    )
    client.logout()
    with translation.override("vi"):
        response = client.get(link.get_absolute_url())
    assert response.status_code == 410
    assert "thu hồi" in response.content.decode()


@pytest.mark.parametrize("token", ["x", "eyJsaW5rIjoxfQ:forged:signature", "%00", "a" * 500])
def test_a_forged_embargo_token_is_refused(client, token):
    embargoed()
    response = client.get(f"/en/news/embargoed/{token}/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_after_go_live_the_embargo_link_leads_to_the_public_page(client):
    item, link = embargoed(expires_hours=24)
    with time_machine.travel(item.publish_at, tick=False):
        response = client.get(link.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()


def test_only_publishers_may_create_embargo_links(client):
    client.force_login(factories.staff(role="Editor"))
    assert client.get("/vi/admin/events/embargolink/add/").status_code == 403
    client.force_login(factories.staff(role="Press officer"))
    assert client.get("/vi/admin/events/embargolink/add/").status_code == 200


# --- withdrawal ---------------------------------------------------------------------------


def test_an_unpublished_item_answers_410_with_the_reason_in_both_languages(client, officer):
    item = factories.announcement()
    url_vi, url_en = item.get_absolute_url(), f"/en/news/{item.slug_en}/"
    client.post(
        PUBLISHING.format(lang="vi", pk=item.pk, action="unpublish"),
        {"reason_vi": "Thông tin chưa chính xác.", "reason_en": "The information was inaccurate."},
    )
    client.logout()
    response = client.get(url_vi)
    assert response.status_code == 410
    assert "Thông tin chưa chính xác." in response.content.decode()
    response = client.get(url_en)
    assert response.status_code == 410
    text = response.content.decode()
    assert "This page has been withdrawn" in text
    assert "The information was inaccurate." in text


def test_a_withdrawal_by_schedule_answers_410(client):
    now = timezone.now()
    item = factories.announcement(
        publish_at=now - timedelta(days=1),
        unpublish_at=now - timedelta(seconds=5),
        withdrawal_reason_vi="Hết hạn đăng.",
    )
    publish_due()
    response = client.get(item.get_absolute_url())
    assert response.status_code == 410
    assert "Hết hạn đăng." in response.content.decode()


def test_the_410_page_shows_the_item_as_it_was_withdrawn_not_later_edits(client, officer):
    """Staff may go on editing a withdrawn item (to prepare it again): the
    withdrawn page still names what the public last read."""
    with reversion.create_revision():
        item = factories.announcement(title_vi="Tiêu đề khi đăng", title_en="Title as published")
    item_unpublish(item=item, by=officer, reason_vi="Sai sót.", reason_en="An error.")
    with reversion.create_revision():
        item.title_vi = "Tiêu đề sửa sau khi gỡ"
        item.title_en = "Title edited after withdrawal"
        item.withdrawal_reason_en = "An error in the figures."
        item.save()
    client.logout()
    for url, published, edited, reason in [
        (f"/vi/tin-tuc/{item.slug_vi}/", "Tiêu đề khi đăng", "Tiêu đề sửa sau khi gỡ", "Sai sót."),
        (
            f"/en/news/{item.slug_en}/",
            "Title as published",
            "Title edited after withdrawal",
            "An error in the figures.",
        ),
    ]:
        response = client.get(url)
        assert response.status_code == 410
        text = response.content.decode()
        assert published in text
        assert edited not in text
        # The reason belongs to the withdrawal notice: its correction shows.
        assert reason in text


def test_the_address_the_public_knew_still_answers_410_after_a_new_slug(client, officer):
    with reversion.create_revision():
        item = factories.announcement(title_vi="Tin đã gỡ", slug_vi="tin-da-go")
    item_unpublish(item=item, by=officer)
    with reversion.create_revision():
        item.title_vi = "Tin chuẩn bị đăng lại"
        item.slug_vi = "tin-chuan-bi-dang-lai"
        item.save()
    client.logout()
    response = client.get("/vi/tin-tuc/tin-da-go/")
    assert response.status_code == 410
    assert "Tin đã gỡ" in response.content.decode()
    assert "Tin chuẩn bị đăng lại" not in response.content.decode()


def test_the_410_page_of_an_item_without_history_shows_it_as_it_is(client, officer):
    item = factories.announcement(title_vi="Tin không có lịch sử")
    item_unpublish(item=item, by=officer)
    client.logout()
    response = client.get(item.get_absolute_url())
    assert response.status_code == 410
    assert "Tin không có lịch sử" in response.content.decode()


def test_a_never_published_draft_is_still_a_plain_404(client):
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    assert client.get(item.get_absolute_url()).status_code == 404


def test_a_public_change_note_shows_with_updated_on(client):
    item = factories.announcement()
    item.body_vi = "<p>Nội dung đã sửa.</p>"
    item.change_note_vi = "Sửa tên đại biểu."
    item.change_note_en = "Corrected a delegate's name."
    item.save()
    text = client.get(f"/vi/tin-tuc/{item.slug_vi}/").content.decode()
    assert "Cập nhật lúc" in text
    assert "Sửa tên đại biểu." in text
    text = client.get(f"/en/news/{item.slug_en}/").content.decode()
    assert "Corrected a delegate's name." in html.unescape(text)


def test_an_embargo_token_expires_by_itself(client):
    """The token carries its link's expiry: extending the link in the
    database afterwards does not revive the address already handed out."""
    item, link = embargoed(expires_hours=1)
    url = link.get_absolute_url()
    EmbargoLink.objects.filter(pk=link.pk).update(expires_at=link.expires_at + timedelta(days=30))
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        response = client.get(url)
    assert response.status_code == 410
    assert item.title_vi not in response.content.decode()

"""Embargo links made from the announcement's own admin page: full addresses
in the recipient's language, sent by email from the portal."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from asean_portal.core.publishing import Status
from events.models import EmbargoLink
from tests import factories

EMBARGO = "/{lang}/admin/events/announcement/{pk}/embargo/"
CHANGE = "/{lang}/admin/events/announcement/{pk}/change/"


def future(hours):
    return timezone.localtime(timezone.now() + timedelta(hours=hours)).replace(
        second=0, microsecond=0
    )


def split(moment, name="expires_at"):
    local = timezone.localtime(moment)
    return {f"{name}_0": local.strftime("%d/%m/%Y"), f"{name}_1": local.strftime("%H:%M:%S")}


@pytest.fixture
def officer(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = factories.staff(role="Press officer", email="press@example.gov.vn")
    client.force_login(user)
    return user


@pytest.fixture
def scheduled():
    return factories.announcement(
        status=Status.SCHEDULED,
        publish_at=future(5),
        title_vi="Thông cáo về Hội nghị ACCSM",
        title_en="Statement on the ACCSM meeting",
    )


def create(client, item, lang="vi", **fields):
    data = {
        "recipient": "Nguyễn Văn A, Báo Nhân Dân",
        "email": "phongvien@nhandan.example",
        "language": "en",
        "send": "on",
        **split(future(3)),
        **fields,
    }
    return client.post(EMBARGO.format(lang=lang, pk=item.pk), data, follow=True)


def address_of(link, prefix, text):
    """The address for the link found in the text (its token is signed with the
    second it was made, so it is read, not recomputed)."""
    found = re.search(re.escape(prefix) + r"([\w:.-]+)/", text)
    assert found, f"{prefix} not in the text"
    assert EmbargoLink.from_token(found.group(1))[0] == link
    return found.group(0)


def test_the_announcement_page_leads_to_its_embargo_links(client, officer, scheduled):
    page = client.get(CHANGE.format(lang="vi", pk=scheduled.pk)).content.decode()
    assert EMBARGO.format(lang="vi", pk=scheduled.pk) in page
    response = client.get(EMBARGO.format(lang="vi", pk=scheduled.pk))
    assert response.status_code == 200
    assert "cấm công bố trước" in response.content.decode()


def test_a_link_is_made_shown_in_full_and_emailed_in_english(client, officer, scheduled):
    response = create(client, scheduled)
    assert response.status_code == 200
    link = EmbargoLink.objects.get(announcement=scheduled)
    assert link.email == "phongvien@nhandan.example"
    assert link.language == "en"
    page = response.content.decode()
    address = address_of(link, "http://testserver/en/news/embargoed/", page)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["phongvien@nhandan.example"]
    assert "Statement on the ACCSM meeting" in message.subject
    assert address in message.body
    # The month is a word in English, as on the embargo page: never 03/08 or 08/03.
    local = timezone.localtime(scheduled.publish_at)
    assert f"{local.day} {local:%b %Y, %H:%M} (Hanoi time, UTC+7)" in message.body
    assert "Not for publication" in message.body
    link.refresh_from_db()
    assert link.sent_at is not None
    # The officer reads the confirmation in the admin's language.
    assert "Đã gửi" in page


def test_a_vietnamese_recipient_gets_the_vietnamese_address_and_email(client, officer, scheduled):
    create(client, scheduled, lang="en", language="vi")
    link = EmbargoLink.objects.get(announcement=scheduled)
    message = mail.outbox[0]
    address_of(link, "http://testserver/vi/tin-tuc/cam-cong-bo/", message.body)
    assert "Thông cáo về Hội nghị ACCSM" in message.subject
    publish = timezone.localtime(scheduled.publish_at).strftime("%H:%M %d/%m/%Y")
    assert f"{publish} (giờ Hà Nội, UTC+7)" in message.body


def test_the_site_url_setting_gives_the_public_host(client, officer, scheduled, settings):
    settings.SITE_URL = "https://asean.example.gov.vn/"
    response = create(client, scheduled, send="")
    link = EmbargoLink.objects.get(announcement=scheduled)
    address_of(link, "https://asean.example.gov.vn/en/news/embargoed/", response.content.decode())
    assert mail.outbox == []


def test_a_link_is_sent_later_from_the_list(client, officer, scheduled):
    create(client, scheduled, send="")
    link = EmbargoLink.objects.get(announcement=scheduled)
    response = client.post(
        EMBARGO.format(lang="en", pk=scheduled.pk), {"send_link": link.pk}, follow=True
    )
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert "Sent" in response.content.decode()


@pytest.mark.parametrize("lang, words", [("vi", "hợp lệ"), ("en", "valid email")])
def test_an_invalid_email_is_refused_in_the_officers_language(
    client, officer, scheduled, lang, words
):
    response = create(client, scheduled, lang=lang, email="phongvien@@nhandan")
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not EmbargoLink.objects.exists()
    assert mail.outbox == []


def test_sending_needs_an_email_address(client, officer, scheduled):
    response = create(client, scheduled, email="")
    assert response.status_code == 200
    assert "địa chỉ email" in response.content.decode()
    assert not EmbargoLink.objects.exists()


@pytest.mark.parametrize("lang, words", [("vi", "đã công khai"), ("en", "already public")])
def test_an_already_public_announcement_gets_no_link(client, officer, lang, words):
    item = factories.announcement()
    response = create(client, item, lang=lang)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not EmbargoLink.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("lang, words", [("vi", "đã hết hạn"), ("en", "has expired")])
def test_an_expired_link_is_not_sent(client, officer, scheduled, lang, words):
    create(client, scheduled, send="")
    link = EmbargoLink.objects.get(announcement=scheduled)
    with time_machine.travel(link.expires_at + timedelta(seconds=1)):
        response = client.post(
            EMBARGO.format(lang=lang, pk=scheduled.pk), {"send_link": link.pk}, follow=True
        )
    assert response.status_code == 200
    assert words in response.content.decode()
    assert mail.outbox == []


def test_a_past_expiry_is_refused(client, officer, scheduled):
    response = create(client, scheduled, **split(timezone.now() - timedelta(hours=1)))
    assert response.status_code == 200
    assert not EmbargoLink.objects.exists()
    assert "tương lai" in response.content.decode()


def test_a_forged_link_number_is_harmless(client, officer, scheduled):
    for value in ("999999", "abc", ""):
        response = client.post(EMBARGO.format(lang="vi", pk=scheduled.pk), {"send_link": value})
        assert response.status_code in (200, 302)
    assert mail.outbox == []


def test_a_failing_mail_server_is_reported_not_a_500(client, officer, scheduled, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", broken)
    response = create(client, scheduled)
    assert response.status_code == 200
    assert EmbargoLink.objects.count() == 1
    assert "không gửi được" in response.content.decode()


def test_editors_may_not_make_embargo_links(client, scheduled):
    client.force_login(factories.staff(role="Editor"))
    assert client.get(EMBARGO.format(lang="vi", pk=scheduled.pk)).status_code == 403
    assert create(client, scheduled).status_code == 403

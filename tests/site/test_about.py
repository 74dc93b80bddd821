"""Who publishes the portal, in every footer and on its own page, and the readers'
contact form: stored, emailed, CSRF-protected, with a honeypot and a limit per address."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from asean_portal.site.about import AboutPortal, FeedbackMessage
from tests import factories

MESSAGE = {"name": "Lan", "email": "lan@example.org", "message": "Xin chào", "website": ""}


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import cache

    cache.clear()


def test_the_publisher_is_in_every_footer_in_both_languages(client):
    for url, words in (
        ("/vi/", ["Cơ quan chủ quản", "Bộ Nội vụ", "Vụ trưởng Vụ Hợp tác quốc tế, Bộ Nội vụ"]),
        ("/en/news/", ["Managing agency", "Ministry of Home Affairs", "Director General"]),
    ):
        html = client.get(url).content.decode()
        footer = html[html.index("<footer") :]
        for word in words:
            assert word in footer, (url, word)


def test_the_about_page_shows_what_the_admin_holds(client):
    about = AboutPortal.load()
    about.address_vi = "Số 8 phố Tôn Thất Thuyết, Hà Nội"
    about.licence_en = "Licence 123/GP"
    about.save()
    html = client.get("/en/about/").content.decode()
    assert "Licence 123/GP" in html
    assert "Số 8 phố Tôn Thất Thuyết" in html  # no English yet: the Vietnamese, marked
    assert 'lang="vi"' in html


def test_a_message_is_stored_and_emailed_to_the_editors(client):
    editor = factories.staff(role="Editor", email="editor@example.org")
    response = client.post("/vi/gioi-thieu/", MESSAGE)
    assert response.status_code == 200
    assert "Cảm ơn" in response.content.decode()
    message = FeedbackMessage.objects.get()
    assert (message.name, message.language, message.emailed) == ("Lan", "vi", True)
    assert mail.outbox[0].to == [editor.email]
    assert "Xin chào" in mail.outbox[0].body


def test_a_message_is_kept_when_the_email_fails(client, settings):
    factories.staff(role="Editor", email="editor@example.org")
    settings.EMAIL_BACKEND = "tests.site.test_about.FailingBackend"
    assert client.post("/en/about/", MESSAGE).status_code == 200
    assert FeedbackMessage.objects.get().emailed is False


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("the mail server is down")


def test_the_honeypot_stores_nothing(client):
    response = client.post("/en/about/", {**MESSAGE, "website": "http://spam.example"})
    assert response.status_code == 200
    assert not FeedbackMessage.objects.exists()


def test_the_form_needs_its_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/en/about/", MESSAGE).status_code == 403
    assert not FeedbackMessage.objects.exists()


def test_a_flood_from_one_address_is_limited_in_the_readers_language(client):
    for _ in range(5):
        assert client.post("/vi/gioi-thieu/", MESSAGE, REMOTE_ADDR="203.0.113.9").status_code == 200
    refused = client.post("/vi/gioi-thieu/", MESSAGE, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Quá nhiều" in html
    assert "Xin chào" in html  # what was typed is kept
    assert FeedbackMessage.objects.count() == 5
    other = client.post("/en/about/", MESSAGE, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
    assert FeedbackMessage.objects.count() == 6


def test_messages_sent_back_for_corrections_do_not_count_towards_the_limit(client):
    """A reader who gets the form back with errors a few times can still send
    the message: only what is sent counts."""
    for _ in range(6):
        response = client.post(
            "/en/about/", {**MESSAGE, "email": "not an address"}, REMOTE_ADDR="203.0.113.10"
        )
        assert response.status_code == 400
    assert client.post("/en/about/", MESSAGE, REMOTE_ADDR="203.0.113.10").status_code == 200
    assert FeedbackMessage.objects.count() == 1


def test_a_bad_message_comes_back_with_its_errors_and_text(client):
    response = client.post("/en/about/", {**MESSAGE, "email": "not an address"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Xin chào" in html and "field-error" in html


def test_an_edit_of_the_publisher_reaches_cached_pages(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/en/")
    about = AboutPortal.load()
    about.licence_en = "Licence 456/GP"
    about.save()
    assert "Licence 456/GP" in client.get("/en/").content.decode()


def footer(client, url):
    html = client.get(url).content.decode()
    return html[html.index("<footer") :]


def test_the_footer_reads_the_publisher_once_and_shows_an_edit_or_a_deletion_at_once(client):
    assert "Ministry of Home Affairs" in footer(client, "/en/")
    with CaptureQueriesContext(connection) as queries:
        assert "Ministry of Home Affairs" in footer(client, "/en/news/")
    assert not [query for query in queries if "aboutportal" in query["sql"]]

    about = AboutPortal.load()
    about.managing_agency_en = "The new agency"
    about.save()
    assert "The new agency" in footer(client, "/en/news/")
    assert "The new agency" in footer(client, "/en/")

    AboutPortal.objects.all().delete()
    assert "The new agency" not in footer(client, "/en/news/")

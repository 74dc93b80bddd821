"""Text is Unicode NFC everywhere: Vietnamese typed with combining marks (NFD,
as some keyboards and macOS send it) is stored, compared and searched as the
precomposed form (NFC)."""

import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from asean_portal.core.content import EnglishState
from asean_portal.core.publishing import Status
from asean_portal.site.about import FeedbackMessage
from events.models import Announcement
from tests import factories
from tests.core.test_admin import admin_url, announcement_form


def nfd(text):
    return unicodedata.normalize("NFD", text)


def nfc(text):
    return unicodedata.normalize("NFC", text)


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
letters = VIETNAMESE + VIETNAMESE.upper() + "0123456789"
words = st.text(alphabet=letters, min_size=1, max_size=12)
# Text with at least one letter that NFD decomposes.
texts = st.lists(words, min_size=1, max_size=6).map(" ".join).filter(lambda t: nfd(t) != t)


@pytest.fixture
def superuser_client(client):
    client.force_login(factories.staff(superuser=True))
    return client


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=texts, lead=texts, body=texts)
def test_any_text_typed_in_nfd_is_stored_in_nfc_through_the_admin(
    superuser_client, title, lead, body
):
    category = factories.category()
    response = superuser_client.post(
        admin_url("events.announcement", suffix="add/"),
        announcement_form(
            category,
            title_vi=nfd(title),
            lead_vi=nfd(lead),
            body_vi=f"<p>{nfd(body)}</p>",
            title_en=nfd(title),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Announcement.objects.latest("pk")
    assert item.title_vi == nfc(title)
    assert item.title_en == nfc(title)
    assert item.lead_vi == nfc(lead)
    assert item.body_vi == f"<p>{nfc(body)}</p>"


def test_the_same_words_in_nfd_do_not_outdate_the_english(superuser_client):
    item = factories.announcement(title_vi="Hội nghị Công vụ ASEAN", status=Status.DRAFT)
    assert item.english_state == EnglishState.COMPLETE
    data = announcement_form(
        item.category,
        title_vi=nfd(item.title_vi),
        title_en=item.title_en,
        lead_vi=nfd(item.lead_vi),
        lead_en=item.lead_en,
        body_vi=nfd(item.body_vi),
        body_en=item.body_en,
        slug_vi=item.slug_vi,
        slug_en=item.slug_en,
    )
    response = superuser_client.post(
        admin_url("events.announcement", suffix=f"{item.pk}/change/"), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.title_vi == "Hội nghị Công vụ ASEAN"
    assert item.english_state == EnglishState.COMPLETE


def test_the_contact_form_stores_nfc(client):
    from django.core.cache import cache

    cache.clear()
    response = client.post(
        "/vi/gioi-thieu/",
        {
            "name": nfd("Nguyễn Thị Lan"),
            "email": "lan@example.org",
            "message": nfd("Xin hỏi về Hội nghị ACCSM lần thứ 21"),
            "website": "",
        },
    )
    assert response.status_code == 200
    message = FeedbackMessage.objects.get()
    assert message.name == "Nguyễn Thị Lan"
    assert message.message == "Xin hỏi về Hội nghị ACCSM lần thứ 21"


def test_an_item_saved_in_nfd_is_found_by_its_nfc_words(superuser_client, client):
    title = "Hội thảo về chuyển đổi số trong khu vực công"
    superuser_client.post(
        admin_url("events.announcement", suffix="add/"),
        announcement_form(factories.category(), title_vi=nfd(title)),
    )
    item = Announcement.objects.get()
    assert item.title_vi == title
    # The staff's search in the admin, typed either way.
    for query in (title, nfd(title)):
        found = superuser_client.get(admin_url("events.announcement"), {"q": query})
        assert f"/{item.pk}/change/" in found.content.decode()
    # The public search once it is public, with the words highlighted in NFC.
    item.status, item.publish_at = Status.PUBLISHED, timezone.now() - timedelta(hours=1)
    item.save()
    factories.announcement()  # something else to find, or not
    for query in ("chuyển đổi số", nfd("chuyển đổi số")):
        page = client.get("/vi/tim-kiem/", {"q": query}).content.decode()
        assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>" in page


def test_the_sites_own_text_files_are_nfc():
    root = Path(settings.BASE_DIR)
    files = [
        *root.glob("templates/**/*.html"),
        *root.glob("templates/**/*.txt"),
        *root.glob("templates/**/*.xml"),
        *root.glob("locale/*/LC_MESSAGES/django.po"),
        *root.glob("asean_portal/ops/seed/*.yaml"),
        *root.glob("*/**/*.py"),
    ]
    files = [f for f in files if ".venv" not in f.parts and "node_modules" not in f.parts]
    assert len(files) > 50
    not_nfc = [
        str(f.relative_to(root))
        for f in files
        if not unicodedata.is_normalized("NFC", f.read_text(encoding="utf-8"))
    ]
    assert not_nfc == []

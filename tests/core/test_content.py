"""Slugs, transliteration, old addresses, fallback and translation freshness."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from asean_portal.core.content import EnglishState, transliterate_slug
from asean_portal.core.publishing import Status, publishable_models
from events.models import Announcement
from tests import factories


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Công vụ", "cong-vu"),
        ("Đông Timor", "dong-timor"),
        ("đường Điện Biên Phủ", "duong-dien-bien-phu"),
        ("Quyết định số 1439/QĐ-TTg", "quyet-dinh-so-1439-qd-ttg"),
        ("Hội nghị ACCSM+3 lần thứ 6", "hoi-nghi-accsm-3-lan-thu-6"),
        ("Nền công vụ lấy người dân làm trung tâm", "nen-cong-vu-lay-nguoi-dan-lam-trung-tam"),
    ],
)
def test_vietnamese_is_transliterated(text, slug):
    assert transliterate_slug(text) == slug


def test_slugs_are_made_per_language_from_the_title():
    item = factories.announcement(
        title_vi="Đông Timor xin gia nhập", title_en="Timor-Leste applies"
    )
    assert (item.slug_vi, item.slug_en) == ("dong-timor-xin-gia-nhap", "timor-leste-applies")


def test_no_english_title_means_no_english_slug():
    item = factories.announcement(title_en="")
    assert item.slug_en is None
    with override("en"):
        # The English address falls back to the Vietnamese slug.
        assert item.get_absolute_url() == f"/en/news/{item.slug_vi}/"


def test_slugs_are_unique_per_language_and_made_unique_when_generated():
    first = factories.announcement(title_vi="Công vụ", title_en="Civil service")
    second = factories.announcement(title_vi="Công vụ", title_en="Civil service")
    assert second.slug_vi == "cong-vu-2" and second.slug_en == "civil-service-2"
    # The same word may be a slug in both languages.
    third = factories.announcement(title_vi="ASEAN", title_en="", slug_en="cong-vu")
    assert third.slug_en == "cong-vu"
    # The database refuses a duplicate in one language.
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.filter(pk=second.pk).update(slug_vi=first.slug_vi)


def test_many_items_may_lack_an_english_slug():
    for _ in range(3):
        factories.announcement(title_en="")
    assert Announcement.objects.filter(slug_en__isnull=True).count() == 3


def test_editors_may_type_a_slug_and_it_is_cleaned():
    item = factories.announcement(slug_vi="Tin Đặc Biệt")
    assert item.slug_vi == "tin-dac-biet"


def test_old_address_redirects_permanently_after_a_slug_change(client):
    item = factories.announcement(title_vi="Tin cũ", title_en="Old news")
    old_vi, old_en = f"/vi/tin-tuc/{item.slug_vi}/", f"/en/news/{item.slug_en}/"
    item.slug_vi, item.slug_en = "tin-moi", "new-news"
    item.save()
    response = client.get(old_vi)
    assert response.status_code == 301
    assert response["Location"] == "/vi/tin-tuc/tin-moi/"
    response = client.get(old_en)
    assert response.status_code == 301
    assert response["Location"] == "/en/news/new-news/"
    assert client.get("/vi/tin-tuc/tin-moi/").status_code == 200


def test_a_slug_of_the_other_language_redirects_to_this_language(client):
    item = factories.announcement(title_vi="Hợp tác", title_en="Cooperation")
    response = client.get(f"/en/news/{item.slug_vi}/")
    assert response.status_code == 301
    assert response["Location"] == "/en/news/cooperation/"


def test_missing_english_falls_back_visibly_to_vietnamese(client):
    item = factories.announcement(
        title_en="",
        lead_en="",
        body_en="",
        title_vi="Tin chỉ có tiếng Việt",
        body_vi="<p>Nội dung tiếng Việt.</p>",
    )
    html = client.get(f"/en/news/{item.slug_vi}/").content.decode()
    assert '<h1 lang="vi">Tin chỉ có tiếng Việt</h1>' in html
    assert '<div class="body" lang="vi"><p>Nội dung tiếng Việt.</p></div>' in html
    assert "has not been fully translated into English yet" in html
    # The Vietnamese page carries no such notice.
    vi = client.get(f"/vi/tin-tuc/{item.slug_vi}/").content.decode()
    assert "chưa được dịch" not in vi


MARK = '<span class="language-mark">In Vietnamese</span>'


def test_lists_mark_in_words_what_is_shown_in_vietnamese(client):
    """Every English list that shows an item without its English title says
    so next to the title; translated items and the Vietnamese pages carry no
    mark."""
    untranslated = factories.announcement(
        title_en="", lead_en="", body_en="", title_vi="Tin chỉ có tiếng Việt"
    )
    factories.announcement(title_en="Translated news", title_vi="Tin đã dịch")
    mark = f'lang="vi">Tin chỉ có tiếng Việt</a> {MARK}'
    for url in ("/en/", "/en/news/", f"/en/news/category/{untranslated.category.slug_en}/"):
        html = client.get(url).content.decode()
        assert mark in html, url
        assert html.count(MARK) == 1, url  # the translated item has none
    search = client.get("/en/search/", {"q": "tiếng Việt"}).content.decode()
    # The title is shown with the words searched for highlighted.
    assert re.search(r'lang="vi">Tin chỉ có (<mark>\w+</mark> ?)+</a> ' + re.escape(MARK), search)
    assert search.count(MARK) == 1
    for url in ("/vi/", "/vi/tin-tuc/"):
        html = client.get(url).content.decode()
        assert "Tin chỉ có tiếng Việt" in html and "language-mark" not in html, url


def test_complete_english_shows_no_fallback(client):
    item = factories.announcement()
    html = client.get(f"/en/news/{item.slug_en}/").content.decode()
    assert f"<h1>{item.title_en}</h1>" in html
    assert "not been fully translated" not in html


def test_english_freshness_follows_the_vietnamese():
    item = factories.announcement(title_en="", lead_en="", body_en="")
    assert item.english_state == EnglishState.MISSING

    item.title_en, item.lead_en, item.body_en = "Title", "Lead", "<p>Body</p>"
    item.save()
    assert item.english_state == EnglishState.COMPLETE

    item.body_vi = "<p>Nội dung đã sửa.</p>"
    item.save()
    assert item.english_state == EnglishState.OUTDATED
    assert Announcement.objects.filter(english_state="outdated").count() == 1

    # Fixing the English makes it complete again...
    item.body_en = "<p>Corrected body.</p>"
    item.save()
    assert item.english_state == EnglishState.COMPLETE

    # ...as does a reviewer who finds the English still right.
    item.lead_vi = "Sapo mới."
    item.save()
    assert item.english_state == EnglishState.OUTDATED
    item.mark_english_reviewed()
    item.save()
    assert item.english_state == EnglishState.COMPLETE


def test_changing_both_languages_together_keeps_the_english_fresh():
    item = factories.announcement()
    item.title_vi, item.title_en = "Tiêu đề mới", "New title"
    item.save()
    assert item.english_state == EnglishState.COMPLETE


def test_live_is_the_only_rule_for_visibility():
    now = timezone.now()
    hour = timedelta(hours=1)
    published = factories.announcement(publish_at=now - hour)
    due_scheduled = factories.announcement(status=Status.SCHEDULED, publish_at=now - hour)
    factories.announcement(status=Status.SCHEDULED, publish_at=now + hour)
    factories.announcement(status=Status.DRAFT, publish_at=now - hour)
    factories.announcement(publish_at=now - 2 * hour, unpublish_at=now - hour)
    factories.announcement(status=Status.ARCHIVED, publish_at=now - hour)
    assert set(Announcement.objects.live(now)) == {published, due_scheduled}
    assert published.is_live(now) and not published.is_live(now - 2 * hour)


def test_every_public_type_is_publishable():
    # The test-only type (tests/testapp) is publishable too; the portal's own are these.
    names = {
        model._meta.label for model in publishable_models() if model._meta.app_label != "testapp"
    }
    assert names == {
        "events.Announcement",
        "events.Meeting",
        "priorities.Chairmanship",
        "priorities.Priority",
        "civil_service.WorkPlan",
        "civil_service.Activity",
        "civil_service.Document",
    }


def test_publishing_rules_are_validated():
    from django.core.exceptions import ValidationError

    item = factories.announcement()
    item.unpublish_at = item.publish_at
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "unpublish_at" in error.value.message_dict
    item.unpublish_at = None
    item.publish_at = None
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "publish_at" in error.value.message_dict


def test_drafts_are_404_for_the_public_and_marked_for_staff(client):
    item = factories.announcement(status=Status.DRAFT)
    url = f"/vi/tin-tuc/{item.slug_vi}/"
    assert client.get(url).status_code == 404
    client.force_login(factories.staff(role="Editor"))
    response = client.get(url)
    assert response.status_code == 200
    assert "Chưa công khai" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]

"""The English tab shows the Vietnamese it translates, and an outdated English
names the fields whose Vietnamese changed, in the staff member's language."""

import pytest
from django.utils import translation

from asean_portal.core.content import EnglishState
from events.models import Announcement
from tests import factories
from tests.core.test_admin import admin_url


def change_page(client, item, language="vi"):
    url = admin_url("events.announcement", language, suffix=f"{item.pk}/change/")
    return client.get(url).content.decode()


def verbose(name, language):
    with translation.override(language):
        return str(Announcement._meta.get_field(name).verbose_name)


def test_each_english_field_shows_its_vietnamese_source(client):
    item = factories.announcement(
        title_vi="Hội nghị ACCSM lần thứ 21 <khai mạc>",
        lead_vi="Tóm tắt tiếng Việt của tin.",
        body_vi="<p>Đoạn <strong>thứ nhất</strong>.</p><p>Đoạn thứ hai.</p>",
    )
    client.force_login(factories.staff(role="Editor"))
    html = change_page(client, item)
    # Under the English field, read-only, escaped, marked as Vietnamese.
    assert '<div class="vi-source" id="id_title_en_vi_source">' in html
    assert '<span lang="vi">Hội nghị ACCSM' in html
    assert "Hội nghị ACCSM lần thứ 21 &lt;khai mạc&gt;" in html
    assert "Tóm tắt tiếng Việt của tin." in html
    # The rich text is shown as its text, not as markup to be edited.
    assert "Đoạn thứ nhất.\nĐoạn thứ hai." in html
    assert 'aria-describedby="id_title_en_helptext"' in html or "id_title_en_helptext" in html
    # Nothing is shown beside the Vietnamese fields themselves.
    assert 'id="id_title_vi_vi_source"' not in html


def test_an_empty_vietnamese_field_shows_no_source(client):
    item = factories.announcement(lead_vi="", lead_en="")
    client.force_login(factories.staff(role="Editor"))
    assert 'id="id_lead_en_vi_source"' not in change_page(client, item)


def outdated_item():
    item = factories.announcement()
    item.lead_vi = "Tóm tắt đã sửa."
    item.body_vi = "<p>Nội dung đã sửa.</p>"
    item.save()
    item.refresh_from_db()
    assert item.english_state == EnglishState.OUTDATED
    return item


def test_the_model_names_the_fields_whose_vietnamese_changed():
    item = outdated_item()
    assert sorted(item.english_outdated_fields()) == ["body", "lead"]
    item.mark_english_reviewed()
    item.save()
    assert item.english_outdated_fields() == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_english_outdated_names_the_changed_fields(client, language):
    item = outdated_item()
    client.force_login(factories.staff(role="Editor"))
    html = change_page(client, item, language)
    warning = {
        "vi": "Bản tiếng Anh đã cũ: tiếng Việt đã thay đổi ở",
        "en": "The English is outdated: the Vietnamese changed in",
    }[language]
    assert warning in html
    for name in ("lead", "body"):
        assert verbose(name, language) in html.split(warning, 1)[1].split("</", 1)[0]
    assert verbose("title", language) not in html.split(warning, 1)[1].split("</", 1)[0]
    # The change list's English column names them too.
    listing = client.get(admin_url("events.announcement", language)).content.decode()
    names = ", ".join(verbose(name, language) for name in item.english_outdated_fields())
    assert names in listing


def test_a_current_english_gives_no_warning(client):
    item = factories.announcement()
    client.force_login(factories.staff(role="Editor"))
    assert "Bản tiếng Anh đã cũ" not in change_page(client, item)

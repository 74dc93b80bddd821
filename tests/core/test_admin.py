"""The admin: every model's pages in both staff languages, query counts,
roles, history and restore, uploads and rich text."""

import errno
import io
import re

import pytest
from django.contrib import admin
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from reversion.models import Version

from asean_portal.core.publishing import Status
from events.models import Announcement
from tests import factories

ADMIN = "/{language}/admin/{app}/{model}/"

MAKERS = {
    "events.country": factories.country,
    "events.meetingseries": factories.series,
    "events.category": factories.category,
    "events.meeting": factories.meeting,
    "events.announcement": factories.announcement,
    "priorities.chairmanship": factories.chairmanship,
    "priorities.priority": factories.priority,
    "civil_service.workplan": factories.work_plan,
    "civil_service.activity": factories.activity,
    "civil_service.document": factories.document,
}


def admin_url(label, language="vi", suffix=""):
    app, model = label.split(".")
    return ADMIN.format(language=language, app=app, model=model) + suffix


def sign_in(client, user, language="vi", **extra):
    """Sign in through the admin's sign-in form (django-axes and two-step included)."""
    return client.post(
        f"/{language}/admin/login/?next=/{language}/admin/",
        {"username": user.username, "password": factories.PASSWORD, **extra},
    )


@pytest.fixture
def superuser_client(client):
    client.force_login(factories.staff(superuser=True))
    return client


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_section_of_the_admin_is_named_in_the_staff_s_language(superuser_client, language):
    from django.apps import apps

    app_list = superuser_client.get(f"/{language}/admin/").context["app_list"]
    names = {app["app_label"]: str(app["name"]) for app in app_list}
    assert {"axes", "otp_totp"} <= set(names)
    # No section is named by its bare label, as Django names an app without one.
    for label, name in names.items():
        assert name != label.title() and name != label.upper(), (label, name)
        assert name == str(apps.get_app_config(label).verbose_name)
    if language == "vi":
        assert names["axes"] == "Giới hạn đăng nhập sai"
        assert names["otp_totp"] == "Đăng nhập hai bước"


def test_every_translated_model_has_an_admin():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert set(MAKERS) <= registered


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("label", sorted(MAKERS))
def test_add_change_and_list_pages_render(superuser_client, label, language):
    obj = MAKERS[label]()
    changelist = superuser_client.get(admin_url(label, language))
    assert changelist.status_code == 200
    assert str(obj) in changelist.content.decode()
    add = superuser_client.get(admin_url(label, language, "add/"))
    assert add.status_code == 200
    html = add.content.decode()
    # Language tabs: both languages of the translated fields are on the form.
    assert re.search(r'name="\w+_vi"', html) and re.search(r'name="\w+_en"', html)
    assert "modeltranslation/js/tabbed_translation_fields.js" in html
    assert "vendor/jquery-ui/jquery-ui.min.js" in html
    change = superuser_client.get(admin_url(label, language, f"{obj.pk}/change/"))
    assert change.status_code == 200
    staff_word = {"vi": "Lưu", "en": "Save"}[language]
    assert staff_word in change.content.decode()
    if hasattr(obj, "get_absolute_url"):
        assert "viewsitelink" in change.content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_list_shows_publication_time_in_hanoi_time_and_translation_state(
    superuser_client, language
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    factories.announcement(
        publish_at=datetime(2026, 11, 21, 17, 30, tzinfo=ZoneInfo("UTC")), title_en=""
    )
    html = superuser_client.get(admin_url("events.announcement", language)).content.decode()
    assert "00:30 22/11/2026" in html
    assert {"vi": "giờ Hà Nội, UTC+7", "en": "Hanoi time, UTC+7"}[language] in html
    assert {"vi": "Thiếu tiếng Anh", "en": "EN missing"}[language] in html


def test_list_filters_on_translation_state(superuser_client):
    complete = factories.announcement()
    missing = factories.announcement(title_en="", lead_en="", body_en="")
    html = superuser_client.get(
        admin_url("events.announcement", "en") + "?english_state=missing"
    ).content.decode()
    assert missing.title_vi in html and complete.title_vi not in html


@pytest.mark.parametrize("value", ["²²²²", "99999999999", "-1", "abc", "0", "1", "0001"])
def test_an_odd_year_filter_lists_nothing_instead_of_failing(superuser_client, value):
    item = factories.announcement()
    url = admin_url("events.announcement", "en")
    assert item.title_en in superuser_client.get(url).content.decode()
    response = superuser_client.get(url, {"publish_at_year": value})
    assert response.status_code == 200
    assert item.title_en not in response.content.decode()


@pytest.mark.parametrize("label", sorted(MAKERS))
def test_changelist_query_count_does_not_grow_with_rows(superuser_client, label):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert superuser_client.get(admin_url(label)).status_code == 200
        return len(queries)

    for _ in range(10):
        MAKERS[label]()
    ten = count()
    for _ in range(190):
        MAKERS[label]()
    assert count() == ten


def image_file(name="photo.jpg", size=(40, 30), fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#0b3a75").save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def announcement_form(category, **overrides):
    data = {
        "title_vi": "Tin mới",
        "title_en": "",
        "slug_vi": "",
        "slug_en": "",
        "lead_vi": "",
        "lead_en": "",
        "body_vi": "<p>Nội dung</p>",
        "body_en": "",
        "kind": "news",
        "category": category.pk,
        "byline": "",
        "image_caption_vi": "",
        "image_caption_en": "",
        "image_alt_vi": "",
        "image_alt_en": "",
        "status": Status.DRAFT,
        "publish_at_0": "",
        "publish_at_1": "",
        "unpublish_at_0": "",
        "unpublish_at_1": "",
        "featured_from_0": "",
        "featured_from_1": "",
        "featured_until_0": "",
        "featured_until_1": "",
        "english_label": "",
        "english_source": "",
        "source_url": "",
        # Ticked by default, as on a new form.
        "on_home": "on",
        "posted_time_known": "on",
    }
    data.update(overrides)
    return data


def post_announcement(client, language="vi", **overrides):
    category = factories.category()
    return client.post(
        admin_url("events.announcement", language, "add/"), announcement_form(category, **overrides)
    )


def errors(response):
    return response.context["adminform"].form.errors if response.context else {}


def test_admin_saves_an_announcement_and_records_who(superuser_client):
    response = post_announcement(superuser_client)
    assert response.status_code == 302, errors(response)
    item = Announcement.objects.get(title_vi="Tin mới")
    assert item.created_by is not None and item.updated_by == item.created_by
    assert item.slug_vi == "tin-moi"


@pytest.mark.parametrize(
    ("upload", "message_vi", "message_en"),
    [
        (SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", "image/jpeg"), "ảnh", "image"),
        (SimpleUploadedFile("x.png", b"GIF89a not really", "image/png"), "ảnh", "image"),
    ],
)
def test_uploads_are_checked_by_content(superuser_client, upload, message_vi, message_en):
    response = post_announcement(superuser_client, image=upload, image_alt_vi="Ảnh")
    assert response.status_code == 200
    assert "image" in errors(response)
    assert not Announcement.objects.exists()


def test_an_image_with_a_wrong_name_is_still_accepted_by_its_content(superuser_client):
    upload = image_file(name="photo.jpg", fmt="PNG")
    response = post_announcement(superuser_client, image=upload, image_alt_vi="Ảnh hội nghị")
    assert response.status_code == 302, errors(response)


def test_huge_dimensions_are_refused_with_a_clear_message(superuser_client, monkeypatch):
    from asean_portal.core import images

    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 30)
    response = post_announcement(
        superuser_client, "en", image=image_file(size=(40, 30)), image_alt_vi="Ảnh"
    )
    assert response.status_code == 200
    assert "40×30 pixels" in str(errors(response)["image"])


def test_oversized_files_are_refused(superuser_client, monkeypatch):
    from asean_portal.core import images

    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 100)
    response = post_announcement(superuser_client, image=image_file(), image_alt_vi="Ảnh")
    assert response.status_code == 200
    assert "tối đa cho phép" in str(errors(response)["image"])


def no_space_left(self, name, content):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("fault", ["media folder not writable", "storage full"])
@pytest.mark.parametrize(
    ("language", "message"),
    [("vi", "Không lưu được tệp"), ("en", "The file could not be stored")],
)
def test_an_upload_that_cannot_be_stored_keeps_the_form(
    superuser_client, settings, tmp_path, monkeypatch, caplog, fault, language, message
):
    if fault == "storage full":
        monkeypatch.setattr(FileSystemStorage, "_save", no_space_left)
    else:
        # A file where the media folder should be: no account, root
        # included, can write under it.
        (tmp_path / "blocked").write_text("")
        settings.MEDIA_ROOT = tmp_path / "blocked" / "media"
    response = post_announcement(
        superuser_client,
        language,
        title_vi="Tin có ảnh hội nghị",
        body_vi="<p>Bài viết dài của biên tập viên</p>",
        image=image_file(),
        image_alt_vi="Ảnh hội nghị",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="Tin có ảnh hội nghị"' in page
    assert "Bài viết dài của biên tập viên" in page
    assert 'value="Ảnh hội nghị"' in page
    assert not Announcement.objects.exists()
    assert "an upload could not be stored" in caplog.text


def test_alt_text_is_required_in_vietnamese_and_in_english_with_an_english_title(superuser_client):
    response = post_announcement(superuser_client, image=image_file())
    assert "image_alt_vi" in errors(response)
    response = post_announcement(
        superuser_client, "en", image=image_file(), image_alt_vi="Ảnh", title_en="News"
    )
    form_errors = errors(response)
    assert "image_alt_en" in form_errors
    assert "English title" in str(form_errors["image_alt_en"])


def test_an_editor_cannot_publish_through_the_form(client):
    client.force_login(factories.staff(role="Editor"))
    response = post_announcement(
        client, status=Status.PUBLISHED, publish_at_0="01/01/2020", publish_at_1="08:00:00"
    )
    assert response.status_code == 302, errors(response)
    item = Announcement.objects.get()
    assert item.status == Status.DRAFT and item.publish_at is None


def test_history_records_changes_and_restores_them(superuser_client):
    post_announcement(superuser_client)
    item = Announcement.objects.get()
    form = announcement_form(item.category, title_vi="Tiêu đề đã sửa", slug_vi=item.slug_vi)
    response = superuser_client.post(
        admin_url("events.announcement", "vi", f"{item.pk}/change/"), form
    )
    assert response.status_code == 302, errors(response)
    versions = Version.objects.get_for_object(item)
    assert versions.count() == 2
    history = superuser_client.get(
        admin_url("events.announcement", "en", f"{item.pk}/history/")
    ).content.decode()
    assert versions[0].revision.user.username in history
    # Restore the first version.
    first = versions.last()
    revision_url = admin_url("events.announcement", "vi", f"{item.pk}/history/{first.pk}/")
    assert superuser_client.get(revision_url).status_code == 200
    response = superuser_client.post(
        revision_url, announcement_form(item.category, slug_vi=item.slug_vi)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title_vi == "Tin mới"


def test_meeting_photos_need_english_alt_text_when_the_meeting_has_an_english_title():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from events.models import MeetingPhoto

    meeting = factories.meeting(title_en="Meeting")
    photo = MeetingPhoto(meeting=meeting, image=image_file(), alt_text_vi="Ảnh đại biểu")
    with translation.override("vi"):
        with pytest.raises(ValidationError) as error:
            photo.full_clean()
        assert "tiêu đề tiếng Anh" in str(error.value.message_dict["alt_text_en"])
    photo.alt_text_en = "Delegates"
    photo.full_clean()
    untitled = MeetingPhoto(meeting=factories.meeting(title_en=""), alt_text_vi="Ảnh")
    untitled.full_clean()


@pytest.mark.parametrize(
    "name",
    ["ảnh-hội-nghị-" + "rất-dài-" * 20 + ".jpg", "x" * 300 + ".jpg"],
    ids=["vietnamese", "ascii"],
)
def test_a_photo_with_a_long_file_name_is_kept_under_a_shorter_one(superuser_client, name):
    response = post_announcement(superuser_client, image=image_file(name), image_alt_vi="Ảnh")
    assert response.status_code == 302, errors(response)
    stored = Announcement.objects.get().image.name
    assert stored.startswith("news/") and stored.endswith(".jpg") and len(stored) <= 100

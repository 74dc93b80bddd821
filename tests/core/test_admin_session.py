"""An editor whose session expired while editing keeps the text."""

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile

from asean_portal.core import revisions
from events.models import Announcement
from tests import factories
from tests.core.test_admin import admin_url, announcement_form, image_file, sign_in


@pytest.mark.parametrize(
    ("language", "expired", "restored"),
    [
        ("vi", "Phiên làm việc của bạn đã hết hạn", "nên chưa có gì được lưu"),
        ("en", "Your session had expired", "so nothing was saved"),
    ],
)
def test_a_save_after_the_session_expired_is_kept_through_signing_in(
    client, language, expired, restored
):
    editor = factories.staff(role="Editor")
    item = factories.announcement(title_vi="Tiêu đề cũ")
    assert sign_in(client, editor, language).status_code == 302
    change = admin_url("events.announcement", language, f"{item.pk}/change/")
    assert client.get(change).status_code == 200

    Session.objects.all().delete()  # the session expires while the editor writes
    edited = announcement_form(
        item.category,
        title_vi="Tiêu đề mới sau ba giờ biên tập",
        slug_vi=item.slug_vi,
        body_vi="<p>Một bài viết dài không được mất</p>",
    )
    response = client.post(change, edited)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/{language}/admin/login/")
    login_page = client.get(response["Location"]).content.decode()
    assert expired in login_page
    item.refresh_from_db()
    assert item.title_vi == "Tiêu đề cũ"

    response = client.post(
        response["Location"],
        {"username": editor.username, "password": factories.PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == change
    page = client.get(change).content.decode()
    assert restored in page
    assert 'value="Tiêu đề mới sau ba giờ biên tập"' in page
    assert "Một bài viết dài không được mất" in page
    item.refresh_from_db()
    assert item.title_vi == "Tiêu đề cũ", "nothing is saved before the editor checks it"

    # Once: reloading shows the stored item again, and saving works.
    assert "Tiêu đề mới" not in client.get(change).content.decode()
    assert client.post(change, edited).status_code == 302
    # The item is public and the editor may not publish: the save is pending changes.
    assert revisions.open_revision(item).fields["title_vi"] == "Tiêu đề mới sau ba giờ biên tập"
    item.refresh_from_db()
    assert item.title_vi == "Tiêu đề cũ"


def test_a_new_item_posted_after_expiry_is_kept_and_chosen_files_are_named(client):
    editor = factories.staff(role="Editor")
    category = factories.category()
    sign_in(client, editor)
    Session.objects.all().delete()
    add = admin_url("events.announcement", "vi", "add/")
    form = announcement_form(category, title_vi="Tin viết lúc hết phiên")
    response = client.post(add, {**form, "image": image_file(), "image_alt_vi": "Ảnh"})
    assert response.status_code == 302
    sign_in(client, editor)
    page = client.get(add).content.decode()
    assert 'value="Tin viết lúc hết phiên"' in page
    assert "Không giữ được các tệp bạn đã chọn" in page
    assert not Announcement.objects.exists()


def test_a_kept_post_comes_back_only_in_the_browser_that_posted_it(client):
    # Anonymous posts to the admin still only lead to the sign-in page.
    response = client.post(admin_url("events.announcement", "vi", "add/"), {"title_vi": "x"})
    assert response.status_code == 302
    sign_in(client, factories.staff(role="Editor"))
    page = client.get(admin_url("events.announcement", "vi", "add/")).content.decode()
    assert 'value="x"' in page  # the same browser: its own post comes back
    client.logout()
    other = client.__class__()
    sign_in(other, factories.staff(role="Editor"))
    page = other.get(admin_url("events.announcement", "vi", "add/")).content.decode()
    assert 'value="x"' not in page


@pytest.mark.parametrize("with_file", [False, True])
def test_a_save_over_a_megabyte_after_expiry_is_kept_too(client, with_file):
    """A long text (1.5 MB), or a form that carries a large file besides: the
    text comes back after signing in, and the file is named as not kept."""
    editor = factories.staff(role="Editor")
    item = factories.announcement(title_vi="Tiêu đề cũ")
    sign_in(client, editor)
    change = admin_url("events.announcement", "vi", f"{item.pk}/change/")
    Session.objects.all().delete()
    long_body = "<p>" + "Nội dung một báo cáo rất dài. " * 50_000 + "Đoạn kết của bài.</p>"
    assert len(long_body.encode()) > 1_500_000
    form = announcement_form(
        item.category, title_vi="Báo cáo dài", slug_vi=item.slug_vi, body_vi=long_body
    )
    if with_file:
        form["image"] = SimpleUploadedFile("anh-lon.jpg", b"\xff" * 3_000_000, "image/jpeg")
    response = client.post(change, form)
    assert response.status_code == 302
    assert response["Location"].startswith("/vi/admin/login/")
    assert "Phiên làm việc của bạn đã hết hạn" in client.get(response["Location"]).content.decode()
    sign_in(client, editor)
    page = client.get(change).content.decode()
    assert 'value="Báo cáo dài"' in page
    assert "Đoạn kết của bài." in page
    assert ("Không giữ được các tệp bạn đã chọn" in page) == with_file
    item.refresh_from_db()
    assert item.title_vi == "Tiêu đề cũ"

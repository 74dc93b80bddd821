"""The rows of a live item's inlines (a meeting's participants and photos) are
part of its pending changes: kept in the revision beside its fields, out of
the public's sight, shown to staff, applied with the revision (now or by the
sweep) and dropped with it."""

import html
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import CheckboxInput, ClearableFileInput, MultiWidget
from django.test import Client
from django.utils import timezone
from PIL import Image

from asean_portal.core import revisions
from asean_portal.core.publishing import publish_due
from events.models import MeetingPhoto, Participation
from tests import factories
from tests.core.test_admin import admin_url
from tests.core.test_object_storage import bucket  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

CHANGE = "events.meeting"
ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def errors(response):
    """The form's and the inlines' errors of a page shown again."""
    if not response.context:
        return {}
    found = dict(response.context["adminform"].form.errors)
    for inline in response.context["inline_admin_formsets"]:
        found[inline.formset.prefix] = [
            *inline.formset.errors,
            *inline.formset.non_form_errors(),
        ]
    return found


def values(form):
    """What a browser posts back unchanged from ``form`` (files excepted)."""
    data = {}
    for bound in form:
        widget = bound.field.widget
        if bound.field.disabled or isinstance(widget, ClearableFileInput):
            continue
        value = bound.value()
        if isinstance(widget, MultiWidget):
            for index, (part, sub) in enumerate(
                zip(widget.decompress(value), widget.widgets, strict=True)
            ):
                data[f"{bound.html_name}_{index}"] = sub.format_value(part) or ""
        elif isinstance(widget, CheckboxInput):
            if widget.check_test(value):
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        elif value is not None:
            data[bound.html_name] = widget.format_value(value) or ""
    return data


def change_form(client, meeting):
    """The meeting's change form as ``client`` is shown it, inlines included,
    as the data a browser would post back."""
    response = client.get(admin_url(CHANGE, suffix=f"{meeting.pk}/change/"))
    assert response.status_code == 200
    data = values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(values(form))
    return data


def photo_file(name="delegates.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#0b3a75").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def public_page(meeting):
    response = Client().get(meeting.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def signed_in(client, role):
    user = factories.staff(role=role)
    client.force_login(user)
    return user


@pytest.fixture
def meeting():
    meeting = factories.meeting(title_vi="Hội nghị đang đăng")
    meeting.participations.create(
        country=factories.country(name_vi="Lào"), delegation_head="Ông Cũ"
    )
    MeetingPhoto.objects.create(
        meeting=meeting,
        caption_vi="Chú thích đã duyệt",
        caption_en="Approved caption",
        alt_text_vi="Đại biểu",
        alt_text_en="Delegates",
        order=1,
    )
    return meeting


def edit_rows(client, meeting, button=None, **overrides):
    data = change_form(client, meeting)
    data.update(overrides)
    if button:
        data[button] = "1"
    return client.post(admin_url(CHANGE, suffix=f"{meeting.pk}/change/"), data)


def add_participant(country, index=1):
    return {
        "participations-TOTAL_FORMS": str(index + 1),
        f"participations-{index}-country": str(country.pk),
        f"participations-{index}-role": "partner",
        f"participations-{index}-delegation_head": "Bà Mới",
    }


def rows(meeting):
    return (
        sorted(meeting.participations.values_list("country__name_vi", "delegation_head")),
        sorted(
            MeetingPhoto.objects.filter(meeting=meeting).values_list("caption_vi", "caption_en")
        ),
    )


def test_an_editor_edits_the_rows_of_a_live_meeting_as_pending_changes(client, meeting):
    signed_in(client, "Editor")
    before = rows(meeting)
    japan = factories.country(name_vi="Nhật Bản", group="plus3")
    response = edit_rows(
        client,
        meeting,
        **{
            "participations-0-delegation_head": "Bà Sửa",
            "photos-0-caption_vi": "Chú thích sửa",
            "photos-0-caption_en": "Edited caption",
            **add_participant(japan),
        },
    )
    assert response.status_code == 302, errors(response)
    # The public keeps the approved rows.
    assert rows(meeting) == before
    page = public_page(meeting)
    assert "Chú thích đã duyệt" in page and "Chú thích sửa" not in page
    assert "Nhật Bản" not in page
    revision = revisions.open_revision(meeting)
    assert revision is not None
    # Staff see the pending rows at the meeting's address.
    preview = client.get(meeting.get_absolute_url()).content.decode()
    assert "notice-pending" in preview
    assert "Chú thích sửa" in preview and "Nhật Bản" in preview
    assert "Chú thích đã duyệt" not in preview
    # The change form shows the pending rows, and the diff names them.
    html = client.get(admin_url(CHANGE, suffix=f"{meeting.pk}/change/")).content.decode()
    assert 'value="Chú thích sửa"' in html and 'value="Bà Sửa"' in html
    diff = html[html.index("revision-diff") :]
    assert "Chú thích sửa" in diff and "Nhật Bản" in diff and "Bà Sửa" in diff
    # Saving again from that form keeps the pending rows.
    response = edit_rows(client, meeting)
    assert response.status_code == 302, errors(response)
    assert rows(meeting) == before
    # Published: the rows change with the fields, in one go.
    revisions.publish_now(
        revision=revisions.open_revision(meeting), by=factories.staff(role="Chief editor")
    )
    assert rows(meeting) == (
        [("Lào", "Bà Sửa"), ("Nhật Bản", "Bà Mới")],
        [("Chú thích sửa", "Edited caption")],
    )
    page = public_page(meeting)
    assert "Chú thích sửa" in page and "Nhật Bản" in page


def test_discarded_pending_rows_never_reach_the_public(client, meeting):
    author = signed_in(client, "Editor")
    before = rows(meeting)
    japan = factories.country(name_vi="Nhật Bản", group="plus3")
    response = edit_rows(
        client,
        meeting,
        **{"photos-0-caption_vi": "Chú thích sửa", **add_participant(japan)},
    )
    assert response.status_code == 302, errors(response)
    revisions.discard(revision=revisions.open_revision(meeting), by=author)
    assert rows(meeting) == before
    assert "Nhật Bản" not in public_page(meeting)
    html = client.get(admin_url(CHANGE, suffix=f"{meeting.pk}/change/")).content.decode()
    assert 'value="Chú thích đã duyệt"' in html


def new_photo_row(index=1):
    return {
        "photos-TOTAL_FORMS": str(index + 1),
        f"photos-{index}-caption_vi": "Ảnh mới chờ duyệt",
        f"photos-{index}-alt_text_vi": "Các trưởng đoàn",
        f"photos-{index}-alt_text_en": "The heads of delegation",
        f"photos-{index}-order": "2",
        f"photos-{index}-focus_x": "50",
        f"photos-{index}-focus_y": "50",
        f"photos-{index}-image": photo_file(),
    }


@pytest.mark.parametrize("decision", ["publish", "schedule", "discard"])
def test_a_publisher_s_draft_with_a_new_photo_and_a_removed_row(client, meeting, decision):
    chief = signed_in(client, "Chief editor")
    before = rows(meeting)
    response = edit_rows(
        client,
        meeting,
        "_save_as_draft",
        **{"participations-0-DELETE": "on", **new_photo_row()},
    )
    assert response.status_code == 302, errors(response)
    assert rows(meeting) == before
    assert MeetingPhoto.objects.filter(meeting=meeting).count() == 1
    page = public_page(meeting)
    assert "Ảnh mới chờ duyệt" not in page and "Lào" in page
    preview = client.get(meeting.get_absolute_url()).content.decode()
    assert "Ảnh mới chờ duyệt" in preview
    # Its renditions were made for the preview: the picture shows, at a
    # signed address (the photo has no public copy until it is published).
    source = re.search(r'<img src="([^"]+)"[^>]*alt="Các trưởng đoàn"', preview).group(1)
    assert source.startswith(f"{settings.MEDIA_URL}private/")
    shown = client.get(html.unescape(source))
    assert shown.status_code == 200 and b"".join(shown.streaming_content)
    revision = revisions.open_revision(meeting)
    other = factories.staff(role="Chief editor")
    if decision == "discard":
        revisions.discard(revision=revision, by=chief)
        assert rows(meeting) == before
        assert "Ảnh mới chờ duyệt" not in public_page(meeting)
        return
    if decision == "publish":
        revisions.publish_now(revision=revision, by=other)
    else:
        due = timezone.now() + timedelta(minutes=1)
        revisions.schedule(revision=revision, at=due, by=other)
        with time_machine.travel(due - timedelta(seconds=1), tick=False):
            publish_due()
            assert rows(meeting) == before
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            publish_due()
    assert not Participation.objects.filter(meeting=meeting).exists()
    photo = MeetingPhoto.objects.get(meeting=meeting, caption_vi="Ảnh mới chờ duyệt")
    assert photo.image and (photo.width, photo.height) == (640, 480)
    page = public_page(meeting)
    assert "Ảnh mới chờ duyệt" in page and "Lào" not in page


def test_a_publisher_s_plain_save_changes_the_rows_at_once(client, meeting):
    signed_in(client, "Chief editor")
    response = edit_rows(client, meeting, **{"photos-0-caption_vi": "Sửa ngay"})
    assert response.status_code == 302, errors(response)
    assert revisions.open_revision(meeting) is None
    assert "Sửa ngay" in public_page(meeting)


def test_a_publisher_s_save_from_a_form_with_pending_rows_makes_them_live(client, meeting):
    signed_in(client, "Editor")
    japan = factories.country(name_vi="Nhật Bản", group="plus3")
    response = edit_rows(
        client, meeting, **{"photos-0-caption_vi": "Chú thích sửa", **add_participant(japan)}
    )
    assert response.status_code == 302, errors(response)
    signed_in(client, "Chief editor")
    # The form shows the pending rows; saved as it is, they go live.
    response = edit_rows(client, meeting)
    assert response.status_code == 302, errors(response)
    assert revisions.open_revision(meeting) is None
    assert rows(meeting) == (
        [("Lào", "Ông Cũ"), ("Nhật Bản", "Bà Mới")],
        [("Chú thích sửa", "Approved caption")],
    )


def test_the_diff_of_rows_shows_markup_as_text(client, meeting):
    signed_in(client, "Editor")
    response = edit_rows(client, meeting, **{"photos-0-caption_vi": f"Chú thích {ATTACK}"})
    assert response.status_code == 302, errors(response)
    html = client.get(admin_url(CHANGE, suffix=f"{meeting.pk}/change/")).content.decode()
    diff = html[html.index("revision-diff") : html.index("revision-actions")]
    assert "<script" not in diff and "<img" not in diff
    assert "&lt;script&gt;alert" in diff


def test_a_stale_save_of_rows_is_refused(meeting):
    first, second = Client(), Client()
    first.force_login(factories.staff(role="Editor"))
    second.force_login(factories.staff(role="Editor"))
    data_second = change_form(second, meeting)
    response = edit_rows(first, meeting, **{"photos-0-caption_vi": "Chú thích của Anh"})
    assert response.status_code == 302, errors(response)
    data_second["photos-0-caption_vi"] = "Chú thích của Bình"
    refused = second.post(admin_url(CHANGE, suffix=f"{meeting.pk}/change/"), data_second)
    assert refused.status_code == 200
    assert "giờ Hà Nội" in refused.content.decode()
    text = str(revisions.open_revision(meeting).fields)
    assert "Chú thích của Anh" in text and "Chú thích của Bình" not in text
    assert re.search(r'name="opened_as"', refused.content.decode())


def stored_photos(meeting):
    revision = revisions.open_revision(meeting)
    change = revisions.row_changes(revision).get("photos", {"added": []})
    return [(values["caption_vi"], values["image"]) for values in change["added"]]


def test_a_pending_photo_s_file_is_kept_across_saves_and_removed_with_the_row(
    client, meeting, django_capture_on_commit_callbacks
):
    signed_in(client, "Chief editor")
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_rows(client, meeting, "_save_as_draft", **new_photo_row())
    assert response.status_code == 302, errors(response)
    [(_caption, name)] = stored_photos(meeting)
    assert default_storage.exists(name)
    assert MeetingPhoto.objects.filter(meeting=meeting).count() == 1
    # The form shows the stored file; saved again, the row keeps it.
    html = client.get(admin_url(CHANGE, suffix=f"{meeting.pk}/change/")).content.decode()
    assert f">{name}</a>" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_rows(
            client, meeting, "_save_as_draft", **{"photos-1-caption_vi": "Ảnh mới, sửa chú thích"}
        )
    assert response.status_code == 302, errors(response)
    assert stored_photos(meeting) == [("Ảnh mới, sửa chú thích", name)]
    assert default_storage.exists(name)
    # Taken out of the changes before any decision: its file goes too.
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_rows(client, meeting, "_save_as_draft", **{"photos-1-DELETE": "on"})
    assert response.status_code == 302, errors(response)
    assert stored_photos(meeting) == []
    assert not default_storage.exists(name)


def test_a_discard_removes_the_pending_photo_s_file(
    client, meeting, django_capture_on_commit_callbacks
):
    chief = signed_in(client, "Chief editor")
    response = edit_rows(client, meeting, "_save_as_draft", **new_photo_row())
    assert response.status_code == 302, errors(response)
    [(_caption, name)] = stored_photos(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        revisions.discard(revision=revisions.open_revision(meeting), by=chief)
    assert not default_storage.exists(name)
    assert MeetingPhoto.objects.filter(meeting=meeting).count() == 1


def test_a_publisher_s_save_removes_the_rows_that_the_pending_changes_removed(client, meeting):
    signed_in(client, "Chief editor")
    response = edit_rows(client, meeting, "_save_as_draft", **{"participations-0-DELETE": "on"})
    assert response.status_code == 302, errors(response)
    assert meeting.participations.count() == 1
    signed_in(client, "Chief editor")
    response = edit_rows(client, meeting)
    assert response.status_code == 302, errors(response)
    assert meeting.participations.count() == 0
    assert revisions.open_revision(meeting) is None


def test_in_the_object_store_a_pending_photo_stays_private_until_published(
    client,
    meeting,
    bucket,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    from tests.core.test_object_storage import keys

    signed_in(client, "Chief editor")
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_rows(client, meeting, "_save_as_draft", **new_photo_row())
    assert response.status_code == 302, errors(response)
    [(_caption, name)] = stored_photos(meeting)
    assert name in keys(bucket) and f"public/{name}" not in keys(bucket)
    with django_capture_on_commit_callbacks(execute=True):
        revisions.publish_now(
            revision=revisions.open_revision(meeting), by=factories.staff(role="Chief editor")
        )
    assert f"public/{name}" in keys(bucket)


def test_a_read_only_inline_adds_nothing_to_the_pending_changes(client):
    chairmanship = factories.chairmanship(year=2020, theme_vi="Chủ đề đã duyệt")
    factories.priority(chairmanship=chairmanship, title_vi="Ưu tiên một")
    signed_in(client, "Editor")
    url = admin_url("priorities.chairmanship", suffix=f"{chairmanship.pk}/change/")
    response = client.get(url)
    data = values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(values(form))
    response = client.post(url, {**data, "theme_vi": "Chủ đề sửa"})
    assert response.status_code == 302, errors(response)
    revision = revisions.open_revision(chairmanship)
    assert revision.fields["theme_vi"] == "Chủ đề sửa"
    assert revisions.row_changes(revision) == {}


def test_rows_in_conflict_meanwhile_leave_the_whole_revision_unapplied(client, meeting):
    signed_in(client, "Editor")
    japan = factories.country(name_vi="Nhật Bản", group="plus3")
    response = edit_rows(
        client, meeting, **{"title_vi": "Tên hội nghị sửa", **add_participant(japan)}
    )
    assert response.status_code == 302, errors(response)
    meeting.participations.create(country=japan)  # a publisher added it directly meanwhile
    with pytest.raises(revisions.ValidationError) as refused:
        revisions.publish_now(
            revision=revisions.open_revision(meeting),
            by=factories.staff(role="Chief editor"),
            english="notice",
        )
    assert refused.value.code == "conflict"
    meeting.refresh_from_db()
    assert meeting.title_vi == "Hội nghị đang đăng"
    assert revisions.open_revision(meeting) is not None


def removed_by_script(data, prefix, index):
    """``data`` as the admin's script posts it once the new row ``index`` of
    the inline ``prefix`` is removed: the rows after it renumbered."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    posted = {
        name: value for name, value in data.items() if not name.startswith(f"{prefix}-{index}-")
    }
    for later in range(index + 1, total):
        for name in [name for name in posted if name.startswith(f"{prefix}-{later}-")]:
            field = name.removeprefix(f"{prefix}-{later}-")
            posted[f"{prefix}-{later - 1}-{field}"] = posted.pop(name)
    posted[f"{prefix}-TOTAL_FORMS"] = str(total - 1)
    return posted


@pytest.mark.parametrize("role", ["Editor", "Chief editor"])
def test_a_pending_new_row_removed_by_the_script_takes_its_photo_with_it(client, meeting, role):
    signed_in(client, role)
    data = change_form(client, meeting)
    first, second, third = new_photo_row(1), new_photo_row(2), new_photo_row(3)
    first["photos-1-caption_vi"] = "Ảnh thứ nhất"
    first["photos-1-image"] = photo_file("first.jpg")
    second["photos-2-caption_vi"] = "Ảnh thứ hai"
    second["photos-2-image"] = photo_file("second.jpg")
    third["photos-3-caption_vi"] = "Chú thích chờ ảnh"
    del third["photos-3-image"]
    data.update({**first, **second, **third, "_save_as_draft": "1"})
    response = client.post(admin_url(CHANGE, suffix=f"{meeting.pk}/change/"), data)
    assert response.status_code == 302, errors(response)
    stored = dict(stored_photos(meeting))
    assert "first" in stored["Ảnh thứ nhất"] and "second" in stored["Ảnh thứ hai"]
    assert not stored["Chú thích chờ ảnh"]
    # Each pending new row's form carries its key, in the page a browser gets.
    html = client.get(admin_url(CHANGE, suffix=f"{meeting.pk}/change/")).content.decode()
    for index in (1, 2, 3):
        assert re.search(rf'type="hidden" name="photos-{index}-pending_row" value="\d+-', html)
    # The first new row is removed in the browser: the rows after it move up,
    # and their file fields are empty (a browser never sends a stored file).
    data = removed_by_script(change_form(client, meeting), "photos", 1)
    data["_save_as_draft"] = "1"
    response = client.post(admin_url(CHANGE, suffix=f"{meeting.pk}/change/"), data)
    assert response.status_code == 302, errors(response)
    assert sorted(stored_photos(meeting)) == [
        ("Chú thích chờ ảnh", ""),
        ("Ảnh thứ hai", stored["Ảnh thứ hai"]),
    ]


def test_a_new_row_never_takes_a_stored_photo_it_did_not_carry(client, meeting):
    signed_in(client, "Chief editor")
    response = edit_rows(client, meeting, "_save_as_draft", **new_photo_row())
    assert response.status_code == 302, errors(response)
    [(_caption, name)] = stored_photos(meeting)
    data = change_form(client, meeting)
    # The pending row is removed, and a new row (without a file) added in its place.
    data = removed_by_script(data, "photos", 1)
    row = new_photo_row(1)
    del row["photos-1-image"]
    row["photos-1-caption_vi"] = "Một hàng mới khác"
    data.update(row)
    data["_save_as_draft"] = "1"
    response = client.post(admin_url(CHANGE, suffix=f"{meeting.pk}/change/"), data)
    assert response.status_code == 302, errors(response)
    assert stored_photos(meeting) == [("Một hàng mới khác", "")]


def test_a_pending_new_participant_s_form_carries_its_key(client, meeting):
    signed_in(client, "Editor")
    japan = factories.country(name_vi="Nhật Bản", group="plus3")
    response = edit_rows(client, meeting, **add_participant(japan))
    assert response.status_code == 302, errors(response)
    html = client.get(admin_url(CHANGE, suffix=f"{meeting.pk}/change/")).content.decode()
    assert re.search(r'type="hidden" name="participations-1-pending_row" value="0-', html)
    assert 'name="participations-0-pending_row" value' not in html
    # Saved again as it is, the pending participant stays, once.
    response = edit_rows(client, meeting)
    assert response.status_code == 302, errors(response)
    change = revisions.row_changes(revisions.open_revision(meeting))["participations"]
    assert [values["country"] for values in change["added"]] == [japan.pk]

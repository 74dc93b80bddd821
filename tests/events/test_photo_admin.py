"""The meeting form never stores a photo row without the photo that was
chosen for it, and staff can list the captions still waiting for a photo."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from asean_portal.core.publishing import Status
from events.models import Meeting, MeetingPhoto
from tests import factories


@pytest.fixture
def staff_client(client):
    client.force_login(factories.staff(superuser=True))
    return client


def photo_file():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#0b3a75").save(buffer, "JPEG")
    return SimpleUploadedFile("delegates.jpg", buffer.getvalue(), content_type="image/jpeg")


def meeting_form(series, **overrides):
    data = {
        "title_vi": "Hội nghị có ảnh",
        "series": series.pk,
        "kind": "som",
        "status": Status.DRAFT,
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "0",
        "photos-0-caption_vi": "Quang cảnh cuộc họp",
        "photos-0-alt_text_vi": "Các đại biểu ngồi quanh bàn họp",
        "photos-0-order": "1",
        "photos-0-focus_x": "50",
        "photos-0-focus_y": "50",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(("language", "word"), [("vi", "chọn lại"), ("en", "choose it again")])
def test_a_failed_save_never_leads_to_a_photo_row_without_its_photo(staff_client, language, word):
    series = factories.series()
    url = f"/{language}/admin/events/meeting/add/"
    # 1. A required field left empty, a photo chosen: the page comes back.
    first = staff_client.post(
        url, {**meeting_form(series, title_vi=""), "photos-0-image": photo_file()}
    )
    assert first.status_code == 200
    page = first.content.decode()
    assert "delegates.jpg" in page and word in page
    assert 'name="photos-0-image_chosen" value="delegates.jpg"' in page
    # 2. Fixed, saved again without choosing the file: refused, not a success.
    second = staff_client.post(
        url, meeting_form(series, **{"photos-0-image_chosen": "delegates.jpg"})
    )
    assert second.status_code == 200
    assert "delegates.jpg" in second.content.decode()
    assert not Meeting.objects.exists() and not MeetingPhoto.objects.exists()
    # 3. Chosen again: saved with its photo.
    third = staff_client.post(
        url,
        {
            **meeting_form(series, **{"photos-0-image_chosen": "delegates.jpg"}),
            "photos-0-image": photo_file(),
        },
    )
    assert third.status_code == 302
    photo = MeetingPhoto.objects.get()
    assert photo.image and (photo.width, photo.height) == (640, 480)


def test_a_caption_alone_can_still_be_saved_on_purpose(staff_client):
    response = staff_client.post("/vi/admin/events/meeting/add/", meeting_form(factories.series()))
    assert response.status_code == 302
    assert MeetingPhoto.objects.get().image.name == ""


def test_staff_list_the_captions_waiting_for_a_photo(staff_client):
    meeting = factories.meeting()
    MeetingPhoto.objects.create(
        meeting=meeting, caption_vi="Đại sứ Ekkaphab Phanthavong phát biểu", alt_text_vi="x"
    )
    MeetingPhoto.objects.create(
        meeting=meeting, caption_vi="Ảnh đã có", alt_text_vi="x", image=photo_file()
    )
    page = staff_client.get("/vi/admin/events/meetingphoto/?photo=waiting").content.decode()
    assert "Đại sứ Ekkaphab Phanthavong phát biểu" in page
    assert "Ảnh đã có" not in page


def test_a_meeting_with_a_photo_is_saved_again_unchanged(staff_client):
    from tests.core.test_revision_inlines import change_form

    meeting = factories.meeting(status=Status.DRAFT, publish_at=None)
    MeetingPhoto.objects.create(
        meeting=meeting, caption_vi="Ảnh", alt_text_vi="x", alt_text_en="x", image=photo_file()
    )
    data = change_form(staff_client, meeting)
    response = staff_client.post(f"/vi/admin/events/meeting/{meeting.pk}/change/", data)
    assert response.status_code == 302
    assert MeetingPhoto.objects.get().image


def announcement_data(**overrides):
    from tests.core.test_admin import announcement_form

    data = announcement_form(
        factories.category(),
        image_caption_vi="Quang cảnh hội nghị",
        image_alt_vi="Các đại biểu ngồi quanh bàn họp",
    )
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("language", "word"), [("vi", "chọn lại ảnh chính"), ("en", "choose the main photo again")]
)
def test_a_news_items_main_photo_is_named_when_it_must_be_chosen_again(
    staff_client, language, word
):
    from events.models import Announcement

    url = f"/{language}/admin/events/announcement/add/"
    data = announcement_data()
    # 1. The title left empty, a main photo chosen: the page comes back and
    #    names the photo that must be chosen again.
    first = staff_client.post(url, {**data, "title_vi": "", "image": photo_file()})
    assert first.status_code == 200
    page = first.content.decode()
    assert word in page and "delegates.jpg" in page
    assert 'name="image_chosen" value="delegates.jpg"' in page
    # 2. Fixed, saved without choosing it again: refused, nothing stored.
    second = staff_client.post(url, {**data, "image_chosen": "delegates.jpg"})
    assert second.status_code == 200
    assert "delegates.jpg" in second.content.decode()
    assert not Announcement.objects.exists()
    # 3. Chosen again: saved with its photo.
    third = staff_client.post(url, {**data, "image_chosen": "delegates.jpg", "image": photo_file()})
    assert third.status_code == 302, third.context and third.context["adminform"].form.errors
    stored = Announcement.objects.get()
    assert stored.image and (stored.image_width, stored.image_height) == (640, 480)


def test_a_news_item_without_a_photo_is_still_saved(staff_client):
    from events.models import Announcement

    response = staff_client.post("/vi/admin/events/announcement/add/", announcement_data())
    assert response.status_code == 302
    assert Announcement.objects.get().image.name == ""

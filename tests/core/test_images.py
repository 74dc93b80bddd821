"""Photos: checked by content, stored without metadata, converted safely, and
given responsive renditions (WebP and JPEG) once, in the storage."""

import io
from urllib.parse import unquote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from asean_portal.core.images import (
    MAX_IMAGE_BYTES,
    PhotoFormField,
    Rendition,
    picture,
    rendition_files,
    validate_image,
)
from events.models import MeetingPhoto
from tests import factories


def stored_name(url):
    """The name in the storage of the upload at ``url``: its public copy's,
    or its original's signed address."""
    path = unquote(urlsplit(url).path).removeprefix("/media/")
    return path.removeprefix("public/").removeprefix("private/")


GPS_IFD = 0x8825


def image_bytes(mode="RGB", size=(1200, 800), image_format="JPEG", exif=None, **options):
    image = Image.new(mode, size, "red" if mode in ("RGB", "RGBA", "CMYK") else 128)
    out = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    image.save(out, image_format, **options)
    return out.getvalue()


def gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0112] = 1
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 1.0)})
    return exif


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def cleaned(data, name="photo.jpg"):
    return PhotoFormField(required=False).clean(upload(data, name))


def opened(file):
    file.seek(0)
    return Image.open(io.BytesIO(file.read()))


def test_exif_and_gps_never_reach_the_stored_file_or_its_renditions():
    data = image_bytes(exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    photo = MeetingPhoto.objects.create(
        meeting=factories.meeting(), image=cleaned(data), alt_text_vi="Ảnh", alt_text_en="Photo"
    )
    with default_storage.open(photo.image.name) as stored:
        image = Image.open(stored)
        assert not image.getexif()
        assert "exif" not in image.info
    renditions = rendition_files(photo, "image")
    assert len(renditions) == 8  # 480, 960, 1200 wide and the thumbnail, in WebP and JPEG
    for rendition in renditions:
        with default_storage.open(rendition.name) as stored:
            image = Image.open(stored)
            assert not image.getexif(), rendition.name
            assert image.format in ("WEBP", "JPEG")


def test_the_stored_photo_is_cleaned_even_without_a_form():
    data = image_bytes(exif=gps_exif())
    photo = MeetingPhoto.objects.create(
        meeting=factories.meeting(), image=upload(data), alt_text_vi="Ảnh"
    )
    with default_storage.open(photo.image.name) as stored:
        assert not Image.open(stored).getexif()
    assert (photo.width, photo.height) == (1200, 800)


def test_the_picture_element_has_webp_jpeg_srcsets_and_true_dimensions():
    photo = MeetingPhoto.objects.create(
        meeting=factories.meeting(),
        image=cleaned(image_bytes(size=(1999, 1001))),
        alt_text_vi="Ảnh",
    )
    html = (
        engines["jinja2"]
        .from_string('{{ picture(photo, "image", "Ảnh", sizes="100vw") }}')
        .render({"photo": photo})
    )
    assert '<source type="image/webp"' in html
    assert " 480w" in html and " 960w" in html and " 1600w" in html
    data = picture(photo, "image")
    assert f'width="{data["width"]}"' in html and f'height="{data["height"]}"' in html
    assert 'alt="Ảnh"' in html and 'loading="lazy"' in html
    with default_storage.open(stored_name(data["src"])) as stored:
        assert Image.open(stored).size == (data["width"], data["height"])
    for srcset in (data["webp_srcset"], data["jpeg_srcset"]):
        assert [entry.split()[1] for entry in srcset.split(", ")] == ["480w", "960w", "1600w"]
        for entry in srcset.split(", "):
            url, width = entry.split()
            with default_storage.open(stored_name(url)) as stored:
                assert Image.open(stored).size[0] == int(width[:-1])


def test_a_small_photo_is_never_enlarged():
    photo = MeetingPhoto.objects.create(
        meeting=factories.meeting(), image=cleaned(image_bytes(size=(300, 200))), alt_text_vi="x"
    )
    data = picture(photo, "image")
    assert data["jpeg_srcset"].endswith(" 300w") and "480w" not in data["jpeg_srcset"]
    assert (data["width"], data["height"]) == (300, 200)


def two_halves():
    image = Image.new("RGB", (1200, 300), "red")
    image.paste(Image.new("RGB", (600, 300), "blue"), (600, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("focus_x,expected", [(0, "red"), (100, "blue")])
def test_the_listing_thumbnail_keeps_the_focal_point(focus_x, expected):
    item = factories.announcement(
        image=cleaned(two_halves(), "halves.png"), image_alt_vi="x", image_focus_x=focus_x
    )
    data = picture(item, "image", thumbnail=True)
    assert (data["width"], data["height"]) == (400, 300)
    with default_storage.open(stored_name(data["src"])) as stored:
        red, green, blue = Image.open(stored).convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert (red > blue) == (expected == "red")


def test_cmyk_becomes_rgb():
    result = opened(cleaned(image_bytes(mode="CMYK")))
    assert result.mode == "RGB"


def test_sixteen_bit_becomes_eight_bit():
    image = Image.new("I;16", (64, 64))
    image.putpixel((0, 0), 65535)
    out = io.BytesIO()
    image.save(out, "PNG")
    assert Image.open(io.BytesIO(out.getvalue())).mode.startswith("I")
    result = opened(cleaned(out.getvalue(), "deep.png"))
    assert result.mode == "L"
    assert result.getpixel((0, 0)) == 255


def test_an_animation_becomes_its_first_frame():
    frames = [Image.new("RGB", (50, 50), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = opened(cleaned(out.getvalue(), "moving.gif"))
    assert getattr(result, "n_frames", 1) == 1
    red, green, blue = result.convert("RGB").getpixel((25, 25))
    assert red > 200 and green < 50


def test_a_polyglot_loses_everything_but_its_pixels():
    data = image_bytes(size=(40, 40)) + b"<html><script>alert(1)</script></html>PK\x03\x04"
    result = cleaned(data, "trick.jpg")
    result.seek(0)
    assert b"<script>" not in result.read()


def test_malformed_exif_is_dropped_not_fatal():
    exif = Image.Exif()
    exif[0x0112] = 999  # no such orientation
    exif[0x010E] = "A" * 60000
    result = opened(cleaned(image_bytes(size=(40, 40), exif=exif)))
    assert not result.getexif()


@pytest.mark.parametrize(
    "data,name,code",
    [
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg", "svg"),
        (b"<svg onload='alert(1)'></svg>", "logo.jpg", "svg"),
        (b"%PDF-1.7 not an image", "file.jpg", "not_an_image"),
        (image_bytes(size=(40, 40))[:200], "cut.jpg", "not_an_image"),
        (image_bytes(size=(8001, 2), image_format="PNG"), "wide.png", "dimensions"),
        (image_bytes(size=(40, 40), image_format="TIFF"), "scan.tiff", "format"),
    ],
)
def test_what_cannot_be_shown_is_refused_with_a_message_in_the_editors_language(data, name, code):
    messages = {}
    for language in ("vi", "en"):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                cleaned(data, name)
            messages[language] = str(refused.value.messages[0])
        assert refused.value.code == code
    assert messages["vi"] and messages["vi"] != messages["en"]


def test_a_file_over_the_byte_limit_is_refused():
    big = upload(b"\xff\xd8" + b"0" * (MAX_IMAGE_BYTES + 1))
    with pytest.raises(ValidationError) as refused:
        validate_image(big)
    assert refused.value.code == "too_large"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_any_bytes_are_refused_or_stored_clean(data):
    try:
        result = cleaned(data, "x.jpg")
    except ValidationError:
        return
    assert opened(result).format in ("JPEG", "PNG")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mode=st.sampled_from(["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I", "I;16", "F", "YCbCr"]),
    image_format=st.sampled_from(["PNG", "JPEG", "WEBP", "GIF", "TIFF", "BMP"]),
    width=st.integers(1, 64),
    height=st.integers(1, 64),
)
def test_any_image_is_refused_or_converted_to_an_eight_bit_jpeg_or_png(
    mode, image_format, width, height
):
    try:
        data = image_bytes(mode=mode, size=(width, height), image_format=image_format)
    except (OSError, ValueError, KeyError):
        return  # Pillow cannot write that combination: nobody can upload it
    try:
        result = cleaned(data, "x.png")
    except ValidationError:
        assert image_format in ("TIFF", "BMP")
        return
    image = opened(result)
    assert image.format in ("JPEG", "PNG")
    assert image.mode in ("L", "RGB", "RGBA")
    assert image.size == (width, height)
    assert not image.getexif()


def test_a_new_photo_under_a_reused_name_gets_fresh_renditions():
    meeting = factories.meeting()
    first = MeetingPhoto.objects.create(
        meeting=meeting, image=cleaned(image_bytes(size=(600, 400))), alt_text_vi="x"
    )
    name = first.image.name
    first.image.delete(save=False)
    first.delete()
    blue = Image.new("RGB", (600, 400), "blue")
    out = io.BytesIO()
    blue.save(out, "JPEG")
    second = MeetingPhoto.objects.create(
        meeting=meeting, image=cleaned(out.getvalue()), alt_text_vi="x"
    )
    assert second.image.name == name
    with default_storage.open(stored_name(picture(second, "image")["src"])) as stored:
        red, green, blue_value = Image.open(stored).convert("RGB").getpixel((10, 10))
    assert blue_value > 200 and red < 50


def test_rendition_names_are_imagekit_s_own_and_worked_out_once_per_photo(monkeypatch):
    photo = MeetingPhoto.objects.create(
        meeting=factories.meeting(), image=cleaned(image_bytes()), alt_text_vi="Ảnh"
    )
    data, thumbnail = picture(photo, "image"), picture(photo, "image", thumbnail=True)
    shown = {
        stored_name(entry.split()[0])
        for srcset in (data["webp_srcset"], data["jpeg_srcset"])
        for entry in srcset.split(", ")
    } | {stored_name(thumbnail[key]) for key in ("webp_srcset", "jpeg_srcset")}
    assert shown == {cachefile.name for cachefile in rendition_files(photo, "image")}

    def hashed_again(rendition):
        raise AssertionError("a rendition name was worked out again")

    monkeypatch.setattr(Rendition, "cachefile_name", property(hashed_again))
    assert picture(photo, "image") == data
    assert picture(photo, "image", thumbnail=True) == thumbnail


def test_a_photo_whose_size_was_not_read_leaves_its_page_standing(client):
    # A store that could not give the file when it was saved leaves the
    # photo's size empty (PhotoField.update_dimension_fields): no renditions
    # can be named, and the page shows the caption instead of failing.
    photo = MeetingPhoto.objects.create(
        meeting=factories.meeting(),
        image=cleaned(image_bytes()),
        alt_text_vi="Ảnh",
        caption_vi="Toàn cảnh hội nghị",
    )
    MeetingPhoto.objects.filter(pk=photo.pk).update(width=None, height=None)
    photo.refresh_from_db()
    assert picture(photo, "image") is None
    with translation.override("vi"):
        response = client.get(photo.meeting.get_absolute_url())
    assert response.status_code == 200
    assert "Toàn cảnh hội nghị" in response.content.decode()

"""Property-based fuzzing (hypothesis) of the admin's announcement form:
invalid dates and times, uploads of any bytes and names, and rich text mixed
with attack payloads. Every answer is the form again with errors in the
staff member's language, or a save; stored rich text stays sanitized."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from events.models import Announcement
from tests import factories
from tests.core.test_admin import admin_url, announcement_form
from tests.core.test_richtext import FORBIDDEN, PAYLOADS

ODD_DATES = [
    "31/02/2026",
    "29/02/2025",
    "2026-13-01",
    "99/99/9999",
    "01/01/0000",
    "1/1/1",
    "00:00:99",
    "25:61",
    "\x00",
    "%",
    "' OR 1=1 --",
    "١٢/١٢/٢٠٢٦",
]
# The start of the singular and of the plural.
ERROR_NOTE = {"vi": "Xin sửa lỗi dưới đây.", "en": "Please correct the error"}


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "#c00").save(buffer, "JPEG")
    return buffer.getvalue()


uploads = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(["x.jpg", "x.png", "x.exe", "x", "../../x.jpg", "ảnh.jpeg", "x.svg"]),
        st.one_of(st.binary(max_size=300), st.just(jpeg()), st.just(b"<svg onload=alert(1)>")),
    ),
)
rich_text = st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=40)), max_size=4).map(
    "".join
)
dates = st.one_of(st.sampled_from(ODD_DATES + ["", "24/11/2026"]), st.text(max_size=12))
times = st.one_of(st.sampled_from(ODD_DATES + ["", "08:00:00", "23:59"]), st.text(max_size=8))
# Half the examples leave the schedule empty, so that the rest can be saved.
schedules = st.one_of(st.just(("", "", "")), st.tuples(dates, times, dates))
titles = st.one_of(st.sampled_from(["Tin", "Hội nghị ACCSM lần thứ 21"]), st.text(max_size=250))


@settings(
    max_examples=120,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    language=st.sampled_from(["vi", "en"]),
    title=titles,
    body_vi=rich_text,
    body_en=rich_text,
    schedule=schedules,
    upload=uploads,
)
def test_the_announcement_form_answers_any_input_with_errors_or_a_save(
    client, language, title, body_vi, body_en, schedule, upload
):
    publish_date, publish_time, unpublish_date = schedule
    client.force_login(factories.staff(superuser=True))
    data = announcement_form(
        factories.category(),
        title_vi=title,
        body_vi=body_vi,
        body_en=body_en,
        image_alt_vi="Ảnh",
        publish_at_0=publish_date,
        publish_at_1=publish_time,
        unpublish_at_0=unpublish_date,
        unpublish_at_1=publish_time if unpublish_date else "",
    )
    if upload is not None:
        data["image"] = SimpleUploadedFile(upload[0], upload[1])
    before = Announcement.objects.count()
    response = client.post(admin_url("events.announcement", language, "add/"), data)
    assert response.status_code in (200, 302), response.status_code
    event(f"answered {response.status_code}")
    if response.status_code == 200:
        assert ERROR_NOTE[language] in response.content.decode()
        assert Announcement.objects.count() == before
    else:
        assert Announcement.objects.count() == before + 1
    for stored in Announcement.objects.values_list("body_vi", "body_en"):
        for value in stored:
            for needle in FORBIDDEN:
                assert needle not in (value or "").lower()

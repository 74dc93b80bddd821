"""A meeting's dates lie between ASEAN's founding and 2100, as every year the
portal holds does: the calendar and its iCalendar files cannot show a day
past 9999, and a typing slip (9999 for 2025) is caught where it is made. A
row that holds such a date already (written before the check) does not
break the calendar."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from events.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["start_date", "end_date"])
@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1900, 1, 1)])
def test_a_meeting_date_outside_the_years_is_refused_in_the_editors_language(field, day):
    meeting = factories.meeting(start_date=date(2025, 8, 1), end_date=date(2025, 8, 2))
    setattr(meeting, field, day)
    if field == "start_date" and day.year > 2100:
        meeting.end_date = day
    with translation.override("vi"), pytest.raises(ValidationError) as raised:
        meeting.full_clean()
    assert "Nhập một ngày trong các năm từ 1967 đến 2100" in " ".join(
        raised.value.message_dict[field]
    )


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: factories.activity(), "concept_note_approved_on"),
        (lambda: factories.document(), "issued_on"),
    ],
)
def test_the_civil_service_dates_are_refused_outside_the_years(make, field):
    item = make()
    setattr(item, field, date(9999, 1, 1))
    with pytest.raises(ValidationError) as raised:
        item.full_clean()
    assert field in raised.value.message_dict


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1)])
def test_a_stored_meeting_at_the_calendars_edge_breaks_no_page(client, day):
    meeting = factories.meeting(start_date=date(2025, 8, 1))
    Meeting.objects.filter(pk=meeting.pk).update(start_date=day, end_date=day)
    other = factories.meeting(start_date=date(2025, 8, 1))
    Meeting.objects.filter(pk=other.pk).update(end_date=date(9999, 12, 31))
    for url in ("/vi/hoi-nghi/lich/", "/en/meetings/calendar/", "/vi/hoi-nghi/lich.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(f"/en/meetings/{meeting.slug_en}/calendar.ics")
    assert detail.status_code in (200, 404)

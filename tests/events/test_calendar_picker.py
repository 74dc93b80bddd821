"""The calendar jumps: a month picker, and links to the nearest months with meetings."""

from datetime import date

from asean_portal.core.publishing import Status
from tests import factories


def test_the_calendar_offers_a_month_picker_and_the_nearest_months_with_meetings(client):
    factories.meeting(start_date=date(2022, 8, 3), title_en="ACCSM 21")
    factories.meeting(start_date=date(2019, 12, 20), title_en="The 2019 conference")
    factories.meeting(start_date=date(2024, 1, 5), status=Status.DRAFT, title_en="A draft")
    response = client.get("/en/meetings/calendar/", {"month": "2021-03"})
    html = response.content.decode()
    assert '<input id="calendar-month" name="month" type="month"' in html
    assert 'value="2021-03"' in html
    assert '<label for="calendar-month">' in html
    assert response.context["earlier_with_meetings"] == "2019-12"
    assert response.context["later_with_meetings"] == "2022-08"
    assert 'href="?month=2019-12"' in html and 'href="?month=2022-08"' in html
    # Nothing later than the last live meeting: a draft does not count.
    last = client.get("/en/meetings/calendar/", {"month": "2022-08"})
    assert last.context["later_with_meetings"] is None
    assert last.context["earlier_with_meetings"] == "2019-12"


def test_the_picker_month_is_read_as_the_links_month(client):
    factories.meeting(start_date=date(2022, 8, 3), title_en="ACCSM 21")
    html = client.get("/vi/hoi-nghi/lich/", {"month": "2022-08"}).content.decode()
    assert "ACCSM 21" in html or "Hội nghị số" in html
    bad = client.get("/vi/hoi-nghi/lich/", {"month": "2022-13"})
    assert bad.status_code == 200 and bad.context["notice"]

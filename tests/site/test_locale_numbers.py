"""Numbers meant for machines (SVG coordinates, data attributes, JSON-LD) never go
through the Vietnamese number format, whose decimal comma ("76,0") they cannot read."""

import re
from datetime import date
from html.parser import HTMLParser

from tests import factories
from tests.public import json_ld, url_of

# Attributes that hold prose, where a comma between digits may be meant.
PROSE = {"title", "alt", "aria-label", "content", "placeholder", "value", "href", "src", "srcset"}
DECIMAL_COMMA = re.compile(r"\d,\d")


class Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value or "") for name, value in attrs]


def machine_attributes(html):
    parser = Attributes()
    parser.feed(html)
    return [(tag, name, value) for tag, name, value in parser.found if name not in PROSE]


def strings_in(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)
    elif isinstance(data, str):
        yield data


def test_no_vietnamese_page_writes_a_machine_number_with_a_decimal_comma(client):
    meeting = factories.meeting(start_date=date(2022, 8, 3), end_date=date(2022, 8, 4))
    news = factories.announcement(meeting=meeting)
    activity = factories.activity(start_year=2021, progress="approved")
    factories.activity(start_year=2022, progress="completed", work_plan=activity.work_plan)
    priority = factories.priority()
    pages = [
        "/vi/",
        "/vi/ke-hoach-lam-viec/",
        "/vi/hoi-nghi/lich/?month=2022-08",
        url_of(meeting, "vi"),
        url_of(news, "vi"),
        url_of(activity, "vi"),
        url_of(activity.work_plan, "vi"),
        url_of(priority, "vi"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        bad = [a for a in machine_attributes(html) if DECIMAL_COMMA.search(a[2])]
        assert not bad, (url, bad)
        for block in json_ld(html):
            assert not [s for s in strings_in(block) if re.fullmatch(r"[\d.,]+,\d+", s)], url

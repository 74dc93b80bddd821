"""The work plan pages: the activity table, filters, the CSV export, the timeline
and the documents, in both languages."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date

from tests import factories
from tests.public import listed, url_of


def test_work_plan_shows_activities_a_page_at_a_time_and_charts_them_all(client):
    from civil_service.views import ACTIVITIES_PER_PAGE

    plan = factories.work_plan()
    for _ in range(ACTIVITIES_PER_PAGE + 3):
        factories.activity(work_plan=plan, start_year=2022)
    for url in ("/en/work-plan/", url_of(plan, "en")):
        first = client.get(url)
        html = first.content.decode()
        assert html.count('<th scope="row"><a href=') == ACTIVITIES_PER_PAGE
        assert f"Activities ({ACTIVITIES_PER_PAGE + 3})" in html
        assert 'rel="next"' in html
        second = client.get(url, {"page": "2"}).content.decode()
        assert second.count('<th scope="row"><a href=') == 3
    chart = client.get("/en/work-plan/").context["chart"]
    assert sum(segment["count"] for bar in chart["bars"] for segment in bar["segments"]) == (
        ACTIVITIES_PER_PAGE + 3
    )


def test_work_plan_filters_and_exports(client):
    vn = factories.country(iso_code="VN", name_vi="Việt Nam", name_en="Viet Nam")
    first = factories.activity(
        registering_country=vn, start_year=2022, progress="approved", participation="accsm3"
    )
    second = factories.activity(start_year=2023, progress="completed", participation="accsm")
    rows = lambda response: {a.pk for a in response.context["activities"]}  # noqa: E731
    assert rows(client.get("/en/work-plan/", {"year": "2022"})) == {first.pk}
    assert rows(client.get("/en/work-plan/", {"status": "completed"})) == {second.pk}
    assert rows(client.get("/en/work-plan/", {"country": "VN"})) == {first.pk}
    assert rows(client.get("/en/work-plan/", {"participation": "accsm"})) == {second.pk}

    exported = client.get("/vi/ke-hoach-lam-viec/hoat-dong.csv", {"country": "VN"})
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][0] == "Hoạt động"
    assert [row[0] for row in table[1:]] == [first.title_vi]

    data = client.get("/api/activities/", {"country": "VN"}).json()
    assert data["count"] == 1
    assert data["results"][0]["title"] == {"vi": first.title_vi, "en": first.title_en}
    assert data["results"][0]["url"]["en"].endswith(url_of(first, "en"))


def test_document_filters(client):
    decision = factories.document(kind="decision", issued_on=date(2018, 10, 29))
    declaration = factories.document(kind="declaration", issued_on=date(2017, 4, 29))
    assert listed(client.get("/en/work-plan/documents/", {"kind": "declaration"})) == {
        declaration.pk
    }
    assert listed(client.get("/en/work-plan/documents/", {"year": "2018"})) == {decision.pk}


def test_work_plan_timeline_is_accessible_svg_with_a_table(client):
    factories.activity(start_year=2022, progress="approved")
    factories.activity(start_year=2023, progress="approved")
    factories.activity(start_year=2023, progress="completed")
    html = client.get("/en/work-plan/").content.decode()
    svg = re.search(r"<svg role=\"img\".*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.find("svg:title", ns).text == "Activities by year and status"
    assert "3 activities, from 2022 to 2023" in root.find("svg:desc", ns).text
    assert len(root.findall(".//svg:rect", ns)) == 3
    chart = client.get("/en/work-plan/").context["chart"]
    assert chart["table"] == [
        {"year": 2022, "cells": [0, 1, 0, 0, 0]},
        {"year": 2023, "cells": [0, 1, 0, 1, 0]},
    ]
    vi = client.get("/vi/ke-hoach-lam-viec/").content.decode()
    assert "Hoạt động theo năm và tình trạng" in vi


FORMULAS = ['=HYPERLINK("http://x","y")', "-2+3", "@SUM(A1)", "+1", "\tx", "\rx"]


def test_the_export_writes_cells_a_spreadsheet_would_run_as_text(client):
    plan = factories.work_plan(name_vi="=1+1")
    vn = factories.country(name_vi="@Việt Nam")
    for number, title in enumerate(FORMULAS):
        factories.activity(
            title_vi=title,
            slug_vi=f"cong-thuc-{number}",
            work_plan=plan,
            registering_country=vn,
            registering_agency_vi="-Bộ Nội vụ",
            start_year=2022,
        )
    ordinary = factories.activity(
        title_vi="Hội thảo - công vụ, 2022",
        registering_agency_vi="Bộ Nội vụ",
        start_year=2023,
    )
    exported = client.get("/vi/ke-hoach-lam-viec/hoat-dong.csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    rows = {row[0]: row for row in table[1:]}
    assert set(rows) == {"'" + title for title in FORMULAS} | {ordinary.title_vi}
    for title in FORMULAS:
        row = rows["'" + title]
        assert row[1:5] == ["'=1+1", "2022", "'@Việt Nam", "'-Bộ Nội vụ"]
    assert rows[ordinary.title_vi][:5] == [
        "Hội thảo - công vụ, 2022",
        ordinary.work_plan.name_vi,
        "2023",
        str(ordinary.registering_country),
        "Bộ Nội vụ",
    ]


SVG_NUMBERS = {"x", "y", "x1", "x2", "y1", "y2", "width", "height", "font-size", "stroke-width"}


def test_the_vietnamese_timeline_writes_coordinates_as_plain_numbers(client):
    """Vietnamese formats decimals with a comma ("76,0"), which SVG cannot read."""
    for year, progress in ((2021, "approved"), (2022, "completed"), (2022, "approved")):
        factories.activity(start_year=year, progress=progress)
    html = client.get("/vi/ke-hoach-lam-viec/").content.decode()
    svg = re.search(r"<svg role=\"img\".*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)
    checked = 0
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in SVG_NUMBERS:
                float(value)
                checked += 1
        if element.tag.endswith("svg"):
            assert [float(part) for part in element.attrib["viewBox"].split()]
    assert checked > 20

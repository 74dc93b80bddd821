"""Every inner page says where it is: a breadcrumb trail and its BreadcrumbList."""

import re

from tests import factories
from tests.public import json_ld, url_of


def trail(html):
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return [
        re.sub(r"<[^>]+>|\s+", " ", item).strip()
        for item in re.findall(r"<li.*?</li>", nav.group(0), re.S)
    ]


def breadcrumb_list(html):
    return next(block for block in json_ld(html) if block["@type"] == "BreadcrumbList")


def test_a_meeting_part_shows_home_section_parent_and_itself(client):
    parent = factories.meeting(title_vi="Hội nghị ACCSM 21", title_en="ACCSM 21")
    part = factories.meeting(part_of=parent, title_vi="Diễn đàn", title_en="The Forum")
    html = client.get(url_of(part, "en")).content.decode()
    assert trail(html) == ["Home", "Meetings", "ACCSM 21", "The Forum"]
    data = breadcrumb_list(html)
    items = data["itemListElement"]
    assert [item["position"] for item in items] == [1, 2, 3, 4]
    assert [item["name"] for item in items] == ["Home", "Meetings", "ACCSM 21", "The Forum"]
    assert items[2]["item"].endswith(url_of(parent, "en"))
    vi = client.get(url_of(part, "vi")).content.decode()
    assert trail(vi) == ["Trang chủ", "Hội nghị", "Hội nghị ACCSM 21", "Diễn đàn"]
    assert 'aria-current="page"' in re.search(r'<nav class="breadcrumbs".*?</nav>', vi, re.S).group(
        0
    )


def test_every_inner_page_type_has_breadcrumbs(client):
    activity = factories.activity(title_en="Leadership")
    news = factories.announcement(title_en="A news item")
    priority = factories.priority(title_en="Unity")
    document = factories.document(title_en="The decision")
    expected = {
        url_of(activity, "en"): [
            "Home",
            "Work plan",
            str(activity.work_plan.name_en),
            "Leadership",
        ],
        url_of(news, "en"): ["Home", "News", news.category.name_en, "A news item"],
        url_of(priority, "en"): ["Home", "Priorities", None, f"{priority.number}. Unity"],
        url_of(document, "en"): ["Home", "Work plan", "Documents", "The decision"],
        "/en/meetings/calendar/": ["Home", "Meetings", "Calendar of meetings"],
        "/en/news/": ["Home", "News"],
        "/vi/tim-kiem/?q=x": ["Trang chủ", "Tìm kiếm"],
    }
    for url, crumbs in expected.items():
        found = trail(client.get(url).content.decode())
        assert len(found) == len(crumbs), (url, found)
        assert all(want is None or want == got for want, got in zip(crumbs, found, strict=True)), (
            url,
            found,
        )


def test_the_home_page_has_no_breadcrumbs(client):
    assert 'class="breadcrumbs"' not in client.get("/en/").content.decode()

"""The visible text of every public page type in both languages, against a
snapshot taken before the rendering was made cheaper (fragments cached by
object version): a faster miss must show readers exactly what it showed.

Set UPDATE_SNAPSHOTS=1 to write the snapshot again after a wanted change of
the pages' text."""

import json
import os
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from asean_portal.core.publishing import Status
from asean_portal.site.about import AboutPortal
from civil_service.models import Activity, Document, WorkPlan
from events.models import Announcement, Category, Country, Meeting, MeetingSeries
from priorities.models import Chairmanship, Priority

SNAPSHOT = Path(__file__).parent / "snapshots" / "visible_text.json"
NOW = datetime(2025, 10, 6, 3, 0, tzinfo=UTC)
LANGUAGES = ("vi", "en")


class VisibleText(HTMLParser):
    """Text a reader sees (no scripts or styles), with the alt texts of images
    and where links lead."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "img":
            self.parts.append(f"[img {dict(attrs).get('alt', '')}]")
        elif tag == "a":
            self.parts.append(f"[a {dict(attrs).get('href', '')}]")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def world():
    """Every public page type, with names fixed so that the text is the same
    on every database and in any order of tests."""
    # The publisher as the data migration records it, whether or not a test
    # before this one emptied the tables.
    AboutPortal.objects.all().delete()
    import_module("asean_portal.migrations.0010_about_portal_facts").create(apps, None)
    live = {"status": Status.PUBLISHED, "publish_at": NOW - timedelta(days=2)}
    vietnam = Country.objects.create(
        iso_code="VN", name_vi="Việt Nam", name_en="Viet Nam", group="asean"
    )
    japan = Country.objects.create(
        iso_code="JP", name_vi="Nhật Bản", name_en="Japan", group="plus3"
    )
    series = MeetingSeries.objects.create(code="ACCSM", name_vi="Hội nghị ACCSM", name_en="ACCSM")
    meeting = Meeting.objects.create(
        **live,
        series=series,
        kind="som",
        title_vi="Hội nghị công vụ lần thứ 22",
        title_en="22nd civil service meeting",
        summary_vi="Tóm tắt hội nghị.",
        summary_en="Summary of the meeting.",
        start_date=date(2025, 10, 20),
        end_date=date(2025, 10, 21),
        host_country=vietnam,
    )
    meeting.participations.create(country=japan)
    chair = Chairmanship.objects.create(
        **live, year=2020, chair_country=vietnam, theme_vi="Gắn kết", theme_en="Cohesive"
    )
    priority = Priority.objects.create(
        **live,
        chairmanship=chair,
        number=1,
        title_vi="Chuyển đổi số",
        title_en="Digital transformation",
        summary_vi="Tóm tắt ưu tiên.",
        summary_en="Priority summary.",
    )
    plan = WorkPlan.objects.create(
        **live,
        name_vi="Kế hoạch công tác 2021-2025",
        name_en="Work plan 2021-2025",
        participation="accsm3",
        first_year=2021,
        last_year=2025,
    )
    activity = Activity.objects.create(
        **live,
        work_plan=plan,
        title_vi="Hội thảo nhân lực",
        title_en="Workforce workshop",
        participation="accsm3",
        start_year=2022,
        registering_country=japan,
    )
    document = Document.objects.create(
        **live, title_vi="Tuyên bố chung", title_en="Joint statement", kind="decision"
    )
    category = Category.objects.create(name_vi="Tin hoạt động", name_en="Activities")
    items = [
        Announcement.objects.create(
            status=Status.PUBLISHED,
            publish_at=NOW - timedelta(days=number),
            category=category,
            title_vi=f"Tin công vụ thứ {number}",
            title_en=f"Civil service news {number}" if number % 2 else "",
            lead_vi=f"Tóm tắt tin {number}.",
            lead_en=f"Lead {number}." if number % 2 else "",
            body_vi="<p>Nội dung.</p>",
            body_en="<p>Body.</p>" if number % 2 else "",
            is_featured=number == 1,
            meeting=meeting if number == 1 else None,
            priority=priority if number == 1 else None,
        )
        for number in range(1, 5)
    ]
    return {
        "country": vietnam,
        "meeting": meeting,
        "chairmanship": chair,
        "priority": priority,
        "plan": plan,
        "activity": activity,
        "document": document,
        "category": category,
        "news": items[0],
        "untranslated": items[1],
    }


def paths(objects):
    found = {}
    for language in LANGUAGES:
        with translation.override(language):
            found[f"{language} home"] = f"/{language}/"
            found[f"{language} news list"] = "/vi/tin-tuc/" if language == "vi" else "/en/news/"
            found[f"{language} meeting list"] = (
                "/vi/hoi-nghi/" if language == "vi" else "/en/meetings/"
            )
            for name, obj in objects.items():
                found[f"{language} {name}"] = obj.get_absolute_url()
    for language in LANGUAGES:
        with translation.override(language):
            for name in (
                "priorities:index",
                "meetings:calendar",
                "civil_service:work_plan",
                "civil_service:documents",
                "about",
            ):
                found[f"{language} {name}"] = reverse(name)
            found[f"{language} search"] = reverse("search") + "?q=c%C3%B4ng+v%E1%BB%A5"
    return found


def render_all(client):
    with time_machine.travel(NOW, tick=False):
        objects = world()
        texts = {}
        for name, path in sorted(paths(objects).items()):
            response = client.get(path)
            assert response.status_code == 200, (name, path, response.status_code)
            texts[name] = visible_text(response.content.decode())
        return texts


@pytest.mark.django_db(transaction=True)
def test_every_public_page_shows_the_text_of_the_snapshot(client):
    cache.clear()
    texts = render_all(client)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(texts, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert sorted(texts) == sorted(expected)
    for name, text in expected.items():
        assert texts[name] == text, name
    # Again, with every fragment already stored.
    assert render_again(client) == texts


def render_again(client):
    texts = {}
    with time_machine.travel(NOW, tick=False):
        objects = {
            "country": Country.objects.get(iso_code="VN"),
            "meeting": Meeting.objects.get(),
            "chairmanship": Chairmanship.objects.get(),
            "priority": Priority.objects.get(),
            "plan": WorkPlan.objects.get(),
            "activity": Activity.objects.get(),
            "document": Document.objects.get(),
            "category": Category.objects.get(),
            "news": Announcement.objects.get(title_vi="Tin công vụ thứ 1"),
            "untranslated": Announcement.objects.get(title_vi="Tin công vụ thứ 2"),
        }
        for name, path in sorted(paths(objects).items()):
            texts[name] = visible_text(client.get(path).content.decode())
    return texts

"""Nothing public shows an item that is not live(): one table of endpoints,
run with a draft, a scheduled and an expired item of every type."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from asean_portal.core.publishing import Status
from tests import factories

HIDDEN = "zzhidden"


def hidden_states():
    now = timezone.now()
    return {
        "draft": {"status": Status.DRAFT, "publish_at": None},
        "scheduled": {"status": Status.SCHEDULED, "publish_at": now + timedelta(hours=2)},
        "expired": {
            "status": Status.PUBLISHED,
            "publish_at": now - timedelta(days=2),
            "unpublish_at": now - timedelta(minutes=1),
        },
    }


@pytest.fixture
def world():
    """Live items, and hidden ones linked to them wherever a link is possible."""
    country = factories.country(iso_code="VN")
    category = factories.category()
    meeting = factories.meeting(
        title_vi="Hội nghị zzlive", start_date=date(2022, 8, 3), host_country=country
    )
    meeting.participations.create(country=country)
    priority = factories.priority(title_vi="Ưu tiên zzlive")
    news = factories.announcement(
        category=category, title_vi="Tin zzlive", is_featured=True, meeting=meeting
    )
    plan = factories.work_plan()
    activity = factories.activity(work_plan=plan, registering_country=country)
    hidden = []
    for state, fields in hidden_states().items():
        title = f"{HIDDEN} {state}"
        hidden += [
            factories.announcement(
                category=category,
                title_vi=title,
                title_en=title,
                is_featured=True,
                meeting=meeting,
                priority=priority,
                **fields,
            ),
            factories.meeting(
                title_vi=title,
                title_en=title,
                start_date=date(2022, 8, 3),
                host_country=country,
                series=meeting.series,
                **fields,
            ),
            factories.priority(
                title_vi=title, title_en=title, chairmanship=priority.chairmanship, **fields
            ),
            factories.activity(
                title_vi=title,
                title_en=title,
                work_plan=plan,
                registering_country=country,
                **fields,
            ),
            factories.document(title_vi=title, title_en=title, **fields),
            factories.work_plan(name_vi=title, name_en=title, **fields),
            factories.chairmanship(theme_vi=title, theme_en=title, chair_country=country, **fields),
        ]
    hidden_meeting = next(obj for obj in hidden if obj._meta.model_name == "meeting")
    hidden_meeting.participations.create(country=country)
    return {
        "country": country,
        "category": category,
        "meeting": meeting,
        "news": news,
        "priority": priority,
        "plan": plan,
        "activity": activity,
        "hidden": hidden,
    }


def endpoints(world):
    pages = []
    for language in ("vi", "en"):
        with translation.override(language):
            pages += [
                f"/{language}/",
                world["news"].get_absolute_url(),
                world["meeting"].get_absolute_url(),
                world["priority"].get_absolute_url(),
                world["priority"].chairmanship.get_absolute_url(),
                world["plan"].get_absolute_url(),
                world["activity"].get_absolute_url(),
                world["country"].get_absolute_url(),
                world["category"].get_absolute_url(),
            ]
        prefix = {"vi": "/vi/", "en": "/en/"}[language]
        news, meetings, work, search = {
            "vi": ("tin-tuc/", "hoi-nghi/", "ke-hoach-lam-viec/", "tim-kiem/"),
            "en": ("news/", "meetings/", "work-plan/", "search/"),
        }[language]
        pages += [
            f"{prefix}{news}",
            f"{prefix}{news}?focus=true",
            f"{prefix}{news}rss/",
            f"{prefix}{news}atom/",
            f"{prefix}{meetings}",
            f"{prefix}{meetings}{'lich.ics' if language == 'vi' else 'calendar.ics'}",
            f"{prefix}{work}",
            f"{prefix}{work}{'hoat-dong.csv' if language == 'vi' else 'activities.csv'}",
            f"{prefix}{work}{'van-ban/' if language == 'vi' else 'documents/'}",
            f"{prefix}uu-tien/" if language == "vi" else f"{prefix}priorities/",
            f"{prefix}{search}?q={HIDDEN}",
            f"{prefix}{search}?q=zzlive",
        ]
    pages += ["/api/news/", "/api/meetings/", "/api/activities/", "/sitemap.xml"]
    pages += [
        f"/sitemap-{section}.xml" for section in ("pages", "news", "meetings", "activities", "more")
    ]
    return pages


def test_no_public_endpoint_shows_a_hidden_item(client, world):
    checked = 0
    for url in endpoints(world):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if f"q={HIDDEN}" in url:
            # The page repeats the words searched for; what matters is the results.
            assert response.context["page"].paginator.count == 0, url
            assert response.context["hits"] == [], url
            checked += 1
            continue
        assert HIDDEN not in body, url
        checked += 1
    assert checked > 50
    # The live content is there, so the absence above means something.
    assert "zzlive" in client.get("/vi/tim-kiem/?q=zzlive").content.decode()


def test_hidden_items_are_404_for_the_public(client, world):
    for obj in world["hidden"]:
        for language in ("vi", "en"):
            with translation.override(language):
                url = obj.get_absolute_url()
            assert client.get(url).status_code == 404, url


def test_staff_see_hidden_items_marked_and_uncached(client, world):
    client.force_login(factories.staff(role="Editor"))
    for obj in world["hidden"]:
        with translation.override("en"):
            response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert "Not public" in response.content.decode()
        assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]

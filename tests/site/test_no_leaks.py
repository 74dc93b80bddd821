"""Nothing public shows an item that is not public, by itself or through a
relation: a table of every relation of every type, each linked to a draft, a
scheduled, an expired and a withdrawn object, read on every public surface
(HTML details and lists, JSON API, CSV, RSS/Atom, iCalendar, sitemap,
search). Children of a parent that is not public (a priority of a draft
chairmanship, an activity of a draft work plan) are not public either."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from asean_portal.core.declarations import public_models
from asean_portal.core.publishing import Publishable, Status, live_q
from asean_portal.core.relations import show_to_public
from tests import factories

HIDDEN = "zzhidden"  # an object that is not public, linked to a live one
ORPHAN = "zzorphan"  # a live object whose required parent is not public
LIVE = "zzlive"
# A marker reads "<kind> <relation> <state>", so a leak names its row.
MARKER = re.compile(rf"({HIDDEN}|{ORPHAN})[ -]([a-z]+)[ -]([a-z]+)")


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
        "withdrawn": {
            "status": Status.ARCHIVED,
            "publish_at": now - timedelta(days=2),
            "withdrawn_at": now - timedelta(hours=1),
            "withdrawal_reason_vi": "Rút.",
        },
    }


def titled(kind, relation, state, field="title"):
    text = f"{kind} {relation} {state}"
    return {f"{field}_vi": text, f"{field}_en": text}


@pytest.fixture
def world():
    """Live objects; for every relation and every hidden state, a hidden
    object linked to a live one through that relation."""
    country = factories.country(iso_code="VN")
    category = factories.category()
    series = factories.series()
    chair = factories.chairmanship(theme_vi=f"Chủ đề {LIVE}", chair_country=country)
    priority = factories.priority(title_vi=f"Ưu tiên {LIVE}", chairmanship=chair)
    plan = factories.work_plan(name_vi=f"Kế hoạch {LIVE}")
    day = date(2022, 8, 3)
    meeting = factories.meeting(
        title_vi=f"Hội nghị {LIVE}", start_date=day, host_country=country, series=series
    )
    meeting.participations.create(country=country)
    activity = factories.activity(
        title_vi=f"Hoạt động {LIVE}", work_plan=plan, registering_country=country
    )
    document = factories.document(title_vi=f"Văn bản {LIVE}")
    news = factories.announcement(
        category=category,
        title_vi=f"Tin {LIVE}",
        is_featured=True,
        meeting=meeting,
        priority=priority,
        activity=activity,
    )
    # Live objects linked to live ones: these are shown.
    meeting.documents.add(document)
    activity.meetings.add(meeting)
    activity.priorities.add(priority)
    document.activity = activity
    document.save()
    part = factories.meeting(
        title_vi=f"Phiên {LIVE}", series=series, start_date=day, part_of=meeting
    )
    live = [country, category, chair, priority, plan, meeting, part, activity, document, news]
    hidden, orphans = [], []

    for state, fields in hidden_states().items():

        def hide(make, relation, field="title", state=state, fields=fields, **extra):
            obj = make(**titled(HIDDEN, relation, state, field), **fields, **extra)
            hidden.append(obj)
            return obj

        def a_meeting(relation, **extra):
            return hide(factories.meeting, relation, series=series, start_date=day, **extra)

        def an_activity(relation, **extra):
            return hide(factories.activity, relation, **{"work_plan": plan, **extra})

        def a_news_item(relation, **extra):
            return hide(factories.announcement, relation, **{"category": category, **extra})

        # Foreign keys from a live object to a hidden one: a live object each.
        child = factories.meeting(
            title_vi=f"Phiên {LIVE} {state}",
            series=series,
            start_date=day,
            part_of=a_meeting("partof"),
        )
        linked_news = factories.announcement(
            category=category,
            title_vi=f"Tin {LIVE} {state}",
            meeting=a_meeting("newsmeeting"),
            priority=hide(factories.priority, "newspriority", chairmanship=chair),
            activity=an_activity("newsactivity"),
        )
        linked_document = factories.document(
            title_vi=f"Văn bản {LIVE} {state}", activity=an_activity("documentactivity")
        )
        live += [child, linked_news, linked_document]
        # Required parents: the live child of a hidden parent is not public.
        orphans += [
            factories.priority(
                **titled(ORPHAN, "priority", state),
                chairmanship=hide(factories.chairmanship, "chairmanship", field="theme"),
            ),
            factories.activity(
                **titled(ORPHAN, "activity", state),
                work_plan=hide(factories.work_plan, "workplan", field="name"),
                registering_country=country,
            ),
        ]
        orphans[-1].meetings.add(meeting)
        orphans[-1].priorities.add(priority)
        # Hidden objects on the many side of a live object.
        a_meeting("parts", part_of=meeting)
        meeting.related_meetings.add(a_meeting("relatedmeetings"))
        meeting.documents.add(hide(factories.document, "meetingdocuments"))
        a_news_item("meetingnews", meeting=meeting)
        an_activity("meetingactivities").meetings.add(meeting)
        hide(factories.priority, "chairpriorities", chairmanship=chair)
        a_news_item("prioritynews", priority=priority)
        an_activity("priorityactivities").priorities.add(priority)
        an_activity("planactivities")
        activity.meetings.add(a_meeting("activitymeetings"))
        activity.priorities.add(hide(factories.priority, "activitypriorities", chairmanship=chair))
        hide(factories.document, "activitydocuments", activity=activity)
        a_news_item("activitynews", activity=activity)
        a_meeting("documentmeetings").documents.add(document)
        a_meeting("hosted", host_country=country)
        a_meeting("chaired", chair_country=country)
        a_meeting("attended").participations.create(country=country)
        hide(factories.chairmanship, "countrychairmanships", field="theme", chair_country=country)
        an_activity("registered", registering_country=country)
        a_news_item("categorynews")
    return {
        "country": country,
        "category": category,
        "meeting": meeting,
        "live": live,
        "hidden": hidden,
        "orphans": orphans,
    }


def _in_both_languages(objects, suffix=""):
    urls = []
    for language in ("vi", "en"):
        with translation.override(language):
            urls += [obj.get_absolute_url() + suffix for obj in objects]
    return urls


def _meeting_calendars(world):
    urls = []
    for language in ("vi", "en"):
        with translation.override(language):
            urls += [
                reverse("meetings:detail_ics", kwargs={"slug": obj.slug})
                for obj in world["live"]
                if isinstance(obj, type(world["meeting"]))
            ]
    return urls


def _localized(paths):
    """Public paths given as {language: path}, in both languages."""
    return [path for pair in paths for path in pair.values()]


SURFACES = {
    "html-detail": lambda world: _in_both_languages(world["live"]),
    "html-list": lambda world: (
        ["/vi/", "/en/"]
        + _localized(
            [
                {"vi": "/vi/tin-tuc/", "en": "/en/news/"},
                {"vi": "/vi/tin-tuc/?focus=true", "en": "/en/news/?focus=true"},
                {"vi": "/vi/hoi-nghi/", "en": "/en/meetings/"},
                {
                    "vi": "/vi/hoi-nghi/lich/?month=2022-08",
                    "en": "/en/meetings/calendar/?month=2022-08",
                },
                {"vi": "/vi/uu-tien/", "en": "/en/priorities/"},
                {"vi": "/vi/ke-hoach-lam-viec/", "en": "/en/work-plan/"},
                {"vi": "/vi/ke-hoach-lam-viec/van-ban/", "en": "/en/work-plan/documents/"},
            ]
        )
    ),
    "api": lambda world: ["/api/news/", "/api/meetings/", "/api/activities/"],
    "csv": lambda world: _localized(
        [{"vi": "/vi/ke-hoach-lam-viec/hoat-dong.csv", "en": "/en/work-plan/activities.csv"}]
    ),
    "feeds": lambda world: (
        _localized(
            [
                {"vi": "/vi/tin-tuc/rss/", "en": "/en/news/rss/"},
                {"vi": "/vi/tin-tuc/atom/", "en": "/en/news/atom/"},
            ]
        )
        + _in_both_languages([world["category"]], "rss/")
    ),
    "ical": lambda world: (
        _localized([{"vi": "/vi/hoi-nghi/lich.ics", "en": "/en/meetings/calendar.ics"}])
        + _meeting_calendars(world)
    ),
    "sitemap": lambda world: (
        ["/sitemap.xml"]
        + [f"/sitemap-{name}.xml" for name in ("pages", "news", "meetings", "activities", "more")]
    ),
    "search": lambda world: _localized(
        [
            {"vi": f"/vi/tim-kiem/?q={LIVE}", "en": f"/en/search/?q={LIVE}"},
            {"vi": f"/vi/tim-kiem/?q={HIDDEN}", "en": f"/en/search/?q={HIDDEN}"},
            {"vi": f"/vi/tim-kiem/?q={ORPHAN}", "en": f"/en/search/?q={ORPHAN}"},
        ]
    ),
}


def leaks(client, urls):
    """(url, marker) of every hidden or orphaned object a public URL shows."""
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if "q=zzhidden" in url or "q=zzorphan" in url:
            # The page repeats the words searched for; what matters is the results.
            if response.context["page"].paginator.count or response.context["hits"]:
                found += [(url, f"{url[-8:]}: {hit['title']}") for hit in response.context["hits"]]
                found += [(url, f"count {response.context['page'].paginator.count}")]
            continue
        found += [(url, " ".join(match)) for match in MARKER.findall(response.content.decode())]
    return sorted(set(found))


def test_no_public_surface_shows_an_object_that_is_not_public(client, world):
    """One row per surface; a leak names the URL and the marker "<kind>
    <relation> <state>" of what it showed."""
    found = {surface: leaks(client, urls(world)) for surface, urls in SURFACES.items()}
    assert found == {surface: [] for surface in SURFACES}
    # The live objects are there, so the absence of the others means something.
    pages = SURFACES["html-detail"](world)
    assert "".join(client.get(url).content.decode() for url in pages).count(LIVE) > len(pages)
    assert LIVE in client.get(f"/vi/tim-kiem/?q={LIVE}").content.decode()


def relations():
    """Every relation from a model with public pages to a Publishable model."""
    found = []
    for model in public_models():
        if not hasattr(model, "get_absolute_url"):
            continue
        for field in model._meta.get_fields():
            target = field.related_model
            if not field.is_relation or not (
                isinstance(target, type) and issubclass(target, Publishable)
            ):
                continue
            if field.many_to_one and field.concrete:
                found.append((model, field.name, False))
            elif field.one_to_many or field.many_to_many:
                name = field.get_accessor_name() if field.auto_created else field.name
                if name:
                    found.append((model, name, True))
    return found


def _related(obj, name, many):
    if many:
        return list(getattr(obj, name).all())
    value = getattr(obj, name)
    return [value] if value is not None else []


def test_every_relation_of_a_public_object_shows_only_public_objects(world):
    """The rule holds for every relation there is, including ones added later:
    each must be linked to hidden objects in the world above."""
    table = relations()
    assert len(table) >= 25
    uncovered, leaked, missing = [], [], []
    with_live_objects = set()
    for model, name, many in table:
        if issubclass(model, Publishable):
            # Live by their own state, whatever their parents: the orphans too.
            everything = list(model.objects.filter(live_q()))
            public = list(model.objects.live())
        else:  # reference data, as find_by_slug() hands it to a page
            everything = list(model.objects.all())
            public = show_to_public(model.objects.all())
        seen = {str(other) for obj in everything for other in _related(obj, name, many)}
        states = {state for state in hidden_states() if any(state in text for text in seen)}
        if not any(HIDDEN in text for text in seen) or len(states) < len(hidden_states()):
            uncovered.append(f"{model.__name__}.{name}")
        for obj in public:
            shown = _related(obj, name, many)
            for other in shown:
                if not type(other).objects.live().filter(pk=other.pk).exists():
                    leaked.append(f"{model.__name__}.{name} -> {other}")
            # Nothing public is left out either.
            linked = _related(model._default_manager.get(pk=obj.pk), name, many)
            expected = {
                other.pk for other in linked if type(other).objects.live().filter(pk=other.pk)
            }
            if expected:
                with_live_objects.add(f"{model.__name__}.{name}")
            if {other.pk for other in shown} != expected:
                missing.append(f"{model.__name__}.{name} of {obj}")
    assert uncovered == [], "relations without a hidden object in the test world"
    assert sorted(leaked) == []
    assert missing == []
    assert len(with_live_objects) >= 20, with_live_objects


def one_of_each(world):
    """The orphans, and a hidden object of each type in each state."""
    found = {}
    for obj in world["hidden"]:
        found.setdefault((type(obj), obj.status, obj.unpublish_at is None), obj)
    return list(found.values()) + world["orphans"]


def test_hidden_items_are_404_for_the_public(client, world):
    for orphan in world["orphans"]:
        # Live by its own state, not public: its parent is not.
        assert orphan.is_live()
        assert not orphan.is_public()
        assert not type(orphan).objects.live().filter(pk=orphan.pk).exists()
    for obj in one_of_each(world):
        for url in _in_both_languages([obj]):
            assert client.get(url).status_code in (404, 410), url


def test_staff_see_hidden_items_marked_and_uncached(client, world):
    client.force_login(factories.staff(role="Editor"))
    for obj in one_of_each(world):
        with translation.override("en"):
            response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert "Not public" in response.content.decode()
        assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]

"""Display values (asean_portal/core/display.py): computed when an item is
written, stored on its row, and equal to what the templates computed on every
render before; a value whose row changed without them is computed again."""

import io
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asean_portal.core import display, revisions
from asean_portal.core.publishing import (
    Status,
    item_go_live,
    item_publish_now,
    item_schedule,
)
from asean_portal.site.templatetags import tr
from civil_service.models import Activity, Document, WorkPlan
from events.models import Announcement, Category, Country, Meeting
from priorities.models import Chairmanship, Priority
from tests import factories

pytestmark = pytest.mark.django_db

LANGUAGES = ("vi", "en")

# How the templates formatted each value before they were stored: the field
# that the template read in the page's language (tr), and its filters.
BEFORE = {
    "summary": ("lead", "{{ text|truncatewords:40 }}"),
    "teaser": ("lead", "{{ text|truncatewords:30 }}"),
    "meeting_summary": ("summary", "{{ text|truncatewords:40 }}"),
    "date": (None, '{{ value|date:"DATE_FORMAT" }}'),
}


def rendered(before, item=None, **context):
    field, source = before
    if field is not None:
        context["text"] = tr(item, field)
    return Template(source).render(Context(context, autoescape=False))


def posted_before(item):
    """The posted tag as it computed on every render."""
    from django.utils.formats import date_format

    if item.publish_at is None:
        return None
    local = timezone.localtime(item.publish_at)
    if item.posted_time_known:
        return [local.isoformat(), date_format(local, "SHORT_DATETIME_FORMAT")]
    return [local.date().isoformat(), date_format(local, "SHORT_DATE_FORMAT")]


def stored(item, name, language):
    return item.display[language][name][0]


# Text as editors type it: Vietnamese and English words, separated by spaces,
# line breaks and tabs; up to 80 words, so that the summaries cut some.
word = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệABCĐZ-,.<&")),
    min_size=1,
    max_size=12,
)


def texts(min_words, max_words):
    return st.lists(
        st.tuples(word, st.sampled_from([" ", "  ", "\n", "\t", " \n"])),
        min_size=min_words,
        max_size=max_words,
    ).map(lambda pairs: "".join(f"{text}{space}" for text, space in pairs).strip())


words = texts(1, 12)
# Leads and summaries around the 30 and 40 words that lists show.
paragraphs = texts(20, 60)
# Instants to the microsecond, aware (UTC), across the day boundary of Hanoi time.
FIRST, LAST = datetime(1990, 1, 1, tzinfo=UTC), datetime(2090, 12, 31, tzinfo=UTC)
moments = st.integers(min_value=0, max_value=int((LAST - FIRST).total_seconds() * 1e6)).map(
    lambda micros: FIRST + timedelta(microseconds=micros)
)
days = st.dates(min_value=date(1967, 1, 1), max_value=date(2100, 12, 31))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title_vi=words,
    title_en=st.one_of(st.just(""), words),
    lead_vi=st.one_of(st.just(""), paragraphs),
    lead_en=st.one_of(st.just(""), paragraphs),
    at=moments,
    time_known=st.booleans(),
)
def test_stored_values_of_an_announcement_equal_what_pages_computed(
    title_vi, title_en, lead_vi, lead_en, at, time_known
):
    item = factories.announcement(
        title_vi=title_vi,
        title_en=title_en,
        lead_vi=lead_vi,
        lead_en=lead_en,
        publish_at=at,
        posted_time_known=time_known,
    )
    item = Announcement.objects.get(pk=item.pk)
    for language in LANGUAGES:
        with translation.override(language):
            slug = getattr(item, f"slug_{language}") or item.slug_vi
            assert stored(item, "url", language) == reverse("news:detail", kwargs={"slug": slug})
            assert stored(item, "posted", language) == posted_before(item)
            assert stored(item, "summary", language) == rendered(BEFORE["summary"], item=item)
            assert stored(item, "teaser", language) == rendered(BEFORE["teaser"], item=item)
            # What a page reads is the stored value.
            for name in ("url", "posted", "summary", "teaser"):
                assert display.value(item, name) == stored(item, name, language)
    assert item.display == display.compute(item)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title_vi=words,
    summary_vi=st.one_of(st.just(""), paragraphs),
    summary_en=st.one_of(st.just(""), paragraphs),
    start=st.one_of(st.none(), days),
    length=st.integers(min_value=0, max_value=5),
)
def test_stored_values_of_a_meeting_equal_what_pages_computed(
    title_vi, summary_vi, summary_en, start, length
):
    end = start + timedelta(days=length) if start else None
    item = factories.meeting(
        title_vi=title_vi,
        summary_vi=summary_vi,
        summary_en=summary_en,
        start_date=start,
        end_date=end,
    )
    item = Meeting.objects.get(pk=item.pk)
    for language in LANGUAGES:
        with translation.override(language):
            assert stored(item, "url", language) == reverse(
                "meetings:detail", kwargs={"slug": item.slug}
            )
            assert stored(item, "start_date", language) == rendered(BEFORE["date"], value=start)
            assert stored(item, "end_date", language) == rendered(BEFORE["date"], value=end)
            assert stored(item, "summary", language) == rendered(
                BEFORE["meeting_summary"], item=item
            )
    assert item.display == display.compute(item)


@pytest.mark.parametrize(
    "make, model, pattern, dates",
    [
        (factories.country, Country, "meetings:country", ()),
        (factories.category, Category, "news:category", ()),
        (factories.chairmanship, Chairmanship, "priorities:chairmanship", ()),
        (factories.priority, Priority, "priorities:detail", ()),
        (factories.work_plan, WorkPlan, "civil_service:work_plan_detail", ("adopted_on",)),
        (factories.activity, Activity, "civil_service:activity", ("concept_note_approved_on",)),
        (factories.document, Document, "civil_service:document", ("issued_on",)),
    ],
)
def test_every_type_stores_its_address_and_dates_in_both_languages(make, model, pattern, dates):
    item = model.objects.get(pk=make(**dict.fromkeys(dates, date(2025, 3, 9))).pk)
    for language in LANGUAGES:
        with translation.override(language):
            assert stored(item, "url", language) == reverse(pattern, kwargs={"slug": item.slug})
            for name in dates:
                assert stored(item, name, language) == rendered(
                    BEFORE["date"], value=date(2025, 3, 9)
                )
    assert stored(item, "url", "vi").startswith("/vi/")
    assert stored(item, "url", "en").startswith("/en/")


def test_a_page_reads_the_stored_address_without_reversing():
    item = Announcement.objects.get(pk=factories.announcement().pk)
    expected = {language: stored(item, "url", language) for language in LANGUAGES}
    with mock.patch.object(display, "reverse", side_effect=AssertionError("reversed")):
        for language in LANGUAGES:
            with translation.override(language):
                assert item.get_absolute_url() == expected[language]


def test_a_row_written_without_its_values_is_computed_not_wrong():
    item = factories.announcement(lead_vi="Một hai ba.")
    # An UPDATE that changed the slug and the lead but not the display values.
    Announcement.objects.filter(pk=item.pk).update(slug_vi="dia-chi-moi", lead_vi="Bốn năm.")
    item = Announcement.objects.get(pk=item.pk)
    with translation.override("vi"):
        assert item.get_absolute_url() == reverse("news:detail", kwargs={"slug": "dia-chi-moi"})
        assert display.value(item, "summary") == "Bốn năm."
    # No stored values at all (a row older than the column, a bulk insert).
    Announcement.objects.filter(pk=item.pk).update(display={})
    item = Announcement.objects.get(pk=item.pk)
    with translation.override("en"):
        assert item.get_absolute_url() == reverse("news:detail", kwargs={"slug": item.slug_en})
        assert display.value(item, "summary") == item.lead_en


def test_values_of_another_deployment_are_computed():
    item = factories.announcement()
    wrong = {**item.display, "vi": {"url": ["/vi/tin-tuc/cu/", item.slug_vi]}, "v": "other"}
    Announcement.objects.filter(pk=item.pk).update(display=wrong)
    item = Announcement.objects.get(pk=item.pk)
    with translation.override("vi"):
        assert item.get_absolute_url() == reverse("news:detail", kwargs={"slug": item.slug_vi})


def test_posted_in_another_time_zone_is_computed_in_it():
    item = factories.announcement(publish_at=datetime(2025, 1, 1, 20, 30, tzinfo=UTC))
    item = Announcement.objects.get(pk=item.pk)
    with translation.override("vi"):
        assert display.value(item, "posted")[1] == "03:30 02/01/2025"
        with timezone.override("UTC"):
            assert display.value(item, "posted")[1] == "20:30 01/01/2025"
    with translation.override("en"):
        assert display.value(item, "posted")[1] == "2 Jan 2025, 03:30"


def test_a_deferred_column_is_not_read_to_check_a_value(django_assert_num_queries):
    factories.announcement()
    with django_assert_num_queries(1):
        item = Announcement.objects.only("pk", "slug_vi", "slug_en", "display").get()
        with translation.override("vi"):
            item.get_absolute_url()


def test_publishing_a_draft_stores_when_it_was_posted():
    officer = factories.staff(role="Chief editor")
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    assert item.display["vi"]["posted"][0] is None
    now = timezone.now()
    item_publish_now(item=item, by=officer, now=now)
    item = Announcement.objects.get(pk=item.pk)
    assert item.status == Status.PUBLISHED
    for language in LANGUAGES:
        with translation.override(language):
            assert stored(item, "posted", language) == posted_before(item)
            assert item.display["vi"]["posted"][1][0] == display._micros(now)


def test_a_schedule_then_the_sweep_keep_the_values_current():
    officer = factories.staff(role="Chief editor")
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    at = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    item_schedule(item=item, at=at, by=officer)
    assert item_go_live(model=Announcement, pk=item.pk, now=at + timedelta(seconds=1))
    item = Announcement.objects.get(pk=item.pk)
    assert item.status == Status.PUBLISHED
    assert item.display == display.compute(item)
    with translation.override("vi"):
        assert stored(item, "posted", "vi") == posted_before(item)


def test_a_rename_stores_the_new_address_in_both_languages():
    item = factories.announcement()
    item.slug_vi, item.slug_en = "ten-moi", "new-name"
    item.save()
    item = Announcement.objects.get(pk=item.pk)
    assert stored(item, "url", "vi") == "/vi/tin-tuc/ten-moi/"
    assert stored(item, "url", "en").endswith("/new-name/")
    with translation.override("en"):
        assert item.get_absolute_url() == reverse("news:detail", kwargs={"slug": "new-name"})


def test_a_rename_with_update_fields_stores_the_values_too():
    item = factories.meeting()
    item.slug_vi = "hoi-nghi-moi"
    item.save(update_fields=["slug_vi"])
    item = Meeting.objects.get(pk=item.pk)
    assert stored(item, "url", "vi").endswith("/hoi-nghi-moi/")


def test_applying_a_revision_stores_its_values():
    item = factories.announcement(lead_vi="Bản cũ.", lead_en="Old lead.")
    editor = factories.staff(role="Editor")
    officer = factories.staff(role="Chief editor")
    item.lead_vi, item.lead_en = "Bản mới đã duyệt.", "The approved new lead."
    item.slug_en = "approved-new-address"
    revision = revisions.store(item, ["lead_vi", "lead_en", "slug_en"], by=editor, submit=True)
    live = Announcement.objects.get(pk=item.pk)
    # Waiting for approval, the public row keeps the approved text.
    assert stored(live, "summary", "en") == "Old lead."
    revisions.publish_now(revision=revision, by=officer)
    item = Announcement.objects.get(pk=item.pk)
    assert stored(item, "summary", "vi") == "Bản mới đã duyệt."
    assert stored(item, "summary", "en") == "The approved new lead."
    assert stored(item, "url", "en").endswith("/approved-new-address/")
    assert item.display == display.compute(item)


def test_the_pending_version_in_memory_is_computed_from_its_own_text():
    item = factories.announcement(lead_vi="Bản đã duyệt.")
    editor = factories.staff(role="Editor")
    item.lead_vi = "Bản chờ duyệt."
    revision = revisions.store(item, ["lead_vi"], by=editor, submit=True)
    pending = revisions.as_applied(revision)
    with translation.override("vi"):
        assert display.value(pending, "summary") == "Bản chờ duyệt."


def test_the_data_migration_and_refresh_fill_rows_without_values():
    items = [factories.announcement(), factories.announcement()]
    Announcement.objects.update(display={})
    display.fill_historical(apps, "events.Announcement")
    for item in items:
        row = Announcement.objects.get(pk=item.pk)
        assert row.display == display.compute(row) and row.display["en"]["url"]
    Announcement.objects.update(display={})
    assert display.refresh(Announcement) == len(items)
    assert display.refresh(Announcement) == 0
    assert all(row.display == display.compute(row) for row in Announcement.objects.all())


def test_demo_content_is_written_with_its_values():
    from asean_portal.ops.demo import DemoGenerator

    DemoGenerator(seed=1).generate(announcements=3, meetings=2, activities=2)
    for model in (Announcement, Meeting, Activity):
        for row in model.objects.filter(slug_vi__startswith="demo-"):
            assert row.display == display.compute(row)


def test_the_command_writes_the_values_of_every_type():
    from django.core.management import call_command

    item, meeting = factories.announcement(), factories.meeting()
    Announcement.objects.update(display={})
    Meeting.objects.update(display={"v": "an older deployment"})
    call_command("refresh_display_values", stdout=io.StringIO())
    for row in (Announcement.objects.get(pk=item.pk), Meeting.objects.get(pk=meeting.pk)):
        assert row.display == display.compute(row)


def test_a_correction_of_the_lead_or_slug_moves_only_the_item_s_own_tag():
    """The display values change with the texts and slugs they are computed
    from: like those, they only change how the item looks, so the pages that
    do not show the item stay cached (asean_portal/site/dependencies.py)."""
    from asean_portal.site import dependencies

    item = factories.announcement(lead_vi="Bản đầu.")
    item = Announcement.objects.get(pk=item.pk)
    before = dependencies.versions({"events.announcement"})
    item.lead_vi = "Bản đã sửa, dài hơn."
    item.slug_en = "a-corrected-address"
    item.save()
    assert stored(item, "summary", "vi") == "Bản đã sửa, dài hơn."
    assert dependencies.versions({"events.announcement"}) == before
    item.publish_at -= timedelta(days=1)
    item.save()
    assert dependencies.versions({"events.announcement"}) != before


def test_a_reschedule_in_between_is_not_an_editing_conflict(client):
    """The lost-update check compares what staff edit: the display values
    follow the publication time, which the transitions change, so they are
    not part of it."""
    import re

    from tests.core.test_admin import admin_url, announcement_form

    officer = factories.staff(role="Chief editor")
    editor = factories.staff(role="Editor")
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    url = admin_url("events.announcement", suffix=f"{item.pk}/change/")
    client.force_login(editor)
    html = client.get(url).content.decode()
    token = re.search(r'name="opened_as" value="([^"]*)"', html).group(1)
    at = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    item_schedule(item=item, at=at, by=officer)
    form = announcement_form(item.category, slug_vi=item.slug_vi, title_vi="Sửa sau khi lên lịch")
    assert client.post(url, {**form, "opened_as": token}).status_code == 302


def test_reverting_a_version_stores_the_values_of_the_state_it_keeps(client):
    """A version from the history brings back its content, not its
    publication time: the values are computed with the time the item has."""
    import reversion
    from reversion.models import Version

    from asean_portal.core.publishing import item_unpublish
    from tests.core.test_admin import admin_url, announcement_form, errors

    officer = factories.staff(superuser=True)
    with reversion.create_revision():
        item = factories.announcement(publish_at=datetime(2024, 5, 1, 1, 0, tzinfo=UTC))
    item_unpublish(item=item, by=officer, reason_vi="Sai sót")
    item_publish_now(item=item, by=officer)
    version = Version.objects.get_for_object(item).get()
    client.force_login(officer)
    url = admin_url("events.announcement", suffix=f"{item.pk}/history/{version.pk}/")
    form = announcement_form(item.category, title_vi=item.title_vi, slug_vi=item.slug_vi)
    response = client.post(url, form)
    assert response.status_code == 302, errors(response)
    item = Announcement.objects.get(pk=item.pk)
    assert item.publish_at.year == timezone.now().year
    assert item.display == display.compute(item)
    with translation.override("vi"):
        assert stored(item, "posted", "vi") == posted_before(item)


@pytest.mark.parametrize(
    "time_known,expected",
    [
        (True, {"vi": "06:26 03/08/2022", "en": "3 Aug 2022, 06:26"}),
        (False, {"vi": "03/08/2022", "en": "3 Aug 2022"}),
    ],
)
def test_lists_write_dates_as_each_language_reads_them_unambiguously(time_known, expected):
    # Django's own Vietnamese short formats are d-m-Y, which a narrow list
    # breaks at a hyphen ("31-" / "12-2025"): the portal writes 03/08/2022.
    # In English the month is a word: 03/08/2022 is 8 March to an American.
    item = factories.announcement(
        publish_at=datetime(2022, 8, 2, 23, 26, tzinfo=UTC), posted_time_known=time_known
    )
    for language in LANGUAGES:
        with translation.override(language):
            assert display.posted_parts(item)[1] == expected[language]


def test_migrate_writes_again_the_values_of_another_deployment():
    """A release that changes a date format (or URLs, or the time zone) has
    its stored values written again by migrate, not computed on each render."""
    from io import StringIO

    from django.core.management import call_command

    fresh = factories.announcement()
    stale = factories.announcement()
    old = {**stale.display, "v": "before", "en": {"posted": ["x", "y"]}}
    Announcement.objects.filter(pk=stale.pk).update(display=old)
    output = StringIO()
    call_command("migrate", verbosity=1, stdout=output, interactive=False)
    assert "Display values written again: events.Announcement, 1 rows" in output.getvalue()
    stale = Announcement.objects.get(pk=stale.pk)
    assert stale.display == display.compute(stale)
    assert stale.display["v"] == display.fingerprint()
    assert Announcement.objects.get(pk=fresh.pk).display == fresh.display
    # A second run finds nothing to write.
    output = StringIO()
    call_command("migrate", verbosity=1, stdout=output, interactive=False)
    assert "Display values written again" not in output.getvalue()

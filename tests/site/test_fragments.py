"""List items rendered once per version of their object (site/fragments.py):
a page rendered again renders only what changed, and never shows an old
version of an object."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from jinja2 import TemplateSyntaxError
from PIL import Image

from asean_portal.core import publishing
from asean_portal.core.publishing import Status
from asean_portal.site import fragments, templatetags
from events.models import Announcement
from tests import factories


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 3600
    cache.clear()


@pytest.fixture
def pictures(monkeypatch):
    """How many times a photo's renditions were worked out."""
    calls = []
    real = templatetags.picture_data

    def counted(*args, **kwargs):
        calls.append(args[0].pk)
        return real(*args, **kwargs)

    monkeypatch.setattr(templatetags, "picture_data", counted)
    return calls


def with_photo(**fields):
    item = factories.announcement(**fields)
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1600, 900)).save(folder / "photo.jpg")
    Announcement.objects.filter(pk=item.pk).update(
        image="uploads/photo.jpg", image_width=1600, image_height=900
    )
    return item


LISTS = {"vi": "/vi/tin-tuc/", "en": "/en/news/"}


def test_a_list_rendered_again_renders_no_unchanged_item(client, pictures):
    items = [with_photo() for _ in range(3)]
    first = client.get("/vi/tin-tuc/").content
    assert sorted(pictures) == sorted(item.pk for item in items)
    pictures.clear()
    again = client.get("/vi/tin-tuc/").content
    assert pictures == []
    assert again == first


def test_made_up_reading_preferences_render_no_item_again(client, pictures):
    with_photo()
    first = client.get("/vi/tin-tuc/").content
    pictures.clear()
    client.cookies["portal_font"] = "made-up"
    client.cookies["portal_contrast"] = "normal"
    assert client.get("/vi/tin-tuc/").content == first
    assert pictures == []


def test_only_the_edited_item_is_rendered_again(client, pictures):
    items = [with_photo() for _ in range(3)]
    client.get("/vi/tin-tuc/")
    pictures.clear()
    edited = Announcement.objects.get(pk=items[1].pk)
    edited.lead_vi = "Tóm tắt mới."
    edited.save()
    assert "Tóm tắt mới." in client.get("/vi/tin-tuc/").content.decode()
    assert pictures == [edited.pk]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_edited_title_shows_at_once_in_both_languages(client, language):
    item = factories.announcement(title_vi="Tiêu đề cũ", title_en="Old title")
    for path in LISTS.values():
        client.get(path)
    item = Announcement.objects.get(pk=item.pk)
    item.title_vi = "Tiêu đề mới"
    item.title_en = "New title"
    item.save()
    html = client.get(LISTS[language]).content.decode()
    new, old = ("Tiêu đề mới", "Tiêu đề cũ") if language == "vi" else ("New title", "Old title")
    assert new in html
    assert old not in html


def test_a_renamed_category_shows_at_once_on_its_items(client):
    category = factories.category(name_vi="Chuyên mục cũ")
    factories.announcement(category=category)
    assert "Chuyên mục cũ" in client.get("/vi/tin-tuc/").content.decode()
    category.name_vi = "Chuyên mục mới"
    category.save()
    html = client.get("/vi/tin-tuc/").content.decode()
    assert "Chuyên mục mới" in html
    assert "Chuyên mục cũ" not in html


def test_a_withdrawal_that_falls_due_takes_the_item_off_the_list(client):
    now = timezone.now()
    ends = now + timedelta(minutes=5)
    item = factories.announcement(title_vi="Tin sắp gỡ", unpublish_at=ends)
    assert "Tin sắp gỡ" in client.get("/vi/tin-tuc/").content.decode()
    with time_machine.travel(ends, tick=False):
        assert "Tin sắp gỡ" not in client.get("/vi/tin-tuc/").content.decode()
        # The worker's transition comes later and changes nothing for readers.
        publishing.publish_due()
        assert Announcement.objects.get(pk=item.pk).status == Status.ARCHIVED
        assert "Tin sắp gỡ" not in client.get("/vi/tin-tuc/").content.decode()


def test_a_publication_that_falls_due_puts_the_item_on_the_list(client):
    due = timezone.now() + timedelta(minutes=5)
    factories.announcement(title_vi="Tin đã đăng")
    factories.announcement(title_vi="Tin hẹn giờ", status=Status.SCHEDULED, publish_at=due)
    assert "Tin hẹn giờ" not in client.get("/vi/tin-tuc/").content.decode()
    with time_machine.travel(due, tick=False):
        html = client.get("/vi/tin-tuc/").content.decode()
    assert "Tin hẹn giờ" in html
    assert "Tin đã đăng" in html


def test_languages_and_reading_preferences_have_their_own_fragments(client):
    factories.announcement(title_vi="Tin tiếng Việt", title_en="English news")
    assert "Tin tiếng Việt" in client.get("/vi/tin-tuc/").content.decode()
    assert "English news" in client.get("/en/news/").content.decode()
    assert "Tin tiếng Việt" in client.get("/vi/tin-tuc/").content.decode()


def test_the_query_count_of_a_list_is_the_same_with_fragments_stored(client):
    for _ in range(3):
        with_photo()
    # The first request after a change also looks for due pending changes
    # (site/due_revisions.py), once per generation of content: not a list's.
    client.get("/vi/")
    with CaptureQueriesContext(connection) as unstored:
        client.get("/vi/tin-tuc/")
    with CaptureQueriesContext(connection) as stored:
        client.get("/vi/tin-tuc/")
    assert len(stored) == len(unstored)


def render(source, **context):
    request = RequestFactory().get("/vi/")
    return engines["jinja2"].from_string(source).render(context, request)


def test_a_fragment_that_reads_the_database_is_rendered_every_time(
    django_assert_num_queries,
):
    item = factories.announcement()
    loaded = Announcement.objects.get(pk=item.pk)  # its category not loaded
    source = "{% fragment item %}{{ item.category }}{% endfragment %}"
    with translation.override("vi"):
        with django_assert_num_queries(1):
            first = render(source, item=loaded)
        loaded = Announcement.objects.get(pk=item.pk)
        with django_assert_num_queries(1):
            assert render(source, item=loaded) == first


def test_a_fragment_names_the_objects_it_shows():
    with pytest.raises(TemplateSyntaxError):
        render("{% fragment %}x{% endfragment %}")


def test_a_lists_stored_fragments_are_read_in_one_round_trip(client, monkeypatch):
    for _ in range(4):
        factories.announcement()
    client.get("/vi/tin-tuc/")
    reads = []

    class Counted:
        def get(self, *args, **kwargs):
            reads.append(args)
            return cache.get(*args, **kwargs)

        def get_many(self, *args, **kwargs):
            reads.append(args)
            return cache.get_many(*args, **kwargs)

        def set(self, *args, **kwargs):
            return cache.set(*args, **kwargs)

    monkeypatch.setattr(fragments, "cache", Counted())
    client.get("/vi/tin-tuc/")
    lists = [args[0] for args in reads if isinstance(args[0], list)]
    assert len(lists) == 1 and len(lists[0]) == 4
    assert len(reads) == 2  # the list's items, then the footer


@pytest.mark.parametrize("language,path", [("vi", "/vi/"), ("en", "/en/")])
def test_the_footer_is_kept_once_and_follows_an_edit_of_the_publisher(
    client, monkeypatch, language, path
):
    from asean_portal.site.about import AboutPortal

    about = AboutPortal.load()
    about.managing_agency_vi, about.managing_agency_en = "Bộ Nội vụ", "Ministry of Home Affairs"
    about.save()
    renders = []
    real = fragments.rendered

    def counted(source, objects, request, render, known=None):
        def counting():
            renders.append(source)
            return render()

        return real(source, objects, request, counting, known)

    monkeypatch.setattr(fragments, "rendered", counted)
    client.get(path)
    assert any("footer.html" in source for source in renders)
    renders.clear()
    client.get(path)
    assert not any("footer.html" in source for source in renders)
    about.managing_agency_vi = "Bộ Nội vụ (đã sửa)"
    about.managing_agency_en = "Ministry of Home Affairs (edited)"
    about.save()
    page = client.get(path).content.decode()
    assert any("footer.html" in source for source in renders)
    assert {"vi": "Bộ Nội vụ (đã sửa)", "en": "Ministry of Home Affairs (edited)"}[language] in page


def test_a_lazy_object_has_the_state_of_what_it_wraps():
    from django.utils.functional import SimpleLazyObject

    item = factories.announcement()
    loaded = Announcement.objects.get(pk=item.pk)
    assert fragments.object_state(SimpleLazyObject(lambda: loaded)) == fragments.object_state(
        loaded
    )


def test_the_deployment_part_of_a_key_follows_every_template_by_its_contents(settings, tmp_path):
    """A fragment's text comes also from the templates it includes (the news
    list's thumbnails, picture.html): a release that changes only those must
    not serve the old text. Two nodes of one release, installed in different
    folders at different times, share their fragments."""
    first, second = tmp_path / "node-1", tmp_path / "node-2"
    for folder in (first, second):
        (folder / "includes").mkdir(parents=True)
        (folder / "includes" / "picture.html").write_text("<picture></picture>")
        (folder / "list.html").write_text("{% include 'includes/picture.html' %}")
    jinja2 = next(engine for engine in settings.TEMPLATES if engine["BACKEND"].endswith("Jinja2"))

    def deployment(folder):
        settings.TEMPLATES = [{**jinja2, "DIRS": [folder]}]
        fragments.deployment.cache_clear()
        return fragments.deployment()

    try:
        before = deployment(first)
        assert deployment(second) == before
        (second / "includes" / "picture.html").write_text('<picture class="new"></picture>')
        assert deployment(second) != before
    finally:
        fragments.deployment.cache_clear()

"""The Jinja2 environment's url(): addresses of views without arguments are
worked out once per language, script prefix and URLconf."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, reverse, set_script_prefix
from django.utils import translation

from asean_portal.site import jinja2

# A URLconf of its own, where "search" is elsewhere.
urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="search")]


@pytest.fixture(autouse=True)
def _fresh():
    jinja2._fixed_url.cache_clear()
    yield
    set_script_prefix("/")
    jinja2._fixed_url.cache_clear()


@pytest.mark.parametrize("name", ["news:list", "search", "about", "civil_service:work_plan"])
def test_an_address_without_arguments_is_the_one_reverse_gives_in_each_language(name):
    for language in ("vi", "en", "vi"):
        with translation.override(language):
            assert jinja2.url(name) == reverse(name)
    assert jinja2.url("news:list") != translation.override("en")(jinja2.url)("news:list")


def test_the_address_follows_the_script_prefix_and_the_urlconf():
    with translation.override("vi"):
        plain = jinja2.url("search")
        set_script_prefix("/portal/")
        assert jinja2.url("search") == "/portal" + plain
        set_script_prefix("/")
        assert jinja2.url("search") == plain
        with override_settings(ROOT_URLCONF=__name__):
            assert jinja2.url("search") == "/elsewhere/"
        assert jinja2.url("search") == plain


def test_addresses_with_arguments_are_reversed_each_time():
    with translation.override("en"):
        assert jinja2.url("news:detail", slug="a") == reverse("news:detail", kwargs={"slug": "a"})
        assert jinja2.url("news:detail", slug="b").endswith("/b/")
    assert jinja2._fixed_url.cache_info().currsize == 0


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_choice_label_is_the_one_django_gives_in_each_language(language):
    from asean_portal.site.templatetags import choice
    from civil_service.models import Activity
    from events.models import Meeting

    with translation.override(language):
        for value, _label in Activity.Progress.choices:
            activity = Activity(progress=value)
            assert choice(activity, "progress") == activity.get_progress_display()
        assert choice(Activity(progress="unknown"), "progress") == "unknown"
        for value, _label in Meeting._meta.get_field("kind").flatchoices:
            meeting = Meeting(kind=value)
            assert choice(meeting, "kind") == meeting.get_kind_display()
    with translation.override("en"):
        english = choice(Activity(progress="completed"), "progress")
    with translation.override("vi"):
        assert choice(Activity(progress="completed"), "progress") != english

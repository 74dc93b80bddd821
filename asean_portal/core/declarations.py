"""How a content type declares itself, so that the site, the page cache and
the seed loader find it without being edited.

- Its app's AppConfig subclasses ContentAppConfig: every model of the app is
  public content (a save changes public pages), except ``private_models``.
- A model that is searched has ``search_index = SearchIndex(...)``.
- A model that is in the sitemap has ``sitemap_section = "<section>"``.
- A Publishable's visibility is bounded by ``publish_at`` and
  ``unpublish_at``; ``window_fields`` names further instants at which its
  pages change by themselves (for example a Focus period).
- A type that takes place on a day (meetings) names that field in
  ``agenda_day_field``: the publishing agenda lists them beside what goes out.
- The app's part of the home page: ``home_sections`` on its AppConfig.
- Seed content: ``asean_portal.core.seeding.seeder``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import AppConfig, apps
from django.utils import timezone


class ContentAppConfig(AppConfig):
    """An app whose models are public content."""

    # Models of the app that the public never sees (object names).
    private_models: tuple[str, ...] = ()
    # The dotted path of a function(now) returning the app's part of the home
    # page's context, or None.
    home_sections: str | None = None


def content_apps():
    return [config for config in apps.get_app_configs() if isinstance(config, ContentAppConfig)]


def public_models():
    """The models of every content app, less those it keeps off the site."""
    for config in content_apps():
        for model in config.get_models():
            if model._meta.object_name not in config.private_models:
                yield model


def year_of(field):
    """The local year of a date or datetime field, for SearchIndex.year."""

    def year(obj):
        value = getattr(obj, field)
        if value is None:
            return None
        if hasattr(value, "hour"):
            return timezone.localtime(value).year
        return value.year

    return year


@dataclass(frozen=True)
class SearchIndex:
    """How a model is searched: its kind (the search page's type filter), the
    translated fields of its title and body, and its year."""

    kind: str
    label: str
    title: tuple[str, ...]
    body: tuple[str, ...]
    year: Callable[[object], int | None]
    # A prefix of the title in every language (a document's number, say).
    title_prefix: Callable[[object], str] = lambda obj: ""
    # Relations read by ``year`` or ``title_prefix``, joined when rebuilding.
    related: tuple[str, ...] = ()


def searchable_models():
    return [model for model in public_models() if getattr(model, "search_index", None)]


def sitemap_models():
    return [model for model in public_models() if getattr(model, "sitemap_section", None)]

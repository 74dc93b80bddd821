"""sitemap.xml: every live object in both languages, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from asean_portal.core.content import LANGUAGES
from asean_portal.core.declarations import sitemap_models
from asean_portal.core.publishing import Publishable


class PortalSitemap(Sitemap):
    i18n = True
    alternates = True
    languages = list(LANGUAGES)
    # Each object appears once per language: 5 000 addresses a page.
    limit = 2500


class PagesSitemap(PortalSitemap):
    changefreq = "daily"

    def items(self):
        return [
            "home",
            "priorities:index",
            "meetings:list",
            "news:list",
            "civil_service:work_plan",
            "civil_service:documents",
        ]

    def location(self, name):
        return reverse(name)


class ContentSitemap(PortalSitemap):
    """Live objects of one Publishable model; the public rule is live()."""

    # Each address carries both languages: 2 000 items make a page of about
    # 4 000 entries that a crawler fetches quickly and the page cache keeps.
    limit = 2000

    def __init__(self, model):
        self.model = model

    def items(self):
        return (
            self.model.objects.live().only("pk", "slug_vi", "slug_en", "updated_at").order_by("pk")
        )

    def lastmod(self, obj):
        return obj.updated_at

    def get_latest_lastmod(self):
        # The index would otherwise read every row; each address in the
        # section still has its lastmod.
        return None


class SmallTypesSitemap(PortalSitemap):
    """The types with few objects, in one section, so that the index costs a
    handful of queries."""

    def __init__(self, models):
        self.models = models

    def items(self):
        items = []
        for model in self.models:
            if issubclass(model, Publishable):
                queryset = model.objects.live().only("pk", "slug_vi", "slug_en", "updated_at")
            else:  # reference data (countries, categories) is always public
                queryset = model.objects.only("pk", "slug_vi", "slug_en")
            items += list(queryset)
        return items

    def lastmod(self, obj):
        return getattr(obj, "updated_at", None)

    def get_latest_lastmod(self):
        return None


# The section each model declares (sitemap_section): a large type has a
# section of its own; the small ones share "more".
SMALL_TYPES = "more"


def sitemaps():
    sections = {}
    for model in sitemap_models():
        sections.setdefault(model.sitemap_section, []).append(model)
    found = {"pages": PagesSitemap()}
    for name, models in sections.items():
        if name == SMALL_TYPES:
            continue
        (model,) = models  # a section of its own holds one type
        found[name] = ContentSitemap(model)
    found[SMALL_TYPES] = SmallTypesSitemap(sections.get(SMALL_TYPES, []))
    return found

"""sitemap.xml: every live object in both languages, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from civil_service.models import Activity, Document, WorkPlan
from events.models import Announcement, Category, Country, Meeting
from priorities.models import Chairmanship, Priority


class PortalSitemap(Sitemap):
    i18n = True
    alternates = True
    languages = ["vi", "en"]
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

    def items(self):
        items = []
        for model in (Chairmanship, Priority, WorkPlan, Document):
            items += list(model.objects.live().only("pk", "slug_vi", "slug_en", "updated_at"))
        for model in (Country, Category):
            items += list(model.objects.only("pk", "slug_vi", "slug_en"))
        return items

    def lastmod(self, obj):
        return getattr(obj, "updated_at", None)

    def get_latest_lastmod(self):
        return None


SITEMAPS = {
    "pages": PagesSitemap(),
    "news": ContentSitemap(Announcement),
    "meetings": ContentSitemap(Meeting),
    "activities": ContentSitemap(Activity),
    "more": SmallTypesSitemap(),
}

"""sitemap.xml: every live object in both languages, with hreflang alternates.

A section page is built once and stored in the cache, then served from there
until the section changes: a save, publication or withdrawal of one of its
types gives the section a new *stamp* (an edit of a news item leaves the other
sections stored), and no stored page outlives the section's next scheduled
transition, as for the page cache. Pages are stored without the host, which
is put in when one is served. A served page depends on its section's tag
(``section_tag``), which the same changes move: the page cache and a front
cache let it go even when it was served from its stored copy.
"""

import time
from types import SimpleNamespace
from urllib.parse import quote

from django.contrib.sitemaps import Sitemap
from django.core.cache import cache
from django.core.paginator import EmptyPage
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date

from asean_portal.core.content import LANGUAGES, translated_value
from asean_portal.core.declarations import sitemap_models
from asean_portal.core.publishing import Publishable

from . import dependencies


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


# A slug that no real one equals, to find where an address holds the slug.
SLUG_MARK = "sitemap-slug-mark"


class ObjectSitemap(PortalSitemap):
    """Addresses of objects whose address is a per-language pattern around
    their slug: the pattern is reversed once per type and language, not once
    per object and alternate (which is what makes a large section slow)."""

    def __init__(self):
        self.patterns = {}

    def location(self, obj):
        language = translation.get_language()
        model = type(obj)
        if (model, language) not in self.patterns:
            marked = model(**{f"slug_{code}": SLUG_MARK for code in LANGUAGES})
            head, _mark, tail = marked.get_absolute_url().partition(SLUG_MARK)
            self.patterns[model, language] = (head, tail)
        head, tail = self.patterns[model, language]
        slug, _language = translated_value(obj, "slug", language)
        # As reverse() quotes an argument.
        return head + quote(slug, safe="!$&'()*+,;=/~:@") + tail


class ContentSitemap(ObjectSitemap):
    """Live objects of one Publishable model; the public rule is live()."""

    # Each address carries both languages: 2 000 items make a page of about
    # 4 000 entries that a crawler fetches quickly and the page cache keeps.
    limit = 2000

    def __init__(self, model):
        super().__init__()
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


class SmallTypesSitemap(ObjectSitemap):
    """The types with few objects, in one section, so that the index costs a
    handful of queries."""

    def __init__(self, models):
        super().__init__()
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


# Stored pages hold this in place of the scheme and host they are served at.
STORED_ORIGIN = "http://sitemap.invalid"


def stamp_key(section):
    return f"portal:sitemap:{section}:stamp"


def page_key(section, page):
    return f"portal:sitemap:{section}:{page}"


def section_tag(section):
    """The dependency tag of a section's pages (site/dependencies.py)."""
    return f"sitemap:{section}"


def section_of(model):
    """The name of the sitemap section that lists ``model``, or None."""
    if model not in sitemap_models():
        return None
    return model.sitemap_section


def section_changed(model):
    """Objects of ``model`` changed: its section's stored pages are out of date."""
    section = section_of(model)
    if section is not None:
        cache.set(stamp_key(section), time.time_ns(), None)
        dependencies.move({section_tag(section)})


def section_models(sitemap):
    if isinstance(sitemap, ContentSitemap):
        return [sitemap.model]
    return list(getattr(sitemap, "models", []))


def build(sitemap, page, stamp):
    """A stored section page: its body, stamp and the instant it expires."""
    urls = sitemap.get_urls(
        page=page,
        site=SimpleNamespace(domain=STORED_ORIGIN.partition("://")[2]),
        protocol="http",
    )
    now = timezone.now()
    moments = [
        model.objects.next_change(now)
        for model in section_models(sitemap)
        if issubclass(model, Publishable)
    ]
    moments = [moment for moment in moments if moment is not None]
    lastmod = getattr(sitemap, "latest_lastmod", None)
    return {
        "stamp": stamp,
        "until": min(moments).timestamp() if moments else None,
        "last_modified": http_date(lastmod.timestamp()) if lastmod else None,
        "body": render_to_string("sitemap.xml", {"urlset": urls}).encode(),
    }


def section(request, section, sitemaps):
    """One page of a sitemap section, from the cache when it is still current."""
    if section not in sitemaps:
        raise Http404(f"No sitemap section {section!r}")
    try:
        page = int(request.GET.get("p", 1))
    except ValueError:
        raise Http404("Not a page number") from None
    dependencies.depends_on({section_tag(section)})
    keys = [stamp_key(section), page_key(section, page)]
    found = cache.get_many(keys) or {}
    stamp = found.get(keys[0])
    if stamp is None:
        stamp = time.time_ns()
        cache.add(keys[0], stamp, None)
        stamp = cache.get(keys[0], stamp)
    entry = found.get(keys[1])
    if entry is None or entry["stamp"] != stamp or (entry["until"] or 1e20) <= time.time():
        try:
            entry = build(sitemaps[section], page, stamp)
        except EmptyPage:
            raise Http404(f"Page {page} empty") from None
        lifetime = None if entry["until"] is None else max(1, int(entry["until"] - time.time()))
        cache.set(keys[1], entry, lifetime)
        served = "built"
    else:
        served = "stored"
    origin = f"{request.scheme}://{request.get_host()}".encode()
    response = HttpResponse(
        entry["body"].replace(STORED_ORIGIN.encode(), origin), content_type="application/xml"
    )
    if entry["last_modified"]:
        response["Last-Modified"] = entry["last_modified"]
    response["X-Sitemap"] = served
    return response

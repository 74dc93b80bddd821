"""sitemap.xml: every live object in both languages, with hreflang alternates.

A section page is built once and stored in the cache, then served from there
until the section changes: a save, publication or withdrawal of one of its
types gives the section a new *stamp* (an edit of a news item leaves the other
sections stored), and no stored page outlives the section's next scheduled
transition, as for the page cache. Pages are stored without the host; the
first request at a scheme and host makes the copies served there, finished
(the host put in, uncompressed and in gzip, with an ETag) and stores them
under the page's stamp, so that a request reads the stamps and one finished
copy and sends its bytes (in gzip to a client that accepts it).

After a change, a task queued on commit builds every page of the section
again (build_section), so requests do not build it. Until that build is
stored, a request gets the previous copy, marked so that no cache keeps it;
a request builds the page itself only when nothing is stored, when a
scheduled transition of the section has come (whether or not a worker runs),
or when the build has not come within SITEMAP_BUILD_GRACE_SECONDS (a broker
or worker outage). The stamp is a page dependency (dependencies.py), so the
page cache's copy of a section follows it too.
"""

import gzip
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from datetime import datetime
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.cache import cache
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.http import http_date

from asean_portal.core.content import LANGUAGES, translated_value
from asean_portal.core.declarations import sitemap_models
from asean_portal.core.publishing import Publishable

from . import dependencies, hosts


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


class LanguagePairs:
    """(object, language) for each object of an ordered queryset and each
    language, as Django's i18n sitemap pages them, reading only the rows of
    the page asked for (Django's own list reads every row for every page)."""

    def __init__(self, queryset, languages):
        self.queryset = queryset
        self.languages = list(languages)

    def count(self):
        return self.queryset.count() * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("LanguagePairs is read in slices")
        size = len(self.languages)
        start = index.start or 0
        first = start // size
        if index.stop is None:
            rows = self.queryset[first:]
        else:
            rows = self.queryset[first : -(-index.stop // size)]
        pairs = [(obj, language) for obj in rows for language in self.languages]
        offset = start - first * size
        stop = None if index.stop is None else index.stop - first * size
        return pairs[offset:stop]


class SmallTypePairs:
    """(object, language) for each object of the small types and each
    language: counted in one query, read whole only when a page is asked for."""

    def __init__(self, sitemap, languages):
        self.sitemap = sitemap
        self.languages = list(languages)

    def count(self):
        return self.sitemap.count() * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        pairs = [(obj, language) for obj in self.sitemap.items() for language in self.languages]
        return pairs[index]


class ContentSitemap(ObjectSitemap):
    """Live objects of one Publishable model; the public rule is live()."""

    # Addresses a page: 250 objects in both languages, each address with its
    # two hreflang alternates, about 215 kB (8 kB in gzip). A request that
    # sends it costs little more than one that sends a short page; the index
    # lists every page.
    limit = 500

    def __init__(self, model):
        super().__init__()
        self.model = model

    def items(self):
        return (
            self.model.objects.live().only("pk", "slug_vi", "slug_en", "updated_at").order_by("pk")
        )

    def lastmod(self, obj):
        return obj.updated_at

    @property
    def paginator(self):
        # Every object is listed in every language (get_languages_for_item).
        return Paginator(LanguagePairs(self.items(), self._languages()), self.limit)

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

    def querysets(self):
        for model in self.models:
            if issubclass(model, Publishable):
                yield model.objects.live().only("pk", "slug_vi", "slug_en", "updated_at")
            else:  # reference data (countries, categories) is always public
                yield model.objects.only("pk", "slug_vi", "slug_en")

    def items(self):
        return [obj for queryset in self.querysets() for obj in queryset]

    def count(self):
        """How many objects the types have, in one query (a UNION ALL of
        their keys) instead of one per type."""
        keys = [queryset.order_by().values_list("pk") for queryset in self.querysets()]
        if not keys:
            return 0
        return keys[0].union(*keys[1:], all=True).count()

    @property
    def paginator(self):
        # The index needs only the number of pages: the rows are read for a
        # page of the section itself.
        return Paginator(SmallTypePairs(self, self._languages()), self.limit)

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


def section_tag(section):
    return f"sitemap:{section}"


def stamp_key(section):
    return dependencies.TAG_PREFIX + section_tag(section)


def page_id(section, sitemap, page):
    """A page's number means something only with the page size: a stored page
    of another size (before a change of ``limit``) is never served."""
    return f"{section}:{sitemap.limit}:{page}"


def page_key(page):
    return f"portal:sitemap:{page}"


def pages_key(section, sitemap):
    return f"portal:sitemap:{section}:{sitemap.limit}:pages"


def section_of(model):
    """The name of the sitemap section that lists ``model``, or None."""
    if model not in sitemap_models():
        return None
    return model.sitemap_section


def section_changed(model):
    """Objects of ``model`` changed: its section's stored pages are out of
    date (now, and again when the change commits). Returns the section."""
    section = section_of(model)
    if section is not None:
        dependencies.move({section_tag(section)})
    return section


def current_stamp(section):
    return dependencies.versions({section_tag(section)})[section_tag(section)]


def section_models(sitemap):
    if isinstance(sitemap, ContentSitemap):
        return [sitemap.model]
    return list(getattr(sitemap, "models", []))


URLSET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def urlset_xml(urls):
    """What Django's sitemap.xml template writes for ``urls``, written directly:
    the template costs most of a large section's build."""
    parts = [URLSET_HEAD]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            lastmod = url["lastmod"]
            if isinstance(lastmod, datetime) and timezone.is_aware(lastmod):
                lastmod = timezone.localtime(lastmod)
            parts.append(f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        if url["priority"]:
            parts.append(f"<priority>{escape(url['priority'])}</priority>")
        for alternate in url["alternates"]:
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
                f'href="{escape(alternate["location"])}"/>'
            )
        parts.append("</url>")
    parts.append("\n</urlset>\n")
    return "".join(parts)


def expiry(sitemap):
    """The section's next scheduled transition (a timestamp), or None. Found
    before the rows are read, a transition while they are read ends the life
    of what is built from them."""
    now = timezone.now()
    moments = [
        model.objects.next_change(now)
        for model in section_models(sitemap)
        if issubclass(model, Publishable)
    ]
    moments = [moment for moment in moments if moment is not None]
    return min(moments).timestamp() if moments else None


def build(sitemap, page, stamp, until):
    """A stored section page: its body, stamp and the instant it expires
    (``until``, from expiry() before the build)."""
    urls = sitemap.get_urls(
        page=page,
        site=SimpleNamespace(domain=STORED_ORIGIN.partition("://")[2]),
        protocol="http",
    )
    lastmod = getattr(sitemap, "latest_lastmod", None)
    return {
        "stamp": stamp,
        # Tells this build from another of the same stamp and expiry.
        "built": secrets.token_hex(8),
        "until": until,
        "last_modified": http_date(lastmod.timestamp()) if lastmod else None,
        "body": urlset_xml(urls).encode(),
    }


def meta_key(page):
    return f"portal:sitemap:{page}:meta"


def served_key(page, origin, encoding):
    digest = hashlib.sha256(origin.encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return f"portal:sitemap:{page}:{encoding}:{digest}"


def source(entry):
    """A stored page's stamp, expiry and build: what tells it from another
    page stored at the same address."""
    return (entry["stamp"], entry["until"], entry.get("built"))


def lifetime(until, longest=None):
    seconds = None if until is None else max(1, int(until - time.time()))
    if longest is not None:
        seconds = longest if seconds is None else min(seconds, longest)
    return seconds


def store(page, entry):
    """The page, and beside it what it is (stamp, expiry), which a request
    reads instead of the page to know whether its served copy is current."""
    cache.set_many(
        {page_key(page): entry, meta_key(page): source(entry)},
        lifetime(entry["until"]),
    )


def queued_key(section):
    return f"portal:sitemap:{section}:queued"


def claim_build(section, delay):
    """Whether a build of ``section`` is to be queued (none is already). The
    claim lapses by itself, so a lost task does not stop later builds."""
    return cache.add(queued_key(section), 1, delay + settings.SITEMAP_BUILD_GRACE_SECONDS)


def release_build(section):
    cache.delete(queued_key(section))


def build_section(section):
    """Build and store every page of ``section`` with its current stamp (the
    stamp is read before the rows, so a change during the build leaves the
    pages out of date, and queues a build of its own). Returns the number of
    pages."""
    release_build(section)
    sitemap = sitemaps()[section]
    stamp = current_stamp(section)
    until = expiry(sitemap)
    count = sitemap.paginator.num_pages
    for page in range(1, count + 1):
        store(page_id(section, sitemap, page), build(sitemap, page, stamp, until))
    before = cache.get(pages_key(section, sitemap)) or 0
    gone = [page_id(section, sitemap, page) for page in range(count + 1, before + 1)]
    cache.delete_many([key(page) for page in gone for key in (page_key, meta_key)])
    cache.set(pages_key(section, sitemap), count, None)
    return count


# A served copy (one per scheme, host and encoding) is derived again at most
# this often even while its page stays current, so that copies for a host no
# longer served do not stay in the cache.
SERVED_SECONDS = 86400
GZIP = "gzip"
IDENTITY = "identity"


def accepted_encoding(request):
    """GZIP when the request's Accept-Encoding allows gzip (RFC 9110 12.5.3:
    named, or covered by "*", with a non-zero weight), else IDENTITY."""
    weights = {}
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, parameters = part.partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.strip().lower()] = weight
    weight = weights.get(GZIP, weights.get("x-gzip", weights.get("*", 0.0)))
    return GZIP if weight > 0 else IDENTITY


def serve(page, entry, origin, keep=True):
    """The copies of a stored page served at ``origin``, uncompressed and in
    gzip, finished: the addresses at that scheme and host, and an ETag, so
    that a request only reads one and sends its bytes. Both are stored,
    unless ``keep`` is false (hosts.keeps_copies)."""
    body = entry["body"].replace(STORED_ORIGIN.encode(), origin.encode())
    copies = {}
    for encoding, data in (
        (IDENTITY, body),
        (GZIP, gzip.compress(body, compresslevel=6, mtime=0)),
    ):
        copies[encoding] = {
            "source": source(entry),
            "last_modified": entry["last_modified"],
            "etag": f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"',
            "body": data,
        }
    if keep:
        cache.set_many(
            {served_key(page, origin, key): copy for key, copy in copies.items()},
            lifetime(entry["until"], SERVED_SECONDS),
        )
    return copies


class RecentCopies:
    """The finished copies this process served last, up to ``limit`` bytes
    (least recently served first out): a request whose copy is here, from
    the build the stored meta names, reads only the stamps from the cache."""

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.copies = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, meta):
        with self.lock:
            copy = self.copies.get(key)
            if copy is None or copy["source"] != meta:
                return None
            self.copies.move_to_end(key)
            return copy

    def put(self, key, copy):
        with self.lock:
            previous = self.copies.pop(key, None)
            if previous is not None:
                self.size -= len(previous["body"])
            self.copies[key] = copy
            self.size += len(copy["body"])
            while self.size > self.limit:
                _key, gone = self.copies.popitem(last=False)
                self.size -= len(gone["body"])


# 32 MB a process: every page of a 10 000-item section (41 pages of 215 kB)
# at one host, uncompressed and in gzip, three times over.
recent = RecentCopies(32 * 2**20)


def state(meta, stamp, now):
    """How a stored page with ``meta`` (its stamp and expiry) may be served:
    "stored" (current), "previous" (out of date, within the grace after the
    change that its build follows) or None (not at all: build it)."""
    if meta is None:
        return None
    stored_stamp, until, _built = meta
    if (until or 1e20) <= now:
        return None
    if stored_stamp == stamp:
        return "stored"
    if now - stamp / 1e9 < settings.SITEMAP_BUILD_GRACE_SECONDS:
        return "previous"  # the task queued by the change builds it
    return None


def section(request, section, sitemaps):
    """One page of a sitemap section, from the cache when it is still current.

    A request reads the section's stamp, the stored page's stamp and expiry,
    and the copy served at its scheme, host and encoding, finished; the
    stored page itself is read only to make that copy again after a build."""
    if section not in sitemaps:
        raise Http404(f"No sitemap section {section!r}")
    try:
        page = int(request.GET.get("p", 1))
    except ValueError:
        raise Http404("Not a page number") from None
    sitemap = sitemaps[section]
    name = page_id(section, sitemap, page)
    host = request.get_host()
    origin = f"{request.scheme}://{host}"
    keep = hosts.keeps_copies(request, host)
    encoding = accepted_encoding(request)
    key = served_key(name, origin, encoding)
    keys = [stamp_key(section), meta_key(name)]
    found = cache.get_many(keys) or {}
    stamp = found.get(keys[0])
    if stamp is None:
        stamp = current_stamp(section)
    dependencies.record({section_tag(section)})
    meta = found.get(keys[1])
    now = time.time()
    served = state(meta, stamp, now)
    copy = None if served is None or not keep else recent.get(key, meta)
    if copy is None and served is not None and keep:
        copy = cache.get(key)
        if copy is not None and copy["source"] == meta:
            recent.put(key, copy)
    if copy is None or served is None or copy["source"] != meta:
        entry = None if served is None else cache.get(page_key(name))
        # A build may have stored another page since the meta was read.
        served = None if entry is None else state(source(entry), stamp, now)
        if served is None:
            try:
                entry = build(sitemap, page, stamp, expiry(sitemap))
            except EmptyPage:
                raise Http404(f"Page {page} empty") from None
            store(name, entry)
            served = "built"
        copy = serve(name, entry, origin, keep)[encoding]
        if keep:
            recent.put(key, copy)
    response = HttpResponse(copy["body"], content_type="application/xml")
    # Set here, ConditionalGetMiddleware does not hash the body for it.
    response["ETag"] = copy["etag"]
    if encoding == GZIP:
        response["Content-Encoding"] = GZIP
    patch_vary_headers(response, ("Accept-Encoding",))
    if copy["last_modified"]:
        response["Last-Modified"] = copy["last_modified"]
    if served == "previous":
        # Neither the page cache nor a proxy may keep what is being replaced.
        response["Cache-Control"] = "no-cache"
    response["X-Sitemap"] = served
    return response

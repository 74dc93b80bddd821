"""Whole-page cache for anonymous readers, per language.

A cached page must never outlive a transition. Two rules make that true even
when no Celery worker runs:

- an entry keeps the versions of what it shows (``dependencies``: the types it
  lists and the objects it loaded) and is served only while they are current,
  so an editor's change shows at once on every page that shows the object,
  and the other pages stay cached;
- no entry is kept past the *next scheduled transition* (the earliest future
  ``publish_at``, ``unpublish_at`` or other boundary a type declares in
  ``window_fields``, such as a Focus period), so a page
  cached before an item's publication time stops being served at that time.
  An entry is also checked against that instant when it is read, because
  cache backends count their timeouts in whole seconds. The instant is the
  first transition after the request *started*, so an item that falls due
  while a page renders ends that page's life at once.

Each web process also keeps its own copies of the entries it serves
(nearcache.py), served without a round trip to the cache while no change has
been made since they were found current.
"""

import hashlib
import time
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_path

from asean_portal.core.publishing import publishable_models

from . import dependencies, frontcache, hosts, nearcache, sitemaps
from .middleware import remember_language
from .preferences import cache_variant

# Per request or per reader: never stored with a page.
NOT_KEPT_HEADERS = {"x-request-id", "x-page-cache", "expires", "date"}
# What describes a body, which a 304 has not.
BODY_HEADERS = {"content-type", "content-length", "content-language"}


def next_transition(now=None):
    """The earliest future instant at which some page may change by itself."""
    now = now or timezone.now()
    moments = [model.objects.next_change(now) for model in publishable_models()]
    moments = [moment for moment in moments if moment is not None]
    return min(moments).timestamp() if moments else None


def cached_next_transition(changes, now):
    """The first transition after ``now`` (the request's start, a timestamp),
    from next_transition(), remembered until the next change of content
    (``changes`` is dependencies.changes()).

    A remembered value was found at some moment; it holds for a request that
    started no earlier than that moment and before the transition."""
    key = f"portal:next-transition:{changes}"
    found = cache.get(key)
    if found is not None:
        found_at, moment = found
        if found_at <= now and not (moment and moment <= now):
            return moment or None
    moment = next_transition(datetime.fromtimestamp(now, tz=UTC)) or 0  # 0: nothing is due
    cache.set(key, (now, moment), settings.PAGE_CACHE_SECONDS)
    return moment or None


def kept_until(changes, now):
    """Until when a page rendered now may be kept: PAGE_CACHE_SECONDS, and
    never past the next transition."""
    until = now + settings.PAGE_CACHE_SECONDS
    upcoming = cached_next_transition(changes, now)
    return until if upcoming is None else min(until, upcoming)


def cacheable_request(request):
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
        return False
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return False  # SecurityMiddleware answers with the redirect
    if get_language_from_path(request.path_info) is None and not (
        request.path_info.startswith("/sitemap") and request.path_info.endswith(".xml")
    ):
        return False
    if f"/{settings.ADMIN_PATH}" in request.path_info:
        return False
    # Signed-in staff see drafts and previews: never from or into the cache.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


# Read by every page (the print view, see context_processors.py).
EVERY_PAGE_READS = frozenset({"print"})
# A value that means the same as the parameter's absence.
DEFAULTS = {"page": "1", "p": "1"}


@lru_cache(maxsize=2048)
def query_params(urlconf, language, path):
    """What the view at ``path`` declares it reads (reads_query), or None when
    no view answers there."""
    with translation.override(language):
        try:
            match = resolve(path, urlconf)
        except Resolver404:
            return None
    return EVERY_PAGE_READS | getattr(match.func, "query_params", frozenset())


def canonical_number(value):
    """False for a number written otherwise than in its shortest form
    ("01", " 2", "+3", "1_0", other scripts' digits): a view that reads it as
    a number shows the same page for every spelling, and a cache entry per
    spelling would let anyone fill the cache."""
    try:
        return str(int(value)) == value
    except ValueError:
        return True


def normalised_query(request):
    """The query string as the view reads it: its parameters sorted, empty
    ones, defaults and a print value other than 1 left out. None when the
    request carries a parameter the view does not read, or one twice, or a
    number spelled otherwise than in its shortest form."""
    if not request.GET:
        return ""
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    allowed = query_params(get_urlconf() or settings.ROOT_URLCONF, language, request.path_info)
    if allowed is None:
        return None
    kept = []
    for name, values in request.GET.lists():
        if name not in allowed or len(values) > 1:
            return None
        value = values[0]
        if value == "" or DEFAULTS.get(name) == value or (name == "print" and value != "1"):
            continue
        if not canonical_number(value):
            return None
        kept.append((name, value))
    return urlencode(sorted(kept))


def encoding(request):
    """A sitemap section is sent in gzip to a client that accepts it
    (sitemaps.section, Vary: Accept-Encoding); every other page is sent as it
    is, whatever the client accepts."""
    if request.path_info.startswith("/sitemap-"):
        return sitemaps.accepted_encoding(request)
    return ""


def page_key(request, host, query):
    """Pages carry absolute addresses (canonical, hreflang), so the scheme and
    host are part of the key, with the reader's display preferences and the
    encoding of a page that has more than one."""
    parts = [
        request.scheme,
        host,
        request.path,
        query,
        *cache_variant(request.COOKIES),
    ]
    if sent_as := encoding(request):
        parts.append(sent_as)
    variant = "|".join(parts)
    digest = hashlib.sha256(variant.encode("utf-8", "surrogateescape")).hexdigest()
    return f"portal:page:{request.method}:{digest}"


def cacheable_response(response):
    if response.status_code != 200 or response.streaming:
        return False
    # The language cookie is set again on every hit (remember_language).
    if any(name != settings.LANGUAGE_COOKIE_NAME for name in response.cookies):
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-cache", "no-store", "max-age=0"))


# Answers in place of a page that was taken off the site (410), deleted (404)
# or moved (301): a front cache may keep them this long, so that its refresh
# of the page's address (site/frontcache.py) stores them over its copy of the
# page. They are not remembered for a purge, hence so briefly.
REPLACING_STATUSES = frozenset({301, 404, 410})
REPLACING_SECONDS = 1


def shared_seconds(seconds_left, longest):
    """How long a browser or proxy may keep an answer that holds for
    ``seconds_left`` more seconds. nginx counts a max-age from the whole
    second it stored the answer in, so it may serve it up to a second longer:
    a second is taken off."""
    return max(0, min(longest, int(seconds_left - 1)))


def replacing_answer(response, changes, now):
    """Let proxies keep briefly a 410, 404 or 301 that no reader's cookie or
    the view's own Cache-Control keeps from being shared, never past the next
    transition (a 404 at the address of an item due to go live)."""
    if response.status_code not in REPLACING_STATUSES or response.streaming:
        return response
    if any(name != settings.LANGUAGE_COOKIE_NAME for name in response.cookies):
        return response
    if response.status_code == 404:
        # The error page is never to be kept (views._error); here, at an
        # address that may have held a page, it must be, but only so briefly.
        del response["Cache-Control"]
        del response["Expires"]
    if response.has_header("Cache-Control"):
        return response
    seconds_left = kept_until(changes, now) - now
    patch_cache_control(
        response, public=True, max_age=shared_seconds(seconds_left, REPLACING_SECONDS)
    )
    return response


def browser_caching(response, seconds_left):
    """Browsers and proxies may keep an anonymous page briefly, never past the
    next transition; repeat visits with the page's ETag get a 304."""
    max_age = shared_seconds(seconds_left, settings.PAGE_BROWSER_SECONDS)
    patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ("Cookie",))
    return response


# Entries this process found current, by (key, until): the count of changes
# at which it checked their versions. Bounded; cleared when full.
_checked = {}
CHECKED_SIZE = 4096


def still_current(key, entry, changes):
    """Whether the versions an entry was rendered with are all still current.

    Every change moves the changes count right after the tags it moves
    (dependencies._move), so an entry stored at the count that is current
    now, or found current by this process at that count, is current without
    reading its tags: a hit is then one cache round trip. Otherwise the
    versions are read (a second round trip) and the answer remembered."""
    if changes is None:
        return dependencies.current(entry["dependencies"])
    if entry.get("changes") == changes:
        return True
    memo = (key, entry["until"])
    if _checked.get(memo) == changes:
        return True
    if not dependencies.current(entry["dependencies"]):
        return False
    if len(_checked) >= CHECKED_SIZE:
        _checked.clear()
    _checked[memo] = changes
    return True


class AnonymousPageCacheMiddleware:
    """Serves anonymous pages from the cache before the rest of the stack runs.

    It sits just after the request id, so a hit costs none of the other
    middleware, and no cache round trip when this process keeps a current
    copy of the entry (nearcache.py); otherwise one (the entry with the count
    of changes; the versions of what it shows only after a change, see
    still_current). An
    entry keeps every header the full stack gave the page (security, CSP,
    permissions policy, ETag...), and a hit answers
    conditional requests and sets the language cookie as the stack would.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        try:
            host = request.get_host()
        except DisallowedHost:
            return self.get_response(request)  # the stack answers 400
        query = normalised_query(request)
        if query is None or not hosts.keeps_copies(request, host):
            response = self.get_response(request)
            response["X-Page-Cache"] = "bypass"
            return response
        now = time.time()
        key = page_key(request, host, query)
        # The proxy's refresh follows a change at once: it reads the shared
        # cache, which knows of the change before this process is told.
        near = nearcache.lookup(key, now, serve=frontcache.REFRESH_HEADER not in request.headers)
        if near.entry is not None:
            return self.hit(request, near.entry, now)
        found = cache.get_many([dependencies.CHANGES_KEY, key]) or {}
        entry = found.get(key)
        changes = found.get(dependencies.CHANGES_KEY)
        if entry is not None and entry["until"] > now and still_current(key, entry, changes):
            near.keep(entry, changes)
            return self.hit(request, entry, now)
        before = changes or dependencies.changes()
        with dependencies.recording() as reads:
            response = self.get_response(request)
        if not cacheable_response(response):
            return replacing_answer(response, before, now)
        until = kept_until(before, now)
        browser_caching(response, until - now)
        # A page that used a CSP nonce must not hand the same nonce to everyone.
        recorded = dependencies.versions(reads)
        # A front cache may keep the page too: it is purged by the same tags.
        dependencies.remember_page(reads, request.path + (f"?{query}" if query else ""))
        if (
            until - now >= 1
            and getattr(request, "_csp_nonce", None) is None
            # Content changed while the page rendered: it may show either state.
            and dependencies.changes() == before
        ):
            kept = HttpResponse(response.content)
            for header, value in response.items():
                if header.lower() not in NOT_KEPT_HEADERS:
                    kept[header] = value
            kept["X-Page-Cache"] = "hit"
            entry = {
                "dependencies": recorded,
                "changes": before,
                "until": until,
                "response": kept,
            }
            cache.set(key, entry, int(until - now))
            near.keep(entry, before)
        response["X-Page-Cache"] = "miss"
        return response

    def hit(self, request, entry, now):
        # The response comes out of the cache ready (pickled the way Django's
        # own cache middleware keeps responses): only what depends on the
        # moment or the reader changes.
        response = entry["response"]
        seconds_left = entry["until"] - now
        if seconds_left < settings.PAGE_BROWSER_SECONDS + 1:
            max_age = shared_seconds(seconds_left, settings.PAGE_BROWSER_SECONDS)
            patch_cache_control(response, max_age=max_age)
        remember_language(request, response)
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            conditional = get_conditional_response(
                request, etag=response.get("ETag"), response=response
            )
            if conditional is not response:
                # A 304 carries the page's security headers, as from the full stack.
                for header, value in response.items():
                    if header.lower() not in BODY_HEADERS and not conditional.has_header(header):
                        conditional[header] = value
                response = conditional
        return response

"""Purging a front cache (a caching proxy or a CDN) of the pages an item
shows on, so that an edit or a transition is seen at once rather than when
the proxy's copy expires. The paths are those of the pages the page cache
rendered that showed what the change moved (its dependency tags, the same
map as its own: dependencies.remember_page and pages_showing); a Celery task
(asean_portal.tasks.purge_front_cache) calls each backend of
FRONTEND_CACHE_BACKENDS, with retries, after the change is committed: a save
never waits for the proxy.

A backend has ``purge(paths)``; it raises OSError when the front cache cannot
be reached, and the task tries again later.

- ``NginxBackend``: stock nginx has no purge method. The portal's nginx
  configuration (deploy/nginx/) passes a request carrying the refresh header
  to a web node, bypassing its cache (``proxy_cache_bypass``), and stores the
  fresh page in place of the old one; the header counts only from the proxy's
  own host (``geo``), anyone else's is ignored. The proxy keeps one copy per
  reading preference (contrast, font size): each is refreshed. A page that is
  gone or moved answers 410, 404 or 301 with a short max-age (pagecache.py),
  so that the refresh stores that answer in place of the old page.
- A CDN (CloudFront, Cloudflare) needs an API call instead: see README,
  "Caching proxy and purge".
"""

import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import get_language_from_path

from .preferences import CONTRAST_COOKIE, CONTRASTS, FONT_COOKIE, FONT_SIZES

logger = logging.getLogger(__name__)

REFRESH_HEADER = "X-Portal-Refresh"
# A preference's default value renders as its absence: the proxy's key counts
# both as one (deploy/nginx/portal.conf.template maps the cookies the same way).
DEFAULT_PREFERENCE = "normal"


def preference_variants():
    """The reading-preference cookies of each copy the proxy keeps of a page
    (the default one first), as (name, value) pairs."""
    contrasts = [""] + [value for value in CONTRASTS if value != DEFAULT_PREFERENCE]
    fonts = [""] + [value for value in FONT_SIZES if value != DEFAULT_PREFERENCE]
    return [
        tuple(
            (name, value)
            for name, value in ((CONTRAST_COOKIE, contrast), (FONT_COOKIE, font))
            if value
        )
        for contrast in contrasts
        for font in fonts
    ]


class PurgeBackend:
    def __init__(self, **options):
        self.options = options

    def purge(self, paths):
        raise NotImplementedError


class NginxBackend(PurgeBackend):
    """Refreshes each path through the proxy at LOCATION, once per host name
    in HOSTS (the proxy's cache key has the host)."""

    def __init__(self, LOCATION, HOSTS=(), TIMEOUT=10, **options):  # noqa: N803
        super().__init__(**options)
        self.location = LOCATION.rstrip("/")
        self.hosts = list(HOSTS) or [settings.ALLOWED_HOSTS[0].lstrip(".")]
        self.timeout = TIMEOUT

    def purge(self, paths):
        variants = preference_variants()
        for host in self.hosts:
            for path in paths:
                for preferences in variants:
                    self.refresh(host, path, preferences)

    def refresh(self, host, path, preferences=()):
        headers = {"Host": host, REFRESH_HEADER: "1"}
        # As a reader who already has the page's language: the page sets no
        # cookie, and the proxy may keep it.
        cookies = list(preferences)
        language = get_language_from_path(path)
        if language:
            cookies.insert(0, (settings.LANGUAGE_COOKIE_NAME, language))
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies)
        request = urllib.request.Request(self.location + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            # A page that is gone (404) or moved is refreshed all the same.
            error.read()


def backends():
    return [
        import_string(config["BACKEND"])(**{k: v for k, v in config.items() if k != "BACKEND"})
        for config in settings.FRONTEND_CACHE_BACKENDS
    ]


def purge(paths):
    """Purge ``paths`` from every front cache; OSError if one is unreachable."""
    for backend in backends():
        backend.purge(paths)
        logger.info("purged %d path(s) from %s", len(paths), type(backend).__name__)

"""Which public addresses show an item: the one function that a front cache
(the caching proxy, a CDN) is purged by when the item changes, is published
or is withdrawn (receivers.py, frontcache.py).

For every language: the item's own page (or, for a part of an item such as a
meeting's photo, its owner's), the pages that list it as the model declares
them in ``listed_on`` (URL names, related objects with an address, or
functions returning an address), the home page, and the sitemap's index and
section. Paths only: the proxy's host is the backend's business.
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation


def page_owner(instance):
    """The item whose page shows ``instance``."""
    return getattr(instance, "media_owner", None) or instance


def _address(entry, owner):
    if isinstance(entry, str):
        return reverse(entry)
    if callable(entry):
        return entry(owner)
    return entry.get_absolute_url() if entry is not None else None


def affected_paths(instance):
    """Every path, in every language, whose page may change with ``instance``."""
    owner = page_owner(instance)
    paths = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.add(reverse("home"))
            entries = [owner, *getattr(owner, "listed_on", ())]
            for entry in entries:
                try:
                    address = _address(entry, owner)
                except (AttributeError, NoReverseMatch):
                    # An object without a page, or a slug not filled in yet.
                    continue
                if address:
                    paths.add(address)
    section = getattr(owner, "sitemap_section", None)
    if section:
        paths.add(reverse("sitemap"))
        paths.add(reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": section}))
    return sorted(paths)

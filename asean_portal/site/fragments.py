"""Fragments of a page that show one object (a list item, a card), rendered once
and kept in the cache under the object's *version*, so that a page rendered
again after an edit renders only the items that changed.

The version of an object is a digest of what was read of it: every loaded
column of the object and of the related objects loaded with it
(``select_related``). An edit, a transition or a rename changes a column, so
the fragment of the object as it is now has another key; a fragment can never
be found for data it was not rendered from, whichever process stored it and
whenever the edit committed. Which objects a list shows is not part of a
fragment: the list's query decides that on every render (live()).

A fragment's text may depend only on the objects named in its tag, the
language, the reader's display preferences and the deployment (the templates,
the translations, where uploads are served from); all are in the key.
A fragment whose rendering reads the database is never stored: what it read
must reach the page's dependencies (dependencies.py) on every render.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django.utils.functional import LazyObject, empty

from asean_portal.core import storage

from .preferences import cache_variant

PREFIX = "portal:fragment:"


def object_state(obj, depth=2):
    """What was read of ``obj``, and of the related objects loaded with it
    (select_related two levels deep, prefetched rows). A lazy object (the
    About row of every page's footer) stands for what it wraps."""
    if isinstance(obj, LazyObject):
        if obj._wrapped is empty:
            obj._setup()
        obj = obj._wrapped
    values = sorted(
        (name, value) for name, value in obj.__dict__.items() if not name.startswith("_")
    )
    parts = [obj._meta.label_lower, repr(values)]
    if depth:
        for name, related in sorted(obj._state.fields_cache.items()):
            parts.append(name)
            parts.append(object_state(related, depth - 1) if related is not None else "None")
        prefetched = obj.__dict__.get("_prefetched_objects_cache", {})
        for name, found in sorted(prefetched.items()):
            parts.append(name)
            parts.extend(object_state(related, depth - 1) for related in found)
    return "|".join(parts)


@lru_cache(maxsize=1)
def deployment():
    """Changes with what a deployment changes in the text of a fragment: the
    compiled translations, every public template (a fragment's text comes
    also from the templates it includes and the macros it calls), and where
    uploads are served from. Files count by their contents, not their dates,
    so that the nodes of one release share their fragments."""
    digest = hashlib.sha256()
    folders = [(Path(folder), "*/LC_MESSAGES/*.mo") for folder in settings.LOCALE_PATHS]
    folders += [
        (Path(folder), "**/*.html")
        for engine in settings.TEMPLATES
        if engine["BACKEND"].endswith(".Jinja2")
        for folder in engine["DIRS"]
    ]
    for folder, pattern in folders:
        for path in sorted(folder.glob(pattern)):
            digest.update(f"{path.relative_to(folder)}\0".encode())
            digest.update(path.read_bytes())
    return repr((digest.hexdigest(), settings.MEDIA_URL, settings.STORAGES.get("default")))


def fragment_key(source, objects, request):
    cookies = request.COOKIES if request is not None else {}
    digest = hashlib.sha256()
    for part in (
        source,
        deployment(),
        translation.get_language() or "",
        *cache_variant(cookies),
        *(object_state(obj) if obj is not None else "None" for obj in objects),
    ):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return PREFIX + digest.hexdigest()


class _Reads:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def stored(source, sequence, request):
    """The stored fragments of each object of ``sequence`` (a list's items),
    read in one round trip: {id(object): (key, text or None)}."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return {}
    keys = {id(obj): fragment_key(source, [obj], request) for obj in sequence}
    found = cache.get_many(list(keys.values())) or {}
    return {ident: (key, found.get(key)) for ident, key in keys.items()}


def rendered(source, objects, request, render, known=None):
    """The fragment of ``objects`` from the cache, or ``render()`` (kept for
    the next page unless it read the database). ``known``: the key and text
    that stored() found."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if not seconds:
        return render()
    if known is not None:
        key, found = known
    else:
        key = fragment_key(source, objects, request)
        found = cache.get(key)
    if found is not None:
        return found
    reads = _Reads()
    with connection.execute_wrapper(reads):
        text = render()
    # A photo of an item that is not published yet (a due item the worker has
    # not flipped) has a signed address, which expires.
    if not reads.count and (
        not storage.keeps_public_copies()
        or all(storage.is_public(obj) for obj in objects if obj is not None)
    ):
        cache.set(key, str(text), seconds)
    return text

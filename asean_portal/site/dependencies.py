"""What a public page shows, and which pages a change makes out of date.

While a page renders for the page cache, two things are recorded:

- every table its queries read gives a *type* tag (``events.announcement``):
  the page depends on which rows of that type exist, are live and in which
  order (a list, a count, "previous/next", an empty "related" block);
- every object it loads gives an *object* tag (``events.announcement:42``):
  the page shows something of that object (a title, a link, a date).

Each tag has a version in the cache. A stored page keeps the versions it was
rendered with and is served only while they are all current. A change moves:

- the object's tag, always;
- its type's tag when the change can move the object in or out of a list or
  within one: a creation, a deletion, a transition, a change of relations, or a
  save that touches anything but the columns that only change how the object
  looks (its translated texts and slugs, its English state, its correction
  note; ``display_columns``). A text correction of one news item therefore
  leaves every page that does not show that item cached.

A read of only some rows of a type (scopes.reading: the item at an address,
the items of its category, the items just before and after it in time)
records *scope* tags instead of the type's (``events.announcement|category_id=3``,
``events.announcement|publish_at=2025-11-30`` by day, and
``events.announcement|*``); a read declared for fields that the model's
``read_scopes`` names together records tags of the values together
(``events.announcement|category_id=3&publish_at=2025-11-30``). A change moves
the scope tags of the values the object held before it and holds now, for
every field and combination in the model's ``read_scopes`` when it moves the
type's tag, else for those it changed (a new slug); a change whose earlier
values are not known moves ``|*``. A publication therefore leaves cached the
pages of the other items of its type, except those it now neighbours or
appears among the earlier news of its category on. The objects that a read
loads with its rows (scopes.loading: a news item's category and meeting,
select_related) count by their object tags, not by their types' tags, unless
their table is joined for something else too.

Search pages read the search index, whose tag moves whenever a searchable
object is indexed again.

A front cache (the caching proxy, a CDN) cannot ask which tags a page
recorded, so the same map tells it by address: while a front cache is
configured, the address of each page rendered for it is remembered under every
tag the page recorded (``remember_page``: a set of paths per tag, in Redis);
when a change commits, ``tags_moved`` is sent with the tags it moved, and the
front cache is purged of exactly the pages remembered under them
(``pages_showing``; site/frontcache.py, through a task).
"""

import contextlib
import hashlib
import itertools
import logging
import re
import secrets
import time
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache

from django.apps import apps
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_init
from django.dispatch import Signal

from asean_portal.core import scopes
from asean_portal.core.declarations import public_models

from . import nearcache

logger = logging.getLogger(__name__)

TAG_PREFIX = "portal:tag:"
# Moves on every change: a page rendered while it moved is not stored.
CHANGES_KEY = "portal:changes"
# A change moves the count by a random step up to this: should Redis lose its
# last writes (a restart from its append-only file, a replica taking over),
# the count goes back, and the next changes must not give it again the values
# that a process remembered pages by (pagecache.still_current).
CHANGES_STEP = 2**31

_reads = ContextVar("portal_page_reads", default=None)
TABLE = re.compile(r'(?:FROM|JOIN)\s+"([^"]+)"', re.IGNORECASE)


def type_tag(model):
    return model._meta.label_lower


def object_tag(model, pk):
    return f"{model._meta.label_lower}:{pk}"


def scope_tag(model, field, value):
    return combined_tag(model, {field: _scope_value(value)})


def combined_tag(model, names):
    """The tag of the rows whose fields hold the values ``names`` gives
    ({field: a value's name in a tag}), all of them at once."""
    pairs = "&".join(f"{field}={name}" for field, name in sorted(names.items()))
    return f"{model._meta.label_lower}|{pairs}"


def any_scope_tag(model):
    """Recorded by every scoped read of the type; moved by a change whose
    earlier values are not known."""
    return f"{model._meta.label_lower}|*"


# A value kept as it is in a scope tag; others (a slug as typed, before it is
# cleaned) go by a digest, so that every tag is a safe cache key.
PLAIN_VALUE = re.compile(r"[A-Za-z0-9._:+-]{1,64}")


def _scope_value(value):
    """A value's name in a scope tag: a date and time counts by its day (UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if PLAIN_VALUE.fullmatch(text):
        return text
    return "#" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:24]


@cache
def scope_fields(model):
    """The fields a read of ``model`` may be declared for; none for a model
    whose changes are not followed."""
    if not tracked(model):
        return frozenset()
    declared = getattr(model, "read_scopes", ())
    return frozenset(
        name for entry in declared for name in ((entry,) if isinstance(entry, str) else entry)
    )


@cache
def scope_groups(model):
    """The sets of fields whose values a change moves a tag of: each scope
    field alone, and the fields ``read_scopes`` names together (a tuple): a
    read of those depends on the rows that hold all the values, not on every
    row that holds one of them."""
    groups = {frozenset({name}) for name in scope_fields(model)}
    declared = getattr(model, "read_scopes", ()) if tracked(model) else ()
    return frozenset(
        groups | {frozenset(entry) for entry in declared if not isinstance(entry, str)}
    )


# A scoped range longer than this counts as a read of the whole type.
LONGEST_SCOPED_DAYS = 62


def _value_names(value):
    """The names in tags of a declared value: its own, or a day's each for a
    ``(start, end)`` range; None for a range without an end or longer than
    LONGEST_SCOPED_DAYS."""
    if not isinstance(value, tuple):
        return [_scope_value(value)]
    if None in value:
        return None
    first, last = sorted(
        moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
        for moment in value
    )
    days = (last - first).days
    if days > LONGEST_SCOPED_DAYS:
        return None
    return [(first + timedelta(days=n)).isoformat() for n in range(days + 1)]


def read_tags(model, values):
    """The tags of a read declared with scopes.reading(model, **values).

    A value that cannot be named (a range without an end, or a long one) is
    left out: the read is within the other values. Values of a declared
    combination give the tags of the combination; others give a tag each (a
    change of a row holding any of them makes the page out of date)."""
    if not values or not set(values) <= scope_fields(model):
        return {type_tag(model)}
    named = {field: _value_names(value) for field, value in values.items()}
    named = {field: names for field, names in named.items() if names is not None}
    if not named:
        return {type_tag(model)}
    tags = {any_scope_tag(model)}
    if len(named) > 1 and frozenset(named) in scope_groups(model):
        fields = sorted(named)
        for names in itertools.product(*(named[field] for field in fields)):
            tags.add(combined_tag(model, dict(zip(fields, names, strict=True))))
        return tags
    for field, names in named.items():
        tags.update(combined_tag(model, {field: name}) for name in names)
    return tags


@lru_cache(maxsize=1)
def table_tags():
    """{table name: type tags}: a many-to-many table stands for both sides."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.auto_created:
            found[model._meta.db_table] = tuple(
                type_tag(field.related_model)
                for field in model._meta.concrete_fields
                if field.is_relation
            )
        else:
            found[model._meta.db_table] = (type_tag(model),)
    return found


@cache
def tracked(model):
    return model in set(public_models())


@cache
def display_columns(model):
    """The columns whose change alters how an object looks, never where it
    appears: these move only the object's own tag."""
    columns = set(getattr(model, "tracked_columns", list)())
    columns |= {"english_state", "english_basis", "english_label", "english_source"}
    # The stored address, dates and summaries follow the columns they are
    # computed from: those decide whether a change moves the type's tag.
    columns |= {"updated_at", "revised_at", "display"}
    columns |= {
        f"{name}_{language}"
        for name in ("change_note", "withdrawal_reason")
        for language in ("vi", "en")
    }
    # The untranslated column of a translated field (django-modeltranslation
    # keeps it, holding the default language's text) follows its translations.
    columns |= {
        name
        for name in {column.rsplit("_", 1)[0] for column in columns}
        if all(f"{name}_{language}" in columns for language in ("vi", "en"))
    }
    ordering = ordering_names(model)
    if ordering is None:
        return frozenset()
    concrete = {field.attname for field in model._meta.concrete_fields}
    return frozenset((columns & concrete) - ordering)


def ordering_names(model):
    """The fields a model's default ordering reads, or None when an entry is an
    expression that names none (then no column is display-only)."""
    names = set()
    for entry in model._meta.ordering:
        if isinstance(entry, str):
            names.add(entry.lstrip("-"))
            continue
        name = getattr(getattr(entry, "expression", entry), "name", None)
        if name is None:
            return None
        names.add(name)
    return names


def _record_table(execute, sql, params, many, context):
    reads = _reads.get()
    if reads is not None:
        known = table_tags()
        # A declared read of a type records its scope tags (recording()), and
        # the objects it loads with its rows record their own tags (_loaded).
        scoped = scopes.reading_model()
        scoped = scoped._meta.db_table if scoped is not None else None
        loaded = {model._meta.db_table for model in scopes.loading_models()}
        tables = TABLE.findall(sql)
        for table in tables:
            if table == scoped:
                continue
            # A table joined twice is read for something else too.
            if table not in loaded or tables.count(table) > 1:
                reads.update(known.get(table, ()))
    return execute(sql, params, many, context)


def _loaded(sender, instance, **kwargs):
    if not tracked(sender):
        return
    # What the object held when it was read: a later save compares with it.
    instance._portal_loaded = {
        name: value for name, value in instance.__dict__.items() if not name.startswith("_")
    }
    reads = _reads.get()
    if reads is not None and instance.pk is not None:
        reads.add(object_tag(sender, instance.pk))


post_init.connect(_loaded, dispatch_uid="page-dependencies-loaded")


@contextlib.contextmanager
def recording():
    """Collect the tags of what the code inside reads; yields the set."""
    reads = set()
    token = _reads.set(reads)
    try:
        with scopes.collecting() as declared, connection.execute_wrapper(_record_table):
            yield reads
            for model, values in declared:
                reads.update(read_tags(model, values))
    finally:
        _reads.reset(token)


def record(tags):
    """Count ``tags`` among what the page being rendered shows (a part of it
    kept elsewhere, such as a stored sitemap section, that reads no table)."""
    reads = _reads.get()
    if reads is not None:
        reads.update(tags)


def changes():
    value = django_cache.get(CHANGES_KEY)
    if value is None:
        value = time.time_ns()
        django_cache.add(CHANGES_KEY, value, None)
        value = django_cache.get(CHANGES_KEY, value)
    return value


def versions(tags):
    """The current version of each tag; a tag the cache does not hold gets one."""
    keys = {TAG_PREFIX + tag: tag for tag in tags}
    found = django_cache.get_many(list(keys)) or {}
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        for key, value in missing.items():
            django_cache.add(key, value, None)
        found.update(django_cache.get_many(list(missing)) or {})
    return {keys[key]: found.get(key) for key in keys}


def current(recorded):
    """Whether the versions a page was rendered with are all still current."""
    if not recorded:
        return True
    found = django_cache.get_many([TAG_PREFIX + tag for tag in recorded]) or {}
    return all(found.get(TAG_PREFIX + tag) == value for tag, value in recorded.items())


def move(tags):
    """Out of date: every page that recorded one of ``tags``, now and again
    when the change commits (a page rendered from the data as it was before
    the commit must not be kept)."""
    _move(tags)
    transaction.on_commit(lambda: _move(tags))
    transaction.on_commit(lambda: tags_moved.send(sender=move, tags=frozenset(tags)))


def _move(tags):
    now = time.time_ns()
    keys = [TAG_PREFIX + tag for tag in tags]
    step = secrets.randbelow(CHANGES_STEP) + 1
    if nearcache.move(keys, step, now):
        return
    django_cache.set_many(dict.fromkeys(keys, now), None)
    try:
        django_cache.incr(CHANGES_KEY, step)
    except ValueError:
        django_cache.set(CHANGES_KEY, now, None)


def changed_columns(instance):
    """The columns a save changed, or None when that is not known (a new
    object, or one that was not read through the ORM)."""
    loaded = getattr(instance, "_portal_loaded", None)
    if not loaded or loaded.get(instance._meta.pk.attname) is None:
        return None
    return {
        name
        for name, value in instance.__dict__.items()
        if not name.startswith("_") and name in loaded and loaded[name] != value
    }


def content_changed(model, instance, deleted, relation=False, created=False):
    tags = {type_tag(model)}
    if instance is not None and instance.pk is not None:
        tags.add(object_tag(model, instance.pk))
        changed = None if deleted or relation else changed_columns(instance)
        if changed is not None and changed <= display_columns(model):
            tags.discard(type_tag(model))
        tags |= moved_scopes(model, instance, changed, type_tag(model) in tags, created)
        # The next save of the same object compares with what this one wrote.
        instance._portal_loaded = {
            name: value for name, value in instance.__dict__.items() if not name.startswith("_")
        }
    elif scope_fields(model):
        tags.add(any_scope_tag(model))
    move(tags)


def moved_scopes(model, instance, changed, moves_type, created):
    """The scope tags a change of ``instance`` moves: those of the values it
    held when it was read and holds now, for every scope field when the change
    may move it in or out of a read or within one, else for the fields it
    changed. Earlier values that are not known move ``|*``."""
    fields = scope_fields(model)
    if not fields:
        return set()
    loaded = getattr(instance, "_portal_loaded", None) or {}
    known = created or loaded.get(model._meta.pk.attname) is not None
    names = fields if moves_type or changed is None else fields & changed
    tags = set()
    for group in scope_groups(model):
        if not group & names:
            continue
        if not group <= instance.__dict__.keys() or (
            known and not created and not group <= loaded.keys()
        ):
            return {any_scope_tag(model)}  # not read, or not read then
        tags.add(_group_tag(model, group, instance.__dict__))
        if group <= loaded.keys():
            tags.add(_group_tag(model, group, loaded))
    if not known:
        tags.add(any_scope_tag(model))
    return tags


def _group_tag(model, group, values):
    return combined_tag(model, {name: _scope_value(values[name]) for name in group})


def transition(model, pk):
    """A publication or withdrawal (or a revision's new time) of the object
    ``pk``: its scopes are those of its values now (a transition changes its
    state, not the fields it is scoped by)."""
    tags = {type_tag(model), object_tag(model, pk)}
    fields = scope_fields(model)
    if fields:
        try:
            row = model._base_manager.filter(pk=pk).values(*sorted(fields)).first()
        except DatabaseError:
            row = None
        if row is None:
            tags.add(any_scope_tag(model))
        else:
            tags |= {_group_tag(model, group, row) for group in scope_groups(model)}
    move(tags)


def index_changed(entry_model):
    move({type_tag(entry_model)})


# --- Addresses for a front cache ---------------------------------------------

# Sent when a change has committed, with the ``tags`` it moved.
tags_moved = Signal()
PATHS_PREFIX = "portal:paths:"


def _remembered_seconds():
    """As long as the page cache or a front cache may keep a page."""
    return max(settings.PAGE_CACHE_SECONDS, settings.PAGE_BROWSER_SECONDS, 1)


def _redis():
    """The cache's Redis client, or None when the cache is not on Redis."""
    if not hasattr(django_cache, "client") or not hasattr(django_cache.client, "get_client"):
        return None
    return django_cache.client.get_client(write=True)


def remember_page(tags, path):
    """The page at ``path`` (its language is in it) shows what ``tags`` name:
    a change that moves one of them purges it from the front cache. Nothing is
    kept without a front cache; a cache that is down only loses the entry (the
    front cache's copy expires by itself)."""
    if not tags or not settings.FRONTEND_CACHE_BACKENDS:
        return
    seconds = _remembered_seconds()
    try:
        client = _redis()
        if client is not None:
            pipe = client.pipeline(transaction=False)
            for tag in tags:
                key = django_cache.make_key(PATHS_PREFIX + tag)
                pipe.sadd(key, path)
                pipe.expire(key, seconds)
            pipe.execute()
            return
        for tag in tags:
            paths = django_cache.get(PATHS_PREFIX + tag) or set()
            if path not in paths:
                django_cache.set(PATHS_PREFIX + tag, {*paths, path}, seconds)
    except Exception as exc:  # noqa: BLE001 - a cache outage never fails a page
        logger.warning("could not remember the page %s: %r", path, exc)


def pages_showing(tags):
    """The paths of the pages remembered under any of ``tags``."""
    if not tags:
        return set()
    client = _redis()
    if client is not None:
        keys = [django_cache.make_key(PATHS_PREFIX + tag) for tag in tags]
        try:
            found = client.sunion(keys)
        except Exception as exc:
            # An OSError: the purge task tries again later.
            raise ConnectionError(f"could not read the pages to purge: {exc!r}") from exc
        return {path.decode() for path in found}
    found = django_cache.get_many([PATHS_PREFIX + tag for tag in tags]) or {}
    return set().union(*found.values())

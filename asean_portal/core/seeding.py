"""How a content type is seeded: each app's ``seed.py`` registers functions
with ``@seeder(step)``; the loader runs them in step order, in one
transaction, over the data of the seed files.

An item is found again by a natural key (ISO code, series code, or the
Vietnamese slug, old slugs included), so a second run changes nothing. An
item that exists is left as editors made it, unless ``update`` is asked for.
Seeders of different apps meet through ``loader.known`` (by model label and
key), not by importing each other.
"""

from collections import Counter, defaultdict

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import autodiscover_modules

from .content import SlugHistory
from .publishing import item_publish_seeded
from .richtext import RichTextField, sanitize_html

# (step, function) of every registered seeder.
_seeders = []


def seeder(step):
    """Register ``function(loader, data)`` to run at ``step`` (lower first)."""

    def register(function):
        _seeders.append((step, function))
        return function

    return register


def translated(item, *names):
    """{'title': {'vi': …, 'en': …}} -> {'title_vi': …, 'title_en': …}."""
    values = {}
    for name in names:
        value = item.get(name) or {}
        values[f"{name}_vi"] = value.get("vi", "")
        values[f"{name}_en"] = value.get("en", "")
    return values


def labels(item):
    return {
        "english_label": item.get("english_label", ""),
        "english_source": item.get("english_source", ""),
    }


def publication(item, default=None):
    """How a seed item was published, as keyword arguments of
    ``SeedLoader.upsert``: its historic time (``publish_at``, an ISO time
    with its zone, or ``default``) and, for an item whose English is missing
    or outdated, the choice that was made (``english: notice`` or ``hold``,
    see asean_portal.core.publishing.english_release)."""
    value = item.get("publish_at", default)
    moment = parse_datetime(value) if value else None
    if value and (moment is None or moment.tzinfo is None):
        raise ValueError(f"publish_at must be an ISO time with its zone, got {value!r}")
    return {"published_at": moment, "english": item.get("english")}


class SeedLoader:
    def __init__(self, update=False):
        self.update = update
        self.stats = Counter()
        # {model label: {key: object}}: what the seeders loaded so far.
        self.known = defaultdict(dict)

    def load(self, data):
        autodiscover_modules("seed")
        with transaction.atomic():
            for _step, function in sorted(_seeders, key=lambda entry: entry[0]):
                function(self, data)
        return self.stats

    def find(self, model, **lookup):
        if "slug_vi" in lookup:
            slug = lookup["slug_vi"]
            obj = model._default_manager.filter(slug_vi=slug).first()
            if obj is None:
                object_id = SlugHistory.find(model, "vi", slug)
                if object_id is not None:
                    obj = model._default_manager.filter(pk=object_id).first()
            return obj
        return model._default_manager.filter(**lookup).first()

    def upsert(self, model, lookup, values, published_at=None, english=None):
        """The object found by ``lookup``, created or (with ``update``)
        brought in line with ``values``; remembered under its lookup value.

        A new object with a ``published_at`` time is published through the
        publishing transition (item_publish_seeded), with its event; the
        publication state of an object that exists is left to the
        transitions."""
        # Compare rich text as it will be stored: sanitized.
        values = {
            name: sanitize_html(value)
            if isinstance(model._meta.get_field(name), RichTextField)
            else value
            for name, value in values.items()
        }
        obj = self.find(model, **lookup)
        name = model._meta.model_name
        if obj is None:
            obj = model(**lookup, **values)
            obj.save()
            if published_at is not None:
                item_publish_seeded(item=obj, at=published_at, english=english)
            self.stats[f"{name} created"] += 1
        elif self.update and any(getattr(obj, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(obj, field, value)
            obj.save()
            self.stats[f"{name} updated"] += 1
        else:
            self.stats[f"{name} unchanged"] += 1
        (key,) = lookup.values()
        self.known[model._meta.label][key] = obj
        return obj

    def set_m2m(self, manager, objects):
        wanted = {obj.pk for obj in objects}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(objects)

"""Display values: what the public pages show of an item that costs a
computation on every render (its address in each language, its dates as the
templates format them, the plain-text summaries of its lists), computed once
when the item is written and stored on its row, in its ``display`` column.

A content type declares its values in ``display_values`` (Url, Posted, Date,
Summary below). Its save() computes them; so do the paths that change what
they depend on without save() (``refresh``). Each value is stored for each
language with the *basis* it was computed from (the slug, the date, a digest
of the text), and the row holds a fingerprint of the deployment (URL patterns,
date formats, time zone). A page uses a stored value only while the loaded row
still has that basis and the fingerprint is the current one; otherwise it
computes the value as the templates did before. A row written by a path that
did not compute its values (a bulk UPDATE, a bulk insert, pending changes
shown in memory) is never shown wrong, only computed.

Stored shape: {"v": fingerprint, "vi": {name: [value, basis]}, "en": {...}}.
"""

import hashlib
from functools import cache, lru_cache

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .content import LANGUAGES

# Changes when what a value holds changes shape: every stored value is then
# computed again on render until refresh() writes it.
SCHEMA = 1


def _micros(moment):
    """An instant as an integer: equal for equal instants in any time zone."""
    return round(moment.timestamp() * 1_000_000)


def _digest(text):
    return hashlib.blake2b((text or "").encode("utf-8"), digest_size=8).hexdigest()


def _translated_text(obj, name, language):
    """translated_value() without modeltranslation's accessors, so that the
    historical models of a migration compute the same."""
    return getattr(obj, f"{name}_{language}", None) or getattr(obj, f"{name}_vi", "") or ""


class Value:
    """One display value of a type. ``compute`` runs with ``language`` active."""

    name = ""
    # Formatted in the current time zone: only the default one uses the stored value.
    zoned = False

    def fields(self, language):
        """The columns the value is computed from."""
        raise NotImplementedError

    def basis(self, obj, language):
        raise NotImplementedError

    def compute(self, obj, language):
        raise NotImplementedError

    def probe(self):
        """What the value looks like in this deployment, for the fingerprint."""
        return ""


class Url(Value):
    """The item's address: ``pattern`` reversed with its slug in the language
    (the Vietnamese slug when it has none, as modeltranslation falls back)."""

    name = "url"

    def __init__(self, pattern):
        self.pattern = pattern

    def fields(self, language):
        return (f"slug_{language}", f"slug_{settings.LANGUAGE_CODE}")

    def basis(self, obj, language):
        return _translated_text(obj, "slug", language)

    def compute(self, obj, language):
        return reverse(self.pattern, kwargs={"slug": self.basis(obj, language)})

    def probe(self):
        return reverse(self.pattern, kwargs={"slug": "probe"})


class Posted(Value):
    """When the item was posted, as the ``posted`` tag shows it: [datetime
    attribute, text] in Hanoi time; the date alone when the source gives only
    the day."""

    name = "posted"
    zoned = True

    def fields(self, language):
        return ("publish_at", "posted_time_known")

    def basis(self, obj, language):
        at = obj.publish_at
        return [_micros(at) if at else None, bool(getattr(obj, "posted_time_known", True))]

    def compute(self, obj, language):
        return posted_parts(obj)

    def probe(self):
        return [formats.get_format(name) for name in ("SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT")]


def posted_parts(item):
    """[datetime attribute, text] of when ``item`` was posted, or None."""
    at = getattr(item, "publish_at", None)
    if at is None:
        return None
    local = timezone.localtime(at)
    if getattr(item, "posted_time_known", True):
        return [local.isoformat(), formats.date_format(local, "SHORT_DATETIME_FORMAT")]
    return [local.date().isoformat(), formats.date_format(local, "SHORT_DATE_FORMAT")]


class Date(Value):
    """A date field as ``{{ value|date:"DATE_FORMAT" }}`` shows it ("" when empty)."""

    def __init__(self, field, format="DATE_FORMAT"):
        self.name = self.field = field
        self.format = format

    def fields(self, language):
        return (self.field,)

    def basis(self, obj, language):
        value = getattr(obj, self.field)
        return value.isoformat() if value else None

    def compute(self, obj, language):
        value = getattr(obj, self.field)
        return formats.date_format(value, self.format) if value else ""

    def probe(self):
        return formats.get_format(self.format)


class Summary(Value):
    """A translated text field as ``{{ text|truncatewords:words }}`` shows it,
    from the text the page shows (the Vietnamese when the English is missing)."""

    def __init__(self, name, field, words):
        self.name = name
        self.field = field
        self.words = words

    def fields(self, language):
        return (f"{self.field}_{language}", f"{self.field}_{settings.LANGUAGE_CODE}")

    def basis(self, obj, language):
        return _digest(_translated_text(obj, self.field, language))

    def compute(self, obj, language):
        return Truncator(_translated_text(obj, self.field, language)).words(
            self.words, truncate=" …"
        )


@cache
def specs(model):
    """{name: Value} that ``model`` declares."""
    return {spec.name: spec for spec in getattr(model, "display_values", ())}


@lru_cache(maxsize=1)
def fingerprint():
    """Changes with what a deployment changes in a display value: the URL
    patterns and date formats of each language, the time zone, the schema."""
    parts = [str(SCHEMA), settings.TIME_ZONE]
    for language in LANGUAGES:
        with translation.override(language):
            for model in displayed_models():
                parts.extend(repr(spec.probe()) for spec in model.display_values)
    return hashlib.blake2b("|".join(parts).encode("utf-8"), digest_size=8).hexdigest()


def _settings_changed(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "TIME_ZONE", "LANGUAGES", "FORMAT_MODULE_PATH", "USE_L10N"):
        fingerprint.cache_clear()


setting_changed.connect(_settings_changed)


def displayed_models():
    return sorted(
        (
            model
            for model in apps.get_models()
            if issubclass(model, Displayed) and not model._meta.abstract
        ),
        key=lambda model: model._meta.label_lower,
    )


def compute(obj, declared=None):
    """Every display value of ``obj`` in every language, to store. A value
    that cannot be computed yet (a draft without a slug) is left out: the page
    computes it, as it did before."""
    stored = {"v": fingerprint()}
    for language in LANGUAGES:
        with translation.override(language):
            values = {}
            for spec in declared or obj.display_values:
                try:
                    values[spec.name] = [spec.compute(obj, language), spec.basis(obj, language)]
                except (AttributeError, NoReverseMatch):
                    continue
            stored[language] = values
    return stored


def _loaded(obj, spec, language):
    return all(field in obj.__dict__ for field in spec.fields(language))


def value(obj, name, language=None):
    """The display value ``name`` of ``obj`` in ``language`` (default: the
    current one): the stored value while it is current (module docstring),
    otherwise computed now."""
    current = translation.get_language()
    language = language or current
    spec = specs(type(obj))[name]
    stored = obj.__dict__.get("display")
    if (
        stored
        and stored.get("v") == fingerprint()
        and (not spec.zoned or timezone.get_current_timezone_name() == settings.TIME_ZONE)
        and _loaded(obj, spec, language)
    ):
        entry = stored.get(language, {}).get(name)
        if entry is not None and entry[1] == spec.basis(obj, language):
            return entry[0]
    if language == current:
        return spec.compute(obj, language)
    with translation.override(language):
        return spec.compute(obj, language)


def refresh(model, pks=None, batch_size=500, stale_only=False):
    """Compute and write the display values of ``model``'s rows (those of
    ``pks``, or all; with ``stale_only``, those stored under another
    fingerprint): after an UPDATE that changed what they depend on, or a
    deployment that changed the fingerprint. Writes only ``display``."""
    queryset = model._default_manager.order_by("pk")
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    if stale_only:
        queryset = queryset.exclude(display__v=fingerprint())
    changed = 0
    batch = []
    for obj in queryset.iterator(chunk_size=batch_size):
        fresh = compute(obj)
        if fresh != obj.display:
            obj.display = fresh
            batch.append(obj)
        if len(batch) >= batch_size:
            changed += len(batch)
            model._default_manager.bulk_update(batch, ["display"])
            batch = []
    if batch:
        changed += len(batch)
        model._default_manager.bulk_update(batch, ["display"])
    return changed


def refresh_after_migrate(*, using, plan=None, verbosity=1, stdout=None, **kwargs):
    """post_migrate: write again the values of the rows stored under another
    fingerprint, so that after a deployment that changed URL patterns, date
    formats or the time zone no page computes them on each render until
    someone runs refresh_display_values. Not after a migration backwards,
    which may leave tables without the column."""
    if using != DEFAULT_DB_ALIAS or any(backwards for _migration, backwards in plan or ()):
        return
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    for model in displayed_models():
        table = model._meta.db_table
        if table not in tables:
            continue
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, table)
        if "display" not in {column.name for column in columns}:
            continue
        changed = refresh(model, stale_only=True)
        if changed and verbosity and stdout is not None:
            stdout.write(f"  Display values written again: {model._meta.label}, {changed} rows\n")


def fill_historical(apps_registry, label, batch_size=500):
    """For data migrations: compute the display values of every row of the
    historical model ``label`` with the values the current model declares."""
    model = apps_registry.get_model(label)
    declared = apps.get_model(label).display_values
    batch = []
    for obj in model._default_manager.order_by("pk").iterator(chunk_size=batch_size):
        obj.display = compute(obj, declared)
        batch.append(obj)
        if len(batch) >= batch_size:
            model._default_manager.bulk_update(batch, ["display"])
            batch = []
    if batch:
        model._default_manager.bulk_update(batch, ["display"])


class Displayed(models.Model):
    """Abstract base of a type with stored display values. List it after the
    bases whose save() fills what the values read (the slugs)."""

    display = models.JSONField(_("display values"), default=dict, blank=True, editable=False)

    display_values: tuple[Value, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.display = compute(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "display"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return value(self, "url")

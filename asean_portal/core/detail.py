"""Finding a public object by its slug in the current language: the one
helper every detail view calls, which also answers for items taken off the
site (410) and for old or other-language addresses (301)."""

import copy

import reversion
from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from reversion.errors import RevertError
from reversion.models import Version

from . import scopes
from .content import LANGUAGES, SlugHistory
from .publishing import Publishable, Status
from .relations import show_to_public
from .revisions import materialize, open_revision, pending_rows


def withdrawn_by_slug(queryset, slug):
    if not issubclass(queryset.model, Publishable):
        return None
    lookup = Q()
    for language in LANGUAGES:
        lookup |= Q(**{f"slug_{language}": slug})
        # The address the public knew, should the slug have changed since.
        object_id = SlugHistory.find(queryset.model, language, slug)
        if object_id is not None:
            lookup |= Q(pk=object_id)
    return (
        queryset.model.objects.filter(lookup, status=Status.ARCHIVED, withdrawn_at__isnull=False)
        .order_by("-withdrawn_at")
        .first()
    )


def as_withdrawn(item):
    """The item as the public last read it: its content from the last version
    saved before its withdrawal (django-reversion), so that edits made since
    (say, to prepare it again) never show on its withdrawn page. The
    withdrawal's time and reason are the item's own: they belong to the notice.
    Without such a version (or history), the item as it is."""
    if not reversion.is_registered(type(item)):
        return item
    version = (
        Version.objects.get_for_object(item)
        .filter(revision__date_created__lte=item.withdrawn_at)
        .order_by("-revision__date_created", "-pk")
        .first()
    )
    if version is None:
        return item
    try:
        then = version.field_dict
    except RevertError:
        return item  # a version the model's present fields cannot read
    snapshot = copy.copy(item)
    for field in type(item)._meta.concrete_fields:
        kept = field.name == "withdrawn_at" or field.name.startswith("withdrawal_reason")
        if not kept and field.attname in then:
            setattr(snapshot, field.attname, then[field.attname])
    return snapshot


def visible_queryset(request, queryset):
    """The public sees live() objects; staff who may view the model also see
    drafts and scheduled items, marked as not public."""
    if not issubclass(queryset.model, Publishable):
        return queryset, False  # reference data (countries, categories) is always public
    opts = queryset.model._meta
    user = request.user
    if user.is_authenticated and user.is_staff:
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return queryset, True
    return queryset.live(), False


def with_pending_changes(obj, preview):
    """For staff, an item with pending changes shows them (at its live
    address) and carries ``pending_revision`` for the page's banner."""
    if preview and isinstance(obj, Publishable):
        revision = open_revision(obj)
        if revision is not None:
            slugs = {language: getattr(obj, f"slug_{language}") for language in LANGUAGES}
            links, _columns = materialize(revision, obj)
            for language, value in slugs.items():
                setattr(obj, f"slug_{language}", value)
            with_pending_links(obj, links)
            obj.pending_revision = revision
    return obj


def with_pending_links(obj, links):
    """The many-to-many managers of ``obj`` read its pending links ({name:
    pks}) instead of the stored ones: they are given as the manager's
    prefetched rows, a query not yet run, so that a view's filtering and
    ordering (and the public rule of relations.py) apply to them as usual."""
    cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, pks in links.items():
        field = obj._meta.get_field(name)
        cache[name] = field.related_model._default_manager.filter(pk__in=pks)


def shown_rows(obj, accessor, rows, key=None):
    """The rows of ``obj``'s inline ``accessor`` that its page shows: the live
    ``rows`` (a queryset), or on a staff preview of pending changes the rows
    as they will be (sorted by ``key`` when given: new rows have no place in
    the query's order)."""
    revision = getattr(obj, "pending_revision", None)
    if revision is None:
        return rows
    result = pending_rows(revision, obj, accessor, rows)
    return sorted(result, key=key) if key else result


def find_by_slug(request, queryset, slug):
    """Return (object, answer, staff preview?); a view returns ``answer``
    when there is one.

    An object is found by its slug in the page's language; ``answer`` is None.
    A slug of the other language, or an old slug: the object, and a permanent
    redirect to its current address. An item that was public and has been
    withdrawn: no object, and a "withdrawn" page (410 Gone) with the reason.
    Anything else is a 404.
    """
    obj, answer, preview = _find(request, queryset, slug)
    if obj is not None:
        # Its related objects are shown only when public, on staff previews
        # too: a preview shows what the public will see.
        show_to_public([obj])
    return obj, answer, preview


def joined_models(queryset):
    """The models whose objects ``queryset`` loads with its rows
    (select_related by name)."""
    found = []

    def follow(model, relations):
        for name, deeper in relations.items():
            related = model._meta.get_field(name).related_model
            found.append(related)
            follow(related, deeper)

    if isinstance(queryset.query.select_related, dict):
        follow(queryset.model, queryset.query.select_related)
    return found


def _find(request, queryset, slug):
    queryset, preview = visible_queryset(request, queryset)
    language = get_language()
    lookup = {f"slug_{language}": slug}
    with scopes.reading(queryset.model, **lookup), scopes.loading(*joined_models(queryset)):
        obj = queryset.filter(**lookup).first()
    if obj is not None:
        return with_pending_changes(obj, preview), None, preview
    candidates = [f"slug_{other}" for other in LANGUAGES if other != language]
    for field in candidates:
        obj = queryset.filter(**{field: slug}).first()
        if obj is not None:
            break
    if obj is None:
        for lang in (language, *[lang for lang in LANGUAGES if lang != language]):
            object_id = SlugHistory.find(queryset.model, lang, slug)
            if object_id is not None:
                obj = queryset.filter(pk=object_id).first()
                if obj is not None:
                    break
    if obj is None:
        withdrawn = withdrawn_by_slug(queryset, slug)
        if withdrawn is not None:
            context = {"object": as_withdrawn(withdrawn)}
            return None, render(request, "withdrawn.html", context, status=410), False
        raise Http404
    target = obj.get_absolute_url()
    if target == request.path:
        # The English page of an item without an English slug uses the
        # Vietnamese one.
        return with_pending_changes(obj, preview), None, preview
    return obj, HttpResponsePermanentRedirect(target), preview


def newest_related(obj, accessor, count):
    """The ``count`` newest public items of ``obj``'s reverse relation
    ``accessor`` (the news about a meeting), read as the items of ``obj``
    only: the page depends on them, not on every item of their type."""
    manager = getattr(obj, accessor)
    with scopes.reading(manager.model, **{manager.field.attname: obj.pk}):
        return list(manager.order_by("-publish_at")[:count])


def mark_preview(response, preview):
    if preview:
        add_never_cache_headers(response)
    return response

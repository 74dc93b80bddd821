"""Related objects are public only when they are public themselves.

An object shown to the public (fetched through ``live()``, or found by
``find_by_slug()``) is marked ``shown_to_public``. On such an object, every
relation to a Publishable type shows only public objects:

- a foreign key to an object that is not public (a draft ``part_of`` meeting,
  a withdrawn document's activity) reads as None;
- a reverse foreign key or many-to-many manager (a meeting's documents and
  news, a country's meetings, a priority's activities) returns only live()
  objects, prefetched ones included.

Related objects are judged at the moment they are read (a page renders in
milliseconds; the page cache never keeps a page past the next transition).

The rule holds for every relation of every model, present and future, with
no view having to remember it: ``install()`` (called once, from the
project's AppConfig.ready()) puts these descriptors on every relation whose
far side is Publishable. Objects that are not marked (the admin, the sweep,
the search index) see every related object, as before.

Required parents are the other half of the rule: a model's
``public_parents`` make live() itself hide the children of a parent that is
not live (asean_portal.core.publishing).
"""

from django.apps import apps
from django.db.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
)
from django.utils.functional import cached_property

from .publishing import Publishable


def show_to_public(objects):
    """Mark objects as shown to the public (see the module's docstring) and
    return them as a list."""
    objects = list(objects)
    for obj in objects:
        obj.shown_to_public = True
    return objects


def shown_to_public(obj):
    return getattr(obj, "shown_to_public", False)


class PublicForwardDescriptor(ForwardManyToOneDescriptor):
    """A foreign key that reads as None on a public object when the object it
    points to is not public."""

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if value is None or instance is None or not shown_to_public(instance):
            return value
        value.shown_to_public = True
        return value if value.is_public() else None


class PublicManager:
    """The related manager of a public object: live() objects only."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if not shown_to_public(self.instance):
            return queryset
        if queryset._result_cache is None:
            return queryset.live()
        # Prefetched: keep the fetched rows that are public.
        public = queryset._chain()
        public._result_cache = [obj for obj in show_to_public(queryset) if obj.is_public()]
        public._prefetch_done = True
        return public


class PublicManyMixin:
    @cached_property
    def related_manager_cls(self):
        base = super().related_manager_cls
        return type(f"Public{base.__name__}", (PublicManager, base), {})


class PublicReverseManyToOneDescriptor(PublicManyMixin, ReverseManyToOneDescriptor):
    pass


class PublicManyToManyDescriptor(PublicManyMixin, ManyToManyDescriptor):
    pass


def install():
    """Put the public descriptors on every relation to a Publishable model."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            target = field.related_model
            if not field.is_relation or not (
                isinstance(target, type) and issubclass(target, Publishable)
            ):
                continue
            if field.many_to_one and field.concrete:
                descriptor = model.__dict__.get(field.name)
                if type(descriptor) is ForwardManyToOneDescriptor:
                    setattr(model, field.name, PublicForwardDescriptor(field))
            elif field.one_to_many and field.auto_created:
                name = field.get_accessor_name()
                if name and type(model.__dict__.get(name)) is ReverseManyToOneDescriptor:
                    setattr(model, name, PublicReverseManyToOneDescriptor(field))
            elif field.many_to_many:
                reverse = field.auto_created
                name = field.get_accessor_name() if reverse else field.name
                if name and type(model.__dict__.get(name)) is ManyToManyDescriptor:
                    setattr(
                        model,
                        name,
                        PublicManyToManyDescriptor(
                            field if reverse else field.remote_field, reverse
                        ),
                    )

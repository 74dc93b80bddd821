"""Which rows of a type a read can see, declared where the read is made.

A page that lists items of a type depends on the whole type: any new,
withdrawn or reordered item may change it. A page that reads only some rows of
a type, those of one category, the item at an address, the items just before
and after it in time, depends only on those rows. A view says so:

    with scopes.reading(Announcement, category_id=category.pk):
        related = list(queryset)

    with scopes.reading(Announcement) as scope:
        found = list(queryset)
        scope["publish_at"] = (first.publish_at, last.publish_at)  # a range, known after

The queries inside read of ``Announcement`` only rows whose fields hold these
values (a value, or for a date and time a ``(start, end)`` range), and the
objects loaded with them. The fields must be among the model's
``read_scopes``: a change of an object moves the scopes of its old and new
values. The site turns the declaration into what the page depends on
(site/dependencies.py); a declaration it cannot name (a field not declared, a
range without an end) counts as a read of the whole type.

The objects loaded with the rows read (select_related) are declared with
``loading``: the page depends on them, not on their types.
"""

import contextlib
from contextvars import ContextVar

# The declarations of the page being recorded: a list, or None.
_declared = ContextVar("portal_read_scopes", default=None)
# The model whose rows the queries running now are declared for.
_reading = ContextVar("portal_reading_model", default=None)
# The models whose rows the queries running now read only as loaded objects.
_loading = ContextVar("portal_loading_models", default=frozenset())


@contextlib.contextmanager
def reading(model, **values):
    """Declare the rows of ``model`` that the queries inside read; yields the
    values, which the block may complete once it knows them."""
    scope = dict(values)
    token = _reading.set(model)
    try:
        yield scope
    finally:
        _reading.reset(token)
        declared = _declared.get()
        if declared is not None:
            declared.append((model, scope))


def reading_model():
    """The model whose reads the running query is declared for, or None."""
    return _reading.get()


@contextlib.contextmanager
def loading(*models):
    """The queries inside read rows of ``models`` only to load them with the
    rows they belong to (select_related): the page depends on the objects
    loaded, not on every row of their types."""
    token = _loading.set(frozenset(models))
    try:
        yield
    finally:
        _loading.reset(token)


def loading_models():
    """The models that the running query reads only as the objects it loads."""
    return _loading.get()


@contextlib.contextmanager
def collecting():
    """Collect the declarations of the code inside; yields the list of
    (model, values)."""
    declared = []
    token = _declared.set(declared)
    try:
        yield declared
    finally:
        _declared.reset(token)

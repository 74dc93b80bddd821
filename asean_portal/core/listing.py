"""What the public list pages share: safe pagination, year choices and filters."""

from functools import cache

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _

from .content import FIRST_YEAR, LAST_YEAR, in_languages

PAGE_SIZE = 20


def paginate(request, queryset, per_page=PAGE_SIZE):
    """A page of results; a page number that is not a number, too small or too
    large gives the nearest page instead of an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


YEAR_FIELD = {
    "min_value": FIRST_YEAR,
    "max_value": LAST_YEAR,
    "label": _("Year"),
    "error_messages": {"invalid": _("Enter a year in digits, for example 2022.")},
}


class YearFilter(django_filters.NumberFilter):
    """A year is a whole number: 2020.5 is "not understood", as "abc" is,
    and the field's input steps by one."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**YEAR_FIELD, **kwargs})


def filtered(request, filterset_class, queryset, **fixed):
    """Apply a FilterSet to live content; invalid values are ignored and
    reported on the page instead of failing. ``fixed``: values the page
    decides (a category page's category), shown chosen whatever the query
    says."""
    data = request.GET
    if fixed:
        # The page decides these: the query's are left out.
        data = data.copy()
        for name in fixed:
            data.pop(name, None)
    filterset = filterset_class(data or None, queryset=queryset, request=request)
    results = filterset.qs
    if fixed:
        # Shown chosen; the page's queryset already applies them.
        form = filterset.form
        form.initial.update(fixed)
        if form.is_bound:
            form.data = data.copy()
            for name, value in fixed.items():
                form.data[name] = value
    # Django's own widget templates in Jinja2: the same markup, rendered on
    # every uncached list page at a fraction of the cost (the admin keeps
    # Django templates).
    filterset.form.renderer = filter_renderer()
    return filterset, results


@cache
def filter_renderer():
    return Jinja2()


def reads_query(*names):
    """Declares the query parameters a public view reads. The page cache keys
    a page on those only (normalised), and keeps no page for a request that
    carries others, so that junk query strings cannot fill the cache."""

    def declare(view):
        view.query_params = frozenset(names)
        return view

    return declare


class ChoicesInOneQuery(django_filters.fields.ModelChoiceIterator):
    """A filter's choices (categories, countries) read with one plain query.
    Django reads them with iterator(), which on PostgreSQL opens a
    server-side cursor: three round trips (DECLARE, FETCH, CLOSE) for a few
    rows, on every uncached list page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = ChoicesInOneQuery


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ModelChoiceField


class SlugChoiceField(ModelChoiceField):
    """Choices named by their slug in the reader's language (the Vietnamese
    one where the English is missing). Either language's slug is understood,
    so that a filtered address still works once the reader switches
    language."""

    def prepare_value(self, value):
        if hasattr(value, "_meta"):
            return value.slug  # in the reader's language (django-modeltranslation)
        if isinstance(value, str) and value:
            # The other language's slug (an address from before a switch of
            # language) is shown as the choice it names. The choices are
            # read once: the options that follow use the same rows.
            for obj in self.queryset:
                if value in {getattr(obj, name) for name in in_languages("slug")}:
                    return obj.slug
        return super().prepare_value(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        either = Q()
        for name in in_languages("slug"):
            either |= Q(**{name: value})
        found = self.queryset.filter(either).first()
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class SlugChoiceFilter(ModelChoiceFilter):
    """A choice of translated objects (categories) by slug, in either language."""

    field_class = SlugChoiceField

"""Every public page without URL parameters, found from the URL configuration
itself so that a new page is covered by the tests as soon as it exists."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

# Pages that are not for reading: they redirect, or belong to staff.
NOT_PAGES = {
    "preferences",
    "civil_service:export_csv",
    "meetings:ics",
    "news:rss",
    "news:atom",
    # Staff only (tested in test_publishing_tools.py).
    "publishing_agenda",
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = pattern.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from _walk(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            regex = getattr(pattern.pattern, "_regex", "")
            if pattern.pattern.converters or "(?P" in regex:
                continue
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def public_page_names():
    names = []
    for pattern in get_resolver(settings.ROOT_URLCONF).url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            names.extend(name for name in _walk(pattern.url_patterns) if name not in NOT_PAGES)
    return sorted(names)

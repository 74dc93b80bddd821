"""What the open-data JSON endpoints of every app share: records with both
languages, ISO dates, the public pages' filters, and pages of 50."""

from django.http import JsonResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from .content import LANGUAGES
from .listing import filtered, paginate

API_PAGE_SIZE = 50


def both(obj, name):
    return {lang: getattr(obj, f"{name}_{lang}") or None for lang in LANGUAGES}


def urls(request, obj):
    found = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            found[lang] = request.build_absolute_uri(obj.get_absolute_url())
    return found


def moment(value):
    return timezone.localtime(value).isoformat() if value else None


def day(value):
    return value.isoformat() if value else None


def endpoint(filterset_class, queryset_factory, record):
    """A JSON list view of live objects: ``queryset_factory()`` must return a
    live() queryset; ``record(request, obj)`` makes one record."""

    @require_safe
    def view(request):
        filterset, rows = filtered(request, filterset_class, queryset_factory())
        page = paginate(request, rows, API_PAGE_SIZE)
        body = {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": [record(request, row) for row in page],
        }
        if filterset.errors:
            body["ignored_filters"] = {
                field: [str(error) for error in errors]
                for field, errors in filterset.errors.items()
            }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return view

import logging
import sys
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes.models import ContentType
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from asean_portal.core import revisions
from asean_portal.core.declarations import content_apps, public_models
from asean_portal.core.display import Displayed
from asean_portal.core.listing import paginate, query_without_page, reads_query
from asean_portal.core.publishing import PublicationEvent, Status, overdue, publishable_models
from asean_portal.core.publishing_admin import state_text
from asean_portal.ops import health

from . import preferences as prefs
from . import search as site_search

logger = logging.getLogger(__name__)

# Last resort when even the 500 template cannot render: both languages, no tags.
PLAIN_SERVER_ERROR = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Lỗi máy chủ / Server error</title></head>
<body><h1>Lỗi máy chủ</h1><p>Đã có lỗi xảy ra. Xin vui lòng thử lại sau ít phút.</p>
<h2 lang="en">Server error</h2><p lang="en">Something went wrong. Please try again in a few
minutes.</p></body></html>
"""


@require_safe
def home(request):
    """Each content app fills its part of the home page (home_sections)."""
    now = timezone.now()
    context = {}
    for config in content_apps():
        if config.home_sections:
            context.update(import_string(config.home_sections)(now))
    return render(request, "home.html", context)


@reads_query("q", "type", "year", "page")
@require_safe
def search(request):
    raw = request.GET.get("q", "").replace("\x00", " ").strip()
    notices = []
    if len(raw) > site_search.MAX_QUERY_LENGTH:
        raw = raw[: site_search.MAX_QUERY_LENGTH]
        notices.append(
            _("Your search was shortened to its first %(count)s characters.")
            % {"count": site_search.MAX_QUERY_LENGTH}
        )
    kind = request.GET.get("type", "")
    if kind and kind not in site_search.kinds():
        notices.append(_("The type of content asked for does not exist: all types are shown."))
        kind = ""
    year_text = request.GET.get("year", "").strip()
    # isdigit() alone also accepts digits such as "²" that int() refuses.
    four_digits = year_text.isascii() and year_text.isdigit() and len(year_text) == 4
    year = int(year_text) if four_digits else None
    if year_text and year is None:
        notices.append(
            _("The year was not understood (use four digits, e.g. 2022): all years are shown.")
        )
    results, terms = site_search.search(raw, kind=kind or None, year=year)
    if raw and not terms:
        notices.append(_("The search has no letters or digits to look for."))
    page = paginate(request, results)
    language = translation.get_language()
    context = {
        "capped": page.paginator.count >= site_search.MAX_RESULTS,
        "query": raw,
        "kind": kind,
        "year": year_text if year else "",
        "kinds": site_search.kinds().items(),
        "notices": notices,
        "terms": terms,
        "page": page,
        "hits": _hits(page, terms, language),
        "query_string": query_without_page(request),
    }
    return render(request, "search.html", context)


def _snippet_source(entry, language, terms):
    """The body to quote: this language's, unless only the other one holds
    the words searched for."""
    own = getattr(entry, f"body_{language}")
    if language == "vi":
        return (own, language) if own else ("", language)
    candidates = [(own, language), (entry.body_vi, "vi")]

    def matched(body):
        words = site_search.word_index(body)
        return sum(f" {term}" in words for term in terms)

    best = max(candidates, key=lambda candidate: (matched(candidate[0]), bool(candidate[0])))
    return best if best[0] else ("", language)


def _hits(page, terms, language):
    """What the result list shows for each entry: the object's address in
    this language, its title and a highlighted snippet, fallback marked."""
    entries = list(page)
    objects = {}
    for content_type_id in {entry.content_type_id for entry in entries}:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        ids = [entry.object_id for entry in entries if entry.content_type_id == content_type_id]
        # live() has the last word on what is shown, whatever an entry says.
        shown = model.objects.live().filter(pk__in=ids).order_by()
        stored = ("display",) if issubclass(model, Displayed) else ()
        for obj in shown.only("pk", "slug_vi", "slug_en", *stored):
            objects[(content_type_id, obj.pk)] = obj
    kinds = site_search.kinds()
    hits = []
    for entry in entries:
        obj = objects.get((entry.content_type_id, entry.object_id))
        if obj is None:
            continue
        title = getattr(entry, f"title_{language}") or entry.title_vi
        body, body_lang = _snippet_source(entry, language, terms)
        hits.append(
            {
                "url": obj.get_absolute_url(),
                "kind": kinds[entry.kind],
                "kind_code": entry.kind,
                "year": entry.year,
                "title": site_search.highlight(title, terms, length=400),
                "title_lang": "" if getattr(entry, f"title_{language}") else "vi",
                "snippet": site_search.highlight(body, terms),
                "snippet_lang": "" if body_lang == language else body_lang,
            }
        )
    return hits


@require_safe
@never_cache
def preferences(request):
    """Remember a reading preference in a cookie and go back to the page.

    The controls are plain links so that they work without JavaScript.
    """
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    choices = (
        (prefs.FONT_COOKIE, request.GET.get("font"), prefs.FONT_SIZES),
        (prefs.CONTRAST_COOKIE, request.GET.get("contrast"), prefs.CONTRASTS),
    )
    for cookie, value, allowed in choices:
        if value in allowed:
            response.set_cookie(
                cookie,
                value,
                max_age=settings.PREFERENCE_COOKIE_AGE,
                samesite="Lax",
                secure=request.is_secure(),
            )
    return response


@require_safe
def robots_txt(request):
    admin_paths = "".join(
        f"Disallow: /{code}/{settings.ADMIN_PATH}\n" for code, _name in settings.LANGUAGES
    )
    body = (
        "User-agent: *\n"
        f"{admin_paths}"
        "Disallow: /readyz\n"
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}\n"
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def readable_models(user):
    """The publishable types that ``user`` may view."""
    return [
        model
        for model in publishable_models()
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]


@never_cache
@staff_member_required
def publishing_status(request):
    """Overdue and upcoming transitions and the latest events, of the types
    the staff member may view."""
    now = timezone.now()
    models = readable_models(request.user)
    upcoming = []
    for model in models:
        for pk, at in model.objects.filter(status=Status.SCHEDULED, publish_at__gt=now).values_list(
            "pk", "publish_at"
        )[:50]:
            upcoming.append({"type": model._meta.label_lower, "id": pk, "due_at": at.isoformat()})
    events = [
        {
            "type": event.content_type.model,
            "id": event.object_id,
            "action": event.action,
            "due_at": event.due_at.isoformat(),
            "lateness_ms": event.lateness_ms,
            "source": event.source,
        }
        for event in PublicationEvent.objects.filter(
            content_type__in=ContentType.objects.get_for_models(*models).values()
        ).select_related("content_type")[:50]
    ]
    held = [
        {
            "type": model._meta.label_lower,
            "id": pk,
            "changes": False,
            "due_at": at.isoformat(),
            "time_passed": at <= now,
        }
        for model in models
        for pk, at in model.objects.held().values_list("pk", "publish_at")[:50]
    ]
    # Pending changes of live items held until their English is ready, at
    # their intended time.
    held += [
        {
            "type": model._meta.label_lower,
            "id": object_id,
            "changes": True,
            "revision": pk,
            "due_at": at.isoformat(),
            "time_passed": at <= now,
        }
        for model in models
        for pk, object_id, at in revisions.held(model).values_list("pk", "object_id", "publish_at")[
            :50
        ]
    ]
    return JsonResponse(
        {
            "now": now.isoformat(),
            "overdue": overdue(now=now, models=models),
            "held": sorted(held, key=lambda row: (row["due_at"], row["changes"]))[:50],
            "upcoming": sorted(upcoming, key=lambda row: row["due_at"])[:50],
            "events": events,
        }
    )


@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
def readyz(request):
    healthy, checks = health.run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks},
        status=200 if healthy else 503,
    )


ERRORS = {
    400: (
        _("Bad request"),
        _("The address or the form could not be understood. Please check it and try again."),
    ),
    403: (
        _("Access denied"),
        _(
            "You do not have permission to open this page, or the form has expired. "
            "Reload the page and try again."
        ),
    ),
    404: (
        _("Page not found"),
        _("The page you are looking for does not exist or has been moved."),
    ),
    500: (
        _("Server error"),
        _("Something went wrong on our side. Please try again in a few minutes."),
    ),
    # nginx's own answer when no web node could give one (deploy/nginx/,
    # proxy_error_page() below): the node may have died while it worked.
    502: (
        _("The portal did not answer"),
        _(
            "The portal could not answer this request. Please try again in a minute. "
            "If you were sending a form, it may have been received: check before you "
            "send it again."
        ),
    ),
    503: (
        _("Service temporarily unavailable"),
        _(
            "The portal cannot reach its database for a moment. "
            "Please try again in a minute; nothing has been changed."
        ),
    ),
}

# How long a client should wait before retrying when the database is away.
RETRY_AFTER_SECONDS = 30


def _error(request, status):
    title, message = ERRORS[status]
    context = {"error": {"status": status, "title": title, "message": message}}
    response = render(request, "error.html", context, status=status)
    add_never_cache_headers(response)
    return response


def proxy_error_page():
    """The page the proxy sends when no web node answers (502, 503 or 504 of
    nginx itself): one static file in both languages, Vietnamese first, as it
    cannot ask the portal for the reader's language."""
    title, message = ERRORS[502]
    parts = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            parts.append(
                {
                    "code": code,
                    "site": gettext("ASEAN Cooperation Portal"),
                    "title": str(title),
                    "message": str(message),
                    "home": gettext("Go to the home page"),
                    "home_url": reverse("home"),
                }
            )
    return render_to_string("proxy_unavailable.html", {"parts": parts}, using="jinja2")


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def csrf_failure(request, reason=""):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    """500, or 503 when the database is unreachable (a restart, a failover):
    the reader is told to come back, and CONN_HEALTH_CHECKS reconnects on a
    later request without restarting the server."""
    # The template needs no database, so that it renders whatever failed.
    status = 503 if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)) else 500
    try:
        response = _error(request, status)
    except Exception:
        logger.exception("the %s page itself failed to render", status)
        response = HttpResponse(PLAIN_SERVER_ERROR, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def agenda_row(item, now):
    opts = item._meta
    return {
        "item": item,
        "type": opts.verbose_name,
        "at": timezone.localtime(item.publish_at),
        "state": state_text(item, now),
        "time_passed": item.publish_at <= now,
        "title_vi": getattr(item, f"{item.slug_source}_vi"),
        "title_en": getattr(item, f"{item.slug_source}_en"),
        "admin_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk]),
    }


def held_changes_rows(model, now):
    """The pending changes of ``model``'s live items held until their
    English is ready, as agenda rows (the item's live title)."""
    rows = []
    for revision in revisions.held(model).select_related("reviewer"):
        item = revision.item()
        if item is None:
            continue
        row = agenda_row(item, now)
        row.update(
            at=timezone.localtime(revision.publish_at),
            time_passed=revision.publish_at <= now,
            changes=True,
            english=revisions.as_applied(revision, item).get_english_state_display(),
            held_by=revision.reviewer,
        )
        rows.append(row)
    return rows


@staff_member_required
@never_cache
def publishing_agenda(request):
    """Upcoming scheduled items by day (Hanoi time), with that day's meetings."""
    try:
        days = min(max(int(request.GET.get("days", 14)), 1), 90)
    except ValueError:
        days = 14
    now = timezone.now()
    until = now + timedelta(days=days)
    rows, held = [], []
    for model in readable_models(request.user):
        scheduled = model.objects.filter(
            status=Status.SCHEDULED, publish_at__gt=now, publish_at__lte=until
        )
        rows += [agenda_row(item, now) for item in scheduled.select_related("scheduled_by")]
        # Every held item, whenever its time: it waits until a publisher
        # releases it.
        held += [
            agenda_row(item, now) for item in model.objects.held().select_related("scheduled_by")
        ]
        held += held_changes_rows(model, now)
    rows.sort(key=lambda row: row["at"])
    held.sort(key=lambda row: row["at"])
    day_list = sorted({row["at"].date() for row in rows})
    # What takes place on those days: the types that declare agenda_day_field.
    meetings = {}
    for model in public_models():
        field = getattr(model, "agenda_day_field", None)
        if field:
            for event in model.objects.filter(**{f"{field}__in": day_list}).order_by(field):
                meetings.setdefault(getattr(event, field), []).append(event)
    agenda = [
        {
            "day": day,
            "rows": [row for row in rows if row["at"].date() == day],
            "meetings": meetings.get(day, []),
        }
        for day in day_list
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Publishing agenda"),
        "agenda": agenda,
        "held": held,
        "days": days,
    }
    return render(request, "admin/publishing/agenda.html", context)

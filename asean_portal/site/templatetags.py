"""The portal's template functions: the globals and filters of the Jinja2
environment of the public pages (asean_portal/site/jinja2.py). A function that
takes ``context`` reads the page's context (the request, the object shown)."""

import json
from functools import cache

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext_lazy as _

from asean_portal.core import display
from asean_portal.core.content import translated_value
from asean_portal.core.images import picture as picture_data


def _swap_prefix(path, language):
    current = get_language_from_path(path)
    if current:
        return f"/{language}{path[len(current) + 1 :]}"
    return f"/{language}/"


def url_in_language(context, language):
    """The URL of the page being shown, in another language.

    On a "not found" page, the home page of that language. A view that shows
    an object with per-language slugs passes the object; its
    get_absolute_url() is evaluated in the target language. Other pages are
    translated by resolving the path again under the target language.
    """
    request = context.get("request")
    error = context.get("error")
    if error and error["status"] == 404:
        # No page here in any language: the other language's home page.
        return f"/{language}/"
    obj = context.get("translated_object")
    if obj is not None and hasattr(obj, "get_absolute_url"):
        with translation.override(language):
            return obj.get_absolute_url()
    if request is None:
        return f"/{language}/"
    path = request.path
    url = translate_url(path, language)
    if url == path:
        url = _swap_prefix(path, language)
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


def language_links(context):
    """One entry per language: code, native name, URL of this page (relative
    and absolute), and whether it is the current language."""
    current = translation.get_language()
    request = context.get("request")
    links = []
    for code, _name in settings.LANGUAGES:
        url = url_in_language(context, code)
        # The 400 page for a forged Host header must still render.
        absolute = _absolute(request, url)
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": absolute,
                "canonical_url": _canonical(request, absolute),
                "current": code == current,
            }
        )
    return links


def _canonical(request, absolute):
    """The page's address without filters, except the page number."""
    base = absolute.split("?", 1)[0]
    page = request.GET.get("page", "") if request is not None else ""
    return f"{base}?page={page}" if page.isdigit() and page != "1" else base


OG_LOCALES = {"vi": "vi_VN", "en": "en_GB"}


def og_locale(code):
    return OG_LOCALES.get(code, code)


NAV_ITEMS = (
    # (url name, label, namespace or url name that marks the item current)
    ("home", translation.gettext_lazy("Home"), "home"),
    ("priorities:index", translation.gettext_lazy("Priorities"), "priorities"),
    ("meetings:list", translation.gettext_lazy("Meetings"), "meetings"),
    ("civil_service:work_plan", translation.gettext_lazy("Work plan"), "civil_service"),
    ("news:list", translation.gettext_lazy("News"), "news"),
    ("search", translation.gettext_lazy("Search"), "search"),
)


# Pages below a section that show no object: their own name in the trail, and
# the page that comes before them.
SUB_PAGES = {
    "meetings:calendar": (translation.gettext_lazy("Calendar of meetings"), None),
    "civil_service:documents": (translation.gettext_lazy("Documents"), None),
    "civil_service:document": (None, "civil_service:documents"),
}


def breadcrumbs(context):
    """The trail from the home page to this page: a list of {name, url}, the
    last one being this page. Empty on the home page and on error pages.

    After the section, an object's ``breadcrumb_parent`` (declared by its model,
    e.g. an activity's work plan) comes before the object itself."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name == "home":
        return []
    key = match.namespace or match.url_name
    sections = {key: (url_name, label) for url_name, label, key in NAV_ITEMS}
    sections["about"] = ("about", translation.gettext_lazy("About the portal"))
    if key not in sections:
        return []
    crumbs = [{"name": str(translation.gettext("Home")), "url": reverse("home")}]
    url_name, label = sections[key]
    crumbs.append({"name": str(label), "url": reverse(url_name)})
    name, before = SUB_PAGES.get(match.view_name, (None, None))
    if before:
        crumbs.append({"name": str(SUB_PAGES[before][0]), "url": reverse(before)})
    obj = context.get("translated_object")
    if name:
        crumbs.append({"name": str(name), "url": request.path})
    elif obj is not None:
        chain = []
        parent = getattr(obj, "breadcrumb_parent", None)
        while parent is not None and len(chain) < 5:
            chain.insert(0, parent)
            parent = getattr(parent, "breadcrumb_parent", None)
        crumbs += [{"name": str(item), "url": item.get_absolute_url()} for item in chain]
        crumbs.append({"name": str(obj), "url": obj.get_absolute_url()})
    return crumbs


def breadcrumb_ld(context, crumbs):
    request = context.get("request")
    return _json_ld(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": crumb["name"],
                    "item": _absolute(request, crumb["url"]),
                }
                for position, crumb in enumerate(crumbs, start=1)
            ],
        }
    )


def nav_items(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = (match.namespace or match.url_name) if match else None
    return [
        {"url_name": url_name, "label": label, "current": key == current}
        for url_name, label, key in NAV_ITEMS
    ]


class TranslatedText(str):
    """A field's text in the page's language, or its Vietnamese fallback;
    ``lang`` says which, ``fallback`` whether English was missing."""

    lang = "vi"
    fallback = False


# What a text in another language than the page's is marked with, visibly:
# English that is missing falls back to Vietnamese, and the reader is told.
LANGUAGE_MARKS = {"vi": _("In Vietnamese"), "en": _("In English")}


def language_mark(text):
    """A visible mark for a text shown in another language than the page's:
    ``text`` is what tr() gave, or a language code ("" for the page's own)."""
    code = (text.fallback and text.lang) if isinstance(text, TranslatedText) else text
    if not code or code == translation.get_language():
        return ""
    return format_html(' <span class="language-mark">{}</span>', LANGUAGE_MARKS[code])


def undated(meeting):
    """What a meeting without a date shows instead: its date note (the month
    the sources give, or that they give none), or "Date to be announced"."""
    note = tr(meeting, "date_note")
    if not note:
        return _("Date to be announced")
    if note.fallback:
        return format_html('<span lang="{}">{}</span>', note.lang, capfirst(note))
    return capfirst(note)


def tr(obj, name):
    language = translation.get_language()
    value, actual = translated_value(obj, name, language)
    text = TranslatedText(value)
    text.lang = actual
    text.fallback = actual != language and bool(value)
    return text


def _json_ld(data):
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(
        '<script type="application/ld+json">'
        + payload.translate(_json_script_escapes)
        + "</script>"
    )


def _absolute(request, url):
    try:
        return request.build_absolute_uri(url) if request is not None else url
    except DisallowedHost:
        return url


def absolute_url(context, url):
    """``url`` with the scheme and host of the request, unless it has its own
    (an upload in an object store)."""
    return _absolute(context.get("request"), url)


def organization_ld(context):
    request = context.get("request")
    return _json_ld(
        {
            "@context": "https://schema.org",
            "@type": "GovernmentOrganization",
            "name": str(translation.gettext("ASEAN Cooperation Portal")),
            "url": _absolute(request, f"/{translation.get_language()}/"),
            "areaServed": "VN",
            "inLanguage": translation.get_language(),
        }
    )


def news_article_ld(context, item):
    request = context.get("request")
    language = translation.get_language()
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": translated_value(item, "title", language)[0][:110],
        "description": translated_value(item, "lead", language)[0],
        "datePublished": (
            item.publish_at
            if getattr(item, "posted_time_known", True)
            else timezone.localdate(item.publish_at)
        ),
        "dateModified": item.updated_at,
        "inLanguage": translated_value(item, "title", language)[1],
        "mainEntityOfPage": _absolute(request, item.get_absolute_url()),
        "publisher": {
            "@type": "GovernmentOrganization",
            "name": str(translation.gettext("ASEAN Cooperation Portal")),
        },
    }
    if item.byline:
        data["author"] = {"@type": "Person", "name": item.byline}
    if item.image:
        data["image"] = _absolute(request, item.image.url)
    return _json_ld(data)


def event_ld(context, meeting):
    request = context.get("request")
    language = translation.get_language()
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": translated_value(meeting, "title", language)[0],
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": _absolute(request, meeting.get_absolute_url()),
        "inLanguage": translated_value(meeting, "title", language)[1],
    }
    if meeting.start_date:
        data["startDate"] = meeting.start_date
        data["endDate"] = meeting.end_date or meeting.start_date
    city = translated_value(meeting, "host_city", language)[0]
    if city or meeting.host_country:
        data["location"] = {
            "@type": "Place",
            "name": city or str(meeting.host_country),
            "address": {
                "@type": "PostalAddress",
                "addressLocality": city,
                "addressCountry": meeting.host_country.iso_code if meeting.host_country else "",
            },
        }
    description = translated_value(meeting, "summary", language)[0]
    if description:
        data["description"] = description
    return _json_ld(data)


def picture(obj, field_name, alt, sizes="", eager=False, thumbnail=False):
    """The context of a photo's <picture> (includes/picture.html): WebP and
    JPEG renditions at several widths (or the listing thumbnail cropped around
    its focal point), with width and height."""
    return {
        "pic": picture_data(obj, field_name, thumbnail=thumbnail),
        "alt": alt,
        "sizes": "" if thumbnail else sizes,
        "eager": eager,
    }


def posted(item):
    """The <time> an item was posted, in Hanoi time; the date alone when the
    source gives only the day (no invented 00:00). Read from the item's
    display values when its type stores them."""
    if "posted" in display.specs(type(item)):
        parts = display.value(item, "posted")
    else:
        parts = display.posted_parts(item)
    return format_html('<time datetime="{}">{}</time>', *parts) if parts else ""


def display_value(obj, name):
    """{{ item|display("summary") }}: a display value of ``item`` in the page's
    language (asean_portal/core/display.py)."""
    return display.value(obj, name)


@cache
def _choices(field):
    return dict(field.flatchoices)


def choice(obj, name):
    """The label of a field's choice, as get_<name>_display() gives it.
    Django's method hashes every label of the field on each call, and a lazy
    label is translated to be hashed: 8 translations a row of the activity
    table, where this is one."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    return force_str(_choices(field).get(value, value), strings_only=True)


def minutes(value):
    """A timedelta as whole minutes (rounded up)."""
    if value is None:
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))

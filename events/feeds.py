"""RSS and Atom feeds of the news, per language and per category, and the
iCalendar feed of meetings."""

from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, linebreaks, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from asean_portal.core.content import translated_value
from asean_portal.core.detail import find_by_slug

from .models import ON_CALENDAR, Announcement, Category, Meeting

FEED_SIZE = 30


def text(obj, name):
    return translated_value(obj, name, get_language())[0]


def _shown(obj, name):
    """The text of ``name`` in the feed's language, and whether it is the
    Vietnamese shown in its place."""
    value, language = translated_value(obj, name, get_language())
    return value, bool(value) and language != get_language()


class NewsFeed(Feed):
    def get_object(self, request, slug=None):
        self.request = request
        if slug is None:
            return None
        category, _redirect, _preview = find_by_slug(request, Category.objects.all(), slug)
        return category

    def title(self, category):
        portal = gettext("ASEAN Cooperation Portal")
        return (
            f"{text(category, 'name')} – {portal}" if category else f"{gettext('News')} – {portal}"
        )

    def link(self, category):
        return category.get_absolute_url() if category else reverse("news:list")

    def description(self, category):
        return gettext("News and press announcements.")

    def author_name(self, category):
        # Atom (RFC 4287) needs an author for every entry: the portal is the
        # author of those without a byline.
        return gettext("ASEAN Cooperation Portal")

    def feed_url(self, category):
        return self.request.path

    def items(self, category):
        items = Announcement.objects.live().select_related("category")
        if category is not None:
            items = items.filter(category=category)
        return items.order_by("-publish_at")[:FEED_SIZE]

    def item_title(self, item):
        title, fallback = _shown(item, "title")
        if fallback:
            # A feed has one language: an item not yet in it says so, as its
            # page does, rather than passing for a translation.
            return gettext("%(title)s (in Vietnamese)") % {"title": title}
        return title

    def item_description(self, item):
        # RSS's description and Atom's summary are HTML; the lead is plain
        # text, so its <, & and line breaks become HTML, never markup.
        lead, fallback = _shown(item, "lead")
        description = linebreaks(lead, autoescape=True) if lead else ""
        if fallback or _shown(item, "title")[1]:
            notice = gettext(
                "This page has not been fully translated into English yet. The parts that are "
                "missing are shown in Vietnamese."
            )
            description = format_html("<p>{}</p>{}", notice, mark_safe(description))
        return description

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return self.request.build_absolute_uri(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.byline or None

    def item_categories(self, item):
        return [text(item.category, "name")]


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description


def _event(request, meeting):
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{request.get_host()}")
    event.add("summary", text(meeting, "title"))
    event.add("dtstart", meeting.start_date)
    # An all-day event ends (exclusively) the day after its last day.
    event.add("dtend", (meeting.end_date or meeting.start_date) + timedelta(days=1))
    event.add("dtstamp", meeting.updated_at)
    place = ", ".join(
        part for part in (text(meeting, "host_city"), str(meeting.host_country or "")) if part
    )
    if place:
        event.add("location", place)
    description = strip_tags(text(meeting, "summary") or text(meeting, "theme"))
    if description:
        event.add("description", description)
    event.add("url", request.build_absolute_uri(meeting.get_absolute_url()))
    return event


def _calendar(request, meetings, name):
    calendar = Calendar()
    calendar.add("prodid", "-//ASEAN Cooperation Portal//Meetings//" + get_language().upper())
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for meeting in meetings:
        calendar.add_component(_event(request, meeting))
    return calendar.to_ical()


@require_safe
def meetings_ics(request):
    meetings = Meeting.objects.live().filter(ON_CALENDAR).select_related("host_country")
    body = _calendar(
        request, meetings, gettext("Meetings") + " – " + gettext("ASEAN Cooperation Portal")
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_safe
def meeting_ics(request, slug):
    queryset = Meeting.objects.live().select_related("host_country")
    meeting, answer, _preview = find_by_slug(request, queryset, slug)
    if meeting is None:
        return answer  # withdrawn: 410
    if not meeting.on_calendar():
        raise Http404
    body = _calendar(request, [meeting], text(meeting, "title"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting.slug_vi}.ics"'
    return response

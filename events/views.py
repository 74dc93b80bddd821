import calendar
import re
from datetime import date, timedelta

from django.db.models import Q, Subquery, Value
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from asean_portal.core import scopes
from asean_portal.core.clients import client_address
from asean_portal.core.content import (
    FIRST_YEAR,
    LAST_YEAR,
    LINK_FIELDS,
    in_languages,
)
from asean_portal.core.detail import find_by_slug, mark_preview, newest_related, shown_rows
from asean_portal.core.listing import filtered, paginate, query_without_page, reads_query
from asean_portal.core.publishing import STATE_FIELDS, Status

from .filters import AnnouncementFilter, MeetingFilter
from .models import (
    ON_CALENDAR,
    PHOTO_FIELDS,
    Announcement,
    Category,
    Country,
    EmbargoLink,
    EmbargoView,
    Meeting,
)

# Lists read only what they show: fewer columns to compile, send and convert.
NEWS_LIST_FIELDS = (
    *LINK_FIELDS,
    *in_languages("lead"),
    "publish_at",
    "posted_time_known",
    "is_featured",
    # With the sizes: without them Django's ImageField reads each row's
    # dimensions on load.
    *PHOTO_FIELDS,
    *in_languages("name", "slug", relation="category"),
    "category__display",
)


@reads_query(*MeetingFilter.base_filters, "page")
@require_safe
def meeting_list(request):
    queryset = (
        Meeting.objects.live()
        .select_related("series", "host_country")
        .only(
            *LINK_FIELDS,
            *STATE_FIELDS,
            "start_date",
            *in_languages("date_note"),
            "series__code",
            *in_languages("name", "slug", relation="host_country"),
        )
    )
    filterset, meetings = filtered(request, MeetingFilter, queryset)
    context = {
        "filter": filterset,
        "page": paginate(request, meetings),
        "query": query_without_page(request),
    }
    return render(request, "events/meeting_list.html", context)


@require_safe
def meeting_detail(request, slug):
    queryset = Meeting.objects.select_related("series", "host_country", "chair_country", "part_of")
    meeting, answer, preview = find_by_slug(request, queryset, slug)
    if answer:
        return answer
    context = {
        "meeting": meeting,
        "translated_object": meeting,
        # On a staff preview, the pending rows (asean_portal/core/revisions.py).
        "participations": shown_rows(
            meeting,
            "participations",
            meeting.participations.select_related("country").order_by("country__order"),
            key=lambda participation: participation.country.order,
        ),
        # A caption waiting for its photo is shown as text: the facts reach the public.
        "photos": shown_rows(
            meeting,
            "photos",
            meeting.photos.all(),
            key=lambda photo: (photo.order, photo.pk is None, photo.pk or 0),
        ),
        # Related objects read through live() (asean_portal/core/relations.py):
        # a parent, part or related item that is not public is not linked.
        "parent": meeting.part_of,
        **_nearby_meetings(meeting),
        "activities": meeting.activities.all(),
        "documents": meeting.documents.all(),
        "announcements": newest_related(meeting, "announcements", 10),
        "preview": preview,
    }
    return mark_preview(render(request, "events/meeting_detail.html", context), preview)


def _nearby_meetings(meeting):
    """The meeting's parts and its related meetings, read in one query (a
    UNION ALL of the two relations, each still read through live()), in
    date order; a meeting may be in both."""
    relation = "nearby_relation"
    # The lists link to the meetings: their titles, slugs and dates. The parts
    # of a union may not be ordered on SQLite: sorted here. A part is read
    # with its parent's id, which the relation checks on every row it returns
    # (a deferred field would cost a query a part).
    fields = (*LINK_FIELDS, "start_date", *in_languages("date_note"), "part_of")
    rows = (
        meeting.parts.order_by()
        .only(*fields)
        .annotate(**{relation: Value("part")})
        .union(
            meeting.related_meetings.order_by()
            .only(*fields)
            .annotate(**{relation: Value("related")}),
            all=True,
        )
    )
    nearby = {"parts": [], "related_meetings": []}
    for row in sorted(rows, key=_meeting_date_order):
        nearby["parts" if getattr(row, relation) == "part" else "related_meetings"].append(row)
    return nearby


def _meeting_date_order(meeting):
    """Earliest first; a meeting whose date is not known yet comes last."""
    return (meeting.start_date is None, meeting.start_date or date.min, meeting.pk)


@require_safe
def country_detail(request, slug):
    country, answer, _preview = find_by_slug(request, Country.objects.all(), slug)
    if answer:
        return answer
    context = {
        "country": country,
        "translated_object": country,
        "hosted": country.hosted_meetings.all(),
        "attended": country.meetings.all(),
        "chairmanships": country.chairmanships.all(),
        "registered": country.registered_activities.all(),
    }
    return render(request, "events/country_detail.html", context)


def _news_page(request, queryset, category=None, **extra):
    # A category page's filters show its category, and send the reader to the
    # news list: choosing another category there lists that one.
    fixed = {"category": category} if category is not None else {}
    filterset, announcements = filtered(request, AnnouncementFilter, queryset, **fixed)
    context = {
        "filter": filterset,
        "category": category,
        "filter_action": reverse("news:list") if category is not None else request.path,
        "page": paginate(request, announcements),
        "query": query_without_page(request),
        **extra,
    }
    return render(request, "events/announcement_list.html", context)


@reads_query(*AnnouncementFilter.base_filters, "page")
@require_safe
def news_list(request):
    return _news_page(
        request, Announcement.objects.live().select_related("category").only(*NEWS_LIST_FIELDS)
    )


@reads_query(*AnnouncementFilter.base_filters, "page")
@require_safe
def news_category(request, slug):
    category, answer, _preview = find_by_slug(request, Category.objects.all(), slug)
    if answer:
        return answer
    queryset = (
        Announcement.objects.live()
        .filter(category=category)
        .select_related("category")
        .only(*NEWS_LIST_FIELDS)
    )
    return _news_page(request, queryset, category=category, translated_object=category)


@require_safe
def news_detail(request, slug):
    queryset = Announcement.objects.select_related("category", "meeting")
    announcement, answer, preview = find_by_slug(request, queryset, slug)
    if answer:
        return answer
    # Links to other items need their titles, slugs and dates, not their bodies.
    live = Announcement.objects.live().only(*LINK_FIELDS, "publish_at", "posted_time_known")
    context = {
        "announcement": announcement,
        "translated_object": announcement,
        "earlier": _earlier_in_category(live, announcement),
        "preview": preview,
    }
    if announcement.publish_at is not None:
        context.update(_neighbours(live, announcement))
    return mark_preview(render(request, "events/announcement_detail.html", context), preview)


EARLIER_COUNT = 5


def _earlier_in_category(live, announcement):
    """The public items of ``announcement``'s category published just before
    it, newest first (its category's newest, for a draft's preview): the news
    readers find under an article on the ministry's sites ("Tin đã đưa").

    A page lists the same items however much is published after it, so a
    publication makes out of date only the pages of the items published the
    same day or later, in its category."""
    category = announcement.category_id
    items = live.filter(category_id=category).exclude(pk=announcement.pk)
    at, pk = announcement.publish_at, announcement.pk
    if at is None:
        with scopes.reading(Announcement, category_id=category):
            return list(items[:EARLIER_COUNT])
    items = _before(items, at, pk)
    with scopes.reading(Announcement, category_id=category) as scope:
        found = list(items.order_by("-publish_at", "-pk")[:EARLIER_COUNT])
        # Fewer than a full list: any earlier item of the category may join it.
        oldest = found[-1].publish_at if len(found) == EARLIER_COUNT else None
        scope["publish_at"] = (oldest, at)
    return found


def _before(items, at, pk):
    """The ``items`` before the one published at ``at`` with ``pk`` in the
    order of the news list (publish_at, then pk)."""
    # The plain bound lets the index start at the item instead of at one end.
    return items.filter(Q(publish_at__lt=at) | Q(publish_at=at, pk__lt=pk), publish_at__lte=at)


def _neighbours(live, announcement):
    """The public items just before and after ``announcement`` in the order of
    the news list (publish_at, then pk), read in one query: each is a subquery
    that walks the order's index, and the outer query reads the two rows by
    their primary key."""
    at, pk = announcement.publish_at, announcement.pk
    before = _before(live, at, pk)
    after = live.filter(Q(publish_at__gt=at) | Q(publish_at=at, pk__gt=pk), publish_at__gte=at)
    found = live.filter(
        Q(pk=Subquery(before.order_by("-publish_at", "-pk").values("pk")[:1]))
        | Q(pk=Subquery(after.order_by("publish_at", "pk").values("pk")[:1]))
    )
    neighbours = {"previous": None, "next": None}
    # They change only with an item published between them (a range without
    # an end, for the first and the last item, counts as the whole type).
    with scopes.reading(Announcement) as scope:
        for item in found:
            neighbours["previous" if (item.publish_at, item.pk) < (at, pk) else "next"] = item
        previous, following = neighbours["previous"], neighbours["next"]
        scope["publish_at"] = (
            previous and previous.publish_at,
            following and following.publish_at,
        )
    return neighbours


@never_cache
def embargo_preview(request, token):
    """A scheduled announcement for the holder of a signed embargo link.

    Every view is logged; the page is never cached or indexed. Once the
    announcement is public the link leads to its public page."""
    link, until = EmbargoLink.from_token(token)
    if link is None:
        return _embargo_refused(request, "invalid", 404)
    announcement = link.announcement
    if announcement.is_live():
        return redirect(announcement.get_absolute_url())
    if link.revoked_at is not None:
        return _embargo_refused(request, "revoked", 410)
    if not link.is_usable(until=until):
        return _embargo_refused(request, "expired", 410)
    if announcement.status != Status.SCHEDULED or announcement.publish_at is None:
        return _embargo_refused(request, "unscheduled", 410)
    EmbargoView.objects.create(
        link=link,
        address=client_address(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
    context = {
        "announcement": announcement,
        "earlier": [],
        "embargo": link,
        "embargo_until": timezone.localtime(announcement.publish_at),
    }
    response = render(request, "events/announcement_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _embargo_refused(request, reason, status):
    response = render(request, "events/embargo_refused.html", {"reason": reason}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _month(value):
    """A 'YYYY-MM' month, or None when it is not one we can show."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


@reads_query("month")
@require_safe
def meeting_calendar(request):
    """A month of meetings; by default the month of the next meeting (or the
    latest one)."""
    meetings = Meeting.objects.live().filter(ON_CALENDAR)
    notice = None
    first = _month(request.GET.get("month"))
    if request.GET.get("month") and first is None:
        notice = _(
            "The month was not understood (use the form 2022-08): the default month is shown."
        )
    if first is None:
        today = timezone.localdate()
        nearest = (
            meetings.filter(start_date__gte=today).order_by("start_date").first()
            or meetings.order_by("-start_date").first()
        )
        anchor = nearest.start_date if nearest else today
        first = anchor.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    in_month = list(
        meetings.filter(start_date__lte=last)
        .filter(Q(end_date__gte=first) | Q(end_date__isnull=True, start_date__gte=first))
        .order_by("start_date")
    )
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "meetings": [
                        meeting
                        for meeting in in_month
                        if meeting.start_date <= day <= (meeting.end_date or meeting.start_date)
                    ],
                }
                for day in week
            ]
        )
    # The nearest months with meetings, however far: the meetings may be years back.
    earlier = meetings.filter(start_date__lt=first).order_by("-start_date").first()
    later = meetings.filter(start_date__gt=last).order_by("start_date").first()
    previous_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    context = {
        "month": first,
        "weeks": weeks,
        "meetings": in_month,
        "notice": notice,
        "weekdays": [date(2024, 1, day) for day in range(1, 8)],  # Monday to Sunday
        "earlier_with_meetings": earlier.start_date.strftime("%Y-%m") if earlier else None,
        "later_with_meetings": later.start_date.strftime("%Y-%m") if later else None,
        "month_value": first.strftime("%Y-%m"),
        "first_month": f"{FIRST_YEAR}-01",
        "last_month": f"{LAST_YEAR}-12",
        "previous_month": previous_month.strftime("%Y-%m"),
        "next_month": next_month.strftime("%Y-%m"),
    }
    return render(request, "events/meeting_calendar.html", context)

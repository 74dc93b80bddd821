"""Two URL trees live in this app: meetings (with country pages) and news."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import feeds, views

meeting_patterns = [
    path("", views.meeting_list, name="list"),
    path(_("calendar/"), views.meeting_calendar, name="calendar"),
    path(_("calendar.ics"), feeds.meetings_ics, name="ics"),
    path(_("<slug:slug>/calendar.ics"), feeds.meeting_ics, name="detail_ics"),
    path(_("countries/<slug:slug>/"), views.country_detail, name="country"),
    path("<slug:slug>/", views.meeting_detail, name="detail"),
]

news_patterns = [
    path("", views.news_list, name="list"),
    path("rss/", feeds.NewsFeed(), name="rss"),
    path("atom/", feeds.AtomNewsFeed(), name="atom"),
    path(_("category/<slug:slug>/rss/"), feeds.NewsFeed(), name="category_rss"),
    path(_("category/<slug:slug>/atom/"), feeds.AtomNewsFeed(), name="category_atom"),
    path(_("category/<slug:slug>/"), views.news_category, name="category"),
    path(_("embargoed/<str:token>/"), views.embargo_preview, name="embargo"),
    path("<slug:slug>/", views.news_detail, name="detail"),
]

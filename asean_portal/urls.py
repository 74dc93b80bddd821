from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from asean_portal.core.listing import reads_query
from asean_portal.site import about, media, views
from asean_portal.site import sitemaps as sitemap_sections
from civil_service import api as civil_service_api
from events import api as events_api
from events import urls as events_urls

handler400 = "asean_portal.site.views.bad_request"
handler403 = "asean_portal.site.views.permission_denied"
handler404 = "asean_portal.site.views.page_not_found"
handler500 = "asean_portal.site.views.server_error"

SITEMAPS = sitemap_sections.sitemaps()

# Each app's open-data endpoints, under /api/.
API = [*events_api.urlpatterns, *civil_service_api.urlpatterns]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("staff/publishing.json", views.publishing_status, name="publishing_status"),
    path("api/", include((API, "api"))),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        reads_query("p")(sitemap_sections.section),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path(_("priorities/"), include("priorities.urls")),
    path(_("meetings/"), include((events_urls.meeting_patterns, "meetings"))),
    path(_("news/"), include((events_urls.news_patterns, "news"))),
    path(_("work-plan/"), include("civil_service.urls")),
    path(_("search/"), views.search, name="search"),
    path(_("about/"), about.about, name="about"),
    path(_("staff/agenda/"), views.publishing_agenda, name="publishing_agenda"),
    path(_("preferences/"), views.preferences, name="preferences"),
    path(settings.ADMIN_PATH, admin.site.urls),
)

urlpatterns += media.urlpatterns()

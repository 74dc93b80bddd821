"""The portal's URLs, and the test-only content type's page."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from asean_portal.urls import *  # noqa: F403 (the handlers too)
from asean_portal.urls import urlpatterns as portal_patterns

from .views import notice_detail

urlpatterns = [
    *portal_patterns,
    *i18n_patterns(path("notices/<slug:slug>/", notice_detail, name="notice")),
]

from django.utils.translation import gettext_lazy as _

from asean_portal.core.declarations import ContentAppConfig


class EventsConfig(ContentAppConfig):
    default = True  # chosen over the imported ContentAppConfig
    name = "events"
    verbose_name = _("Meetings and news")
    # Embargo links and their views are staff business, never public pages.
    private_models = ("EmbargoLink", "EmbargoView")
    # The part of the home page this app fills: a function(now) -> context.
    home_sections = "events.home.home_sections"

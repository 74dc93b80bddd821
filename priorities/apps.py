from django.utils.translation import gettext_lazy as _

from asean_portal.core.declarations import ContentAppConfig


class PrioritiesConfig(ContentAppConfig):
    default = True  # chosen over the imported ContentAppConfig
    name = "priorities"
    verbose_name = _("Chairmanships and priorities")
    # The part of the home page this app fills: a function(now) -> context.
    home_sections = "priorities.home.home_sections"

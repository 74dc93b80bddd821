from django.utils.translation import gettext_lazy as _

from asean_portal.core.declarations import ContentAppConfig


class CivilServiceConfig(ContentAppConfig):
    default = True  # chosen over the imported ContentAppConfig
    name = "civil_service"
    verbose_name = _("Work plans and documents")
    # The part of the home page this app fills: a function(now) -> context.
    home_sections = "civil_service.home.home_sections"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilServiceConfig(AppConfig):
    name = "civil_service"
    verbose_name = _("Work plans and documents")

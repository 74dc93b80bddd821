from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the portal's site: optional two-step sign-in."""

    default = False
    default_site = "asean_portal.site.admin_site.PortalAdminSite"


class AseanPortalConfig(AppConfig):
    name = "asean_portal"
    verbose_name = _("ASEAN cooperation portal")

    def ready(self):
        # Imported here because they read the models, which exist only once
        # the apps are loaded: the listeners connect themselves on import,
        # and the tasks register with every Celery app.
        from asean_portal import tasks  # noqa: F401
        from asean_portal.core import relations
        from asean_portal.core.signals import announce_content_changes
        from asean_portal.site import checks, receivers  # noqa: F401

        announce_content_changes()
        relations.install()

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the portal's site: optional two-step sign-in."""

    default = False
    default_site = "asean_portal.site.admin_site.PortalAdminSite"


class SignInThrottlingConfig(AxesAppConfig):
    """django-axes, named in the admin in the staff's language (its own name
    is its label, "AXES")."""

    default = False
    verbose_name = _("Sign-in throttling")


class TwoStepSignInConfig(TOTPConfig):
    """django-otp's authenticators, named in the admin in the staff's language."""

    default = False
    verbose_name = _("Two-step sign-in")


class AseanPortalConfig(AppConfig):
    # The one of this module's configurations that "asean_portal" names (the
    # others, and those imported, are named in INSTALLED_APPS by their path).
    default = True
    name = "asean_portal"
    verbose_name = _("ASEAN cooperation portal")

    def ready(self):
        # Imported here because they read the models, which exist only once
        # the apps are loaded: the listeners connect themselves on import,
        # and the tasks register with every Celery app.
        from django.db.models.signals import post_migrate

        from asean_portal import tasks  # noqa: F401
        from asean_portal.core import display, relations
        from asean_portal.core.signals import announce_content_changes
        from asean_portal.site import checks, receivers  # noqa: F401

        announce_content_changes()
        relations.install()
        # Once, after every app's migrations.
        post_migrate.connect(display.refresh_after_migrate, sender=self)

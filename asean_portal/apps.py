from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the portal's site: optional two-step sign-in."""

    default = False
    default_site = "asean_portal.admin_site.PortalAdminSite"


class AseanPortalConfig(AppConfig):
    name = "asean_portal"
    verbose_name = _("ASEAN cooperation portal")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import search, tasks  # noqa: F401  (registers the tasks with every Celery app)

        # Keep the search index in step with every save and delete.
        for model in search.searchable_models():
            post_save.connect(_index, sender=model, dispatch_uid=f"index-{model.__name__}")
            post_delete.connect(_unindex, sender=model, dispatch_uid=f"unindex-{model.__name__}")

        # Any change to content starts a new generation of cached pages.
        for app_label in ("priorities", "events", "civil_service"):
            for model in apps.get_app_config(app_label).get_models():
                for signal in (post_save, post_delete):
                    signal.connect(_content_changed, sender=model, dispatch_uid=f"page-{model}")
        for through in _m2m_through_models():
            m2m_changed.connect(_content_changed, sender=through, dispatch_uid=f"page-{through}")


def _index(sender, instance, raw=False, **kwargs):
    if not raw:
        from .search import index_object

        index_object(instance)


def _unindex(sender, instance, **kwargs):
    from .search import unindex_object

    unindex_object(instance)


def _m2m_through_models():
    from django.apps import apps

    for app_label in ("priorities", "events", "civil_service"):
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.many_to_many:
                yield field.remote_field.through


def _content_changed(sender, raw=False, **kwargs):
    if not raw:
        from .pagecache import content_changed

        content_changed()

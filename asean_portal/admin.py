"""The admin of the project's own models, and the admin site's titles."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from asean_portal.core.content import SlugHistory
from asean_portal.core.publishing import PublicationEvent, hanoi_time


@admin.register(SlugHistory)
class SlugHistoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "language", "content_type", "object_id", "created_at")
    list_filter = ("language", "content_type")
    search_fields = ("slug",)
    readonly_fields = ("content_type", "object_id", "language", "slug", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(PublicationEvent)
class PublicationLogAdmin(admin.ModelAdmin):
    """The record of what went out: every transition that happened, read-only
    for every staff member, with times in Hanoi time."""

    list_display = (
        "item",
        "content_type",
        "action",
        "due",
        "happened",
        "lateness_ms",
        "source",
        "scheduled_by",
        "acted_by",
    )
    list_filter = (
        "action",
        "source",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("scheduled_by", admin.RelatedOnlyFieldListFilter),
        ("acted_by", admin.RelatedOnlyFieldListFilter),
    )
    date_hierarchy = "happened_at"
    search_fields = ("object_repr", "scheduled_by__username", "acted_by__username")
    list_select_related = ("content_type", "scheduled_by", "acted_by")
    list_per_page = 50

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("item"), ordering="object_repr")
    def item(self, event):
        opts = event.content_type
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model}_change", args=[quote(event.object_id)]
            )
        except NoReverseMatch:
            return event.object_repr
        return format_html('<a href="{}">{}</a>', url, event.object_repr or event.object_id)

    @admin.display(description=_("due at (Hanoi time, UTC+7)"), ordering="due_at")
    def due(self, event):
        return hanoi_time(event.due_at)

    @admin.display(description=_("done at (Hanoi time, UTC+7)"), ordering="happened_at")
    def happened(self, event):
        return hanoi_time(event.happened_at)


admin.site.site_header = _("ASEAN Cooperation Portal – administration")
admin.site.site_title = _("ASEAN Cooperation Portal")
admin.site.index_title = _("Content of the portal")

"""The admin of the project's own models, and the admin site's titles."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from asean_portal.core.content import SlugHistory


@admin.register(SlugHistory)
class SlugHistoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "language", "content_type", "object_id", "created_at")
    list_filter = ("language", "content_type")
    search_fields = ("slug",)
    readonly_fields = ("content_type", "object_id", "language", "slug", "created_at")

    def has_add_permission(self, request):
        return False


admin.site.site_header = _("ASEAN Cooperation Portal – administration")
admin.site.site_title = _("ASEAN Cooperation Portal")
admin.site.index_title = _("Content of the portal")

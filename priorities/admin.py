from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from asean_portal.core.admin import ContentAdmin, year_filter

from .models import Chairmanship, Priority


class PriorityInline(admin.TabularInline):
    model = Priority
    fields = ("number", "title_vi", "title_en", "status")
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Chairmanship)
class ChairmanshipAdmin(ContentAdmin):
    list_display = (
        "year",
        "theme",
        "chair_country",
        "status",
        "publish_time",
        "public_now",
        "english",
    )
    list_select_related = ("chair_country",)
    list_filter = ("status", ("chair_country", admin.RelatedOnlyFieldListFilter), "english_state")
    search_fields = ("theme_vi", "theme_en", "year")
    autocomplete_fields = ("chair_country",)
    inlines = [PriorityInline]


@admin.register(Priority)
class PriorityAdmin(ContentAdmin):
    list_display = (
        "number",
        "title",
        "chairmanship",
        "status",
        "publish_time",
        "public_now",
        "english",
    )
    list_display_links = ("number", "title")
    list_select_related = ("chairmanship",)
    list_filter = ("status", year_filter("chairmanship__year", _("year")), "english_state")
    search_fields = ("title_vi", "title_en", "summary_vi", "summary_en")
    autocomplete_fields = ("chairmanship",)

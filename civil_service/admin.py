from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from asean_portal.core.admin import ContentAdmin, year_filter

from .models import Activity, Document, WorkPlan


@admin.register(WorkPlan)
class WorkPlanAdmin(ContentAdmin):
    list_display = (
        "name",
        "first_year",
        "last_year",
        "participation",
        "status",
        "publish_time",
        "public_now",
        "english",
    )
    list_filter = (
        "status",
        "participation",
        year_filter("first_year", _("first year")),
        "english_state",
    )
    search_fields = ("name_vi", "name_en")


@admin.register(Activity)
class ActivityAdmin(ContentAdmin):
    list_display = (
        "title",
        "work_plan",
        "start_year",
        "registering_country",
        "participation",
        "progress",
        "status",
        "publish_time",
        "public_now",
        "english",
    )
    list_select_related = ("work_plan", "registering_country")
    list_filter = (
        "status",
        "progress",
        year_filter("start_year", _("year")),
        "participation",
        ("registering_country", admin.RelatedOnlyFieldListFilter),
        "work_plan",
        "english_state",
    )
    search_fields = ("title_vi", "title_en", "registering_agency_vi", "registering_agency_en")
    autocomplete_fields = ("work_plan", "registering_country", "meetings", "priorities")


@admin.register(Document)
class DocumentAdmin(ContentAdmin):
    list_display = (
        "title",
        "kind",
        "number",
        "issued_on",
        "status",
        "publish_time",
        "public_now",
        "english",
    )
    list_filter = ("status", "kind", year_filter("issued_on", _("year")), "english_state")
    search_fields = ("title_vi", "title_en", "number", "issuer_vi", "issuer_en")
    autocomplete_fields = ("activity",)

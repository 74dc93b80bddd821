from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from asean_portal.admin import ContentAdmin, TranslatedAdmin, year_filter

from .models import (
    Announcement,
    Category,
    Country,
    Meeting,
    MeetingPhoto,
    MeetingSeries,
    Participation,
)


@admin.register(Country)
class CountryAdmin(TranslatedAdmin):
    list_display = ("name", "iso_code", "group", "english")
    list_filter = ("group", "english_state")
    search_fields = ("name_vi", "name_en", "iso_code")


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(TranslatedAdmin):
    list_display = ("code", "name", "english")
    list_filter = ("english_state",)
    search_fields = ("code", "name_vi", "name_en")


@admin.register(Category)
class CategoryAdmin(TranslatedAdmin):
    list_display = ("name", "order", "english")
    list_filter = ("english_state",)
    search_fields = ("name_vi", "name_en")


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ("country",)


class MeetingPhotoInline(TranslationStackedInline):
    model = MeetingPhoto
    extra = 0
    fields = ("image", "caption", "alt_text", "credit", "order")


@admin.register(Meeting)
class MeetingAdmin(ContentAdmin):
    list_display = (
        "title",
        "series",
        "start_date",
        "host_country",
        "status",
        "publish_time",
        "live",
        "english",
    )
    list_select_related = ("series", "host_country")
    list_filter = (
        "status",
        year_filter("start_date", _("year")),
        "series",
        "kind",
        ("host_country", admin.RelatedOnlyFieldListFilter),
        "english_state",
    )
    search_fields = (
        "title_vi",
        "title_en",
        "theme_vi",
        "theme_en",
        "chair_name_vi",
        "chair_name_en",
    )
    autocomplete_fields = ("series", "host_country", "chair_country", "part_of", "documents")
    inlines = [ParticipationInline, MeetingPhotoInline]


@admin.register(Announcement)
class AnnouncementAdmin(ContentAdmin):
    list_display = (
        "title",
        "category",
        "kind",
        "is_featured",
        "status",
        "publish_time",
        "live",
        "english",
    )
    list_select_related = ("category",)
    list_filter = (
        "status",
        year_filter("publish_at", _("year")),
        "category",
        "kind",
        "is_featured",
        "english_state",
    )
    search_fields = ("title_vi", "title_en", "lead_vi", "lead_en", "byline")
    autocomplete_fields = ("category", "meeting", "priority", "activity")

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationStackedInline

from asean_portal.core.admin import ContentAdmin, TranslatedAdmin, year_filter
from asean_portal.core.publishing import hanoi_time

from .models import (
    Announcement,
    Category,
    Country,
    EmbargoLink,
    EmbargoView,
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
        "public_now",
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
    autocomplete_fields = (
        "series",
        "host_country",
        "chair_country",
        "part_of",
        "documents",
        "related_meetings",
    )
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
        "public_now",
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


class EmbargoViewInline(admin.TabularInline):
    model = EmbargoView
    extra = 0
    can_delete = False
    fields = ("viewed_at", "address", "user_agent")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EmbargoLink)
class EmbargoLinkAdmin(admin.ModelAdmin):
    """Press officers give journalists a preview of a scheduled announcement."""

    list_display = ("announcement", "recipient", "expires_time", "state", "view_count")
    list_select_related = ("announcement",)
    list_filter = ("revoked_at",)
    search_fields = ("recipient", "announcement__title_vi", "announcement__title_en")
    autocomplete_fields = ("announcement",)
    fields = ("announcement", "recipient", "expires_at", "address", "revoked_at", "created_by")
    readonly_fields = ("address", "revoked_at", "created_by")
    inlines = [EmbargoViewInline]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(view_total=Count("views"))

    def _may_publish(self, request):
        return request.user.has_perm("events.publish_announcement")

    def has_add_permission(self, request):
        return self._may_publish(request)

    def has_change_permission(self, request, obj=None):
        return self._may_publish(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_publish(request)

    def has_view_permission(self, request, obj=None):
        return self._may_publish(request) or super().has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("link to send"))
    def address(self, obj):
        if not obj.pk:
            return _("The link appears here once saved.")
        # A link (not text): "Copy link address" gives the full address.
        path = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', path, path)

    @admin.display(description=_("expires at (Hanoi time, UTC+7)"), ordering="expires_at")
    def expires_time(self, obj):
        return hanoi_time(obj.expires_at)

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.revoked_at:
            return _("revoked")
        if not obj.is_usable():
            return _("expired")
        return _("usable")

    @admin.display(description=_("views"), ordering="view_total")
    def view_count(self, obj):
        return obj.view_total

    @admin.action(description=_("Revoke the selected links"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(n)d link revoked.", "%(n)d links revoked.", count) % {"n": count},
            messages.SUCCESS,
        )

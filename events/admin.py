import smtplib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from asean_portal.core.admin import ContentAdmin, OpenedAsForm, TranslatedAdmin, year_filter
from asean_portal.core.publishing import hanoi_time
from asean_portal.core.publishing_admin import ZONE, HanoiSplitDateTimeField
from asean_portal.core.revisions import guarded, may_publish

from .embargo import full_address, send_link
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


class MeetingPhotoForm(forms.ModelForm):
    """A browser cannot send a chosen file again: when the page comes back
    with errors, the row remembers that a photo had been chosen (image_chosen),
    and refuses to be saved without it rather than store the caption alone
    under a success message."""

    image_chosen = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = MeetingPhoto
        fields = ("image", "focus_x", "focus_y", "caption", "alt_text", "credit", "order")

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("image_chosen")
        if chosen and not cleaned.get("image") and "image" not in self.errors:
            self.add_error(
                "image",
                _(
                    "Choose the photo “%(name)s” again: it was not kept when the page was shown "
                    "with errors, and this row would be saved without it."
                )
                % {"name": chosen},
            )
        return cleaned


class MeetingPhotoInline(TranslationStackedInline):
    model = MeetingPhoto
    form = MeetingPhotoForm
    extra = 0
    fields = (
        "image",
        "focus_x",
        "focus_y",
        "caption",
        "alt_text",
        "credit",
        "order",
        "image_chosen",
    )


def flag_dropped_photos(request, context):
    """On a page shown again after errors, each photo row whose file was
    chosen says so plainly: the file must be chosen again."""
    if request.method != "POST":
        return
    for inline in context.get("inline_admin_formsets", []):
        for form in inline.formset.forms:
            upload = form.files.get(form.add_prefix("image")) if form.files else None
            if upload is None or "image_chosen" not in form.fields:
                continue
            form.data = form.data.copy()
            form.data[form.add_prefix("image_chosen")] = upload.name
            if "image" not in form.errors:
                form.add_error(
                    "image",
                    _(
                        "The photo “%(name)s” was not kept because of the errors on this page: "
                        "choose it again before saving."
                    )
                    % {"name": upload.name},
                )


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

    def render_change_form(self, request, context, *args, **kwargs):
        flag_dropped_photos(request, context)
        return super().render_change_form(request, context, *args, **kwargs)


class PhotoStateFilter(admin.SimpleListFilter):
    title = _("photo")
    parameter_name = "photo"

    def lookups(self, request, model_admin):
        return [("waiting", _("caption waiting for its photo")), ("online", _("photo online"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(image="")
        if self.value() == "online":
            return queryset.exclude(image="")
        return queryset


@admin.register(MeetingPhoto)
class MeetingPhotoAdmin(TabbedTranslationAdmin):
    """Every photo of every meeting; the filter 'caption waiting for its photo'
    is the list of captions whose picture has still to be uploaded."""

    list_display = ("__str__", "meeting", "has_photo", "order")
    list_select_related = ("meeting",)
    list_filter = (PhotoStateFilter,)
    search_fields = ("caption_vi", "caption_en", "meeting__title_vi", "meeting__title_en")
    autocomplete_fields = ("meeting",)

    def _changes_live_rows(self, request, meeting):
        """The photos of a scheduled or public meeting change with its pending
        changes (on the meeting's page) unless a publisher changes them."""
        return guarded(meeting) and not may_publish(request.user, Meeting)

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._changes_live_rows(request, obj.meeting):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._changes_live_rows(request, obj.meeting):
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        model_admin = self

        class LiveMeetingForm(form):
            def clean(self):
                cleaned = super().clean()
                meeting = cleaned.get("meeting")
                if meeting is not None and model_admin._changes_live_rows(request, meeting):
                    self.add_error(
                        "meeting",
                        _(
                            "This meeting is public: add its photo on the meeting's page, "
                            "where it waits with the other pending changes for a publisher."
                        ),
                    )
                return cleaned

        return LiveMeetingForm

    @admin.display(description=_("photo online"), boolean=True)
    def has_photo(self, obj):
        return bool(obj.image)


MAIN_PHOTO_NOT_KEPT = _(
    "The main photo “%(name)s” was not kept because of the errors on this page: "
    "choose the main photo again before saving."
)
MAIN_PHOTO_MISSING = _(
    "Choose the main photo “%(name)s” again: it was not kept when the page was shown with "
    "errors, and the item would be saved without it."
)


class AnnouncementForm(OpenedAsForm):
    """As a meeting's photo rows (MeetingPhotoForm): when the page comes back
    with errors, the form remembers that a main photo had been chosen, names
    it, and refuses to save the item without it."""

    image_chosen = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("image_chosen")
        has_photo = cleaned.get("image") or (self.instance.pk and self.instance.image)
        if chosen and not has_photo and "image" not in self.errors:
            self.add_error("image", MAIN_PHOTO_MISSING % {"name": chosen})
        return cleaned


def flag_dropped_main_photo(request, context):
    """On a page shown again after errors, a main photo that was chosen is
    named as needing to be chosen again."""
    form = getattr(context.get("adminform"), "form", None)
    if request.method != "POST" or form is None or not form.is_bound or form.is_valid():
        return
    upload = form.files.get(form.add_prefix("image")) if form.files else None
    if upload is None or "image_chosen" not in form.fields:
        return
    form.data = form.data.copy()
    form.data[form.add_prefix("image_chosen")] = upload.name
    if "image" not in form.errors:
        form.add_error("image", MAIN_PHOTO_NOT_KEPT % {"name": upload.name})


@admin.register(Announcement)
class AnnouncementAdmin(ContentAdmin):
    list_display = (
        "title",
        "category",
        "kind",
        "is_featured",
        "on_home",
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
        "on_home",
        "english_state",
    )
    search_fields = ("title_vi", "title_en", "lead_vi", "lead_en", "byline")
    autocomplete_fields = ("category", "meeting", "priority", "activity")
    form = AnnouncementForm
    change_form_template = "admin/events/announcement/change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        flag_dropped_main_photo(request, context)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/embargo/",
                self.admin_site.admin_view(self.embargo_view),
                name="events_announcement_embargo",
            ),
            *super().get_urls(),
        ]

    def embargo_view(self, request, object_id):
        """The announcement's embargo links: make one for a named recipient,
        see each as a full address, send it by email."""
        item = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, item) or not self.can_publish(request):
            raise PermissionDenied
        here = reverse("admin:events_announcement_embargo", args=[item.pk])
        form = EmbargoLinkForm(announcement=item)
        if request.method == "POST" and "send_link" in request.POST:
            link = _chosen_link(item, request.POST["send_link"])
            if link is not None:
                _send(request, link)
            return redirect(here)
        if request.method == "POST":
            form = EmbargoLinkForm(request.POST, announcement=item)
            if form.is_valid():
                link = form.save(commit=False)
                link.announcement = item
                link.created_by = request.user
                link.save()
                messages.success(
                    request,
                    gettext("Link made for %(recipient)s: %(address)s")
                    % {"recipient": link.recipient, "address": full_address(link, request)},
                )
                if item.status != "scheduled":
                    messages.warning(
                        request,
                        gettext(
                            "The announcement is not scheduled: the link works only once "
                            "it is scheduled."
                        ),
                    )
                if form.cleaned_data["send"]:
                    _send(request, link)
                return redirect(here)
        links = [
            {"link": link, "address": full_address(link, request), "state": link_state(link)}
            for link in item.embargo_links.annotate(view_total=Count("views"))
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": item,
            "title": gettext("Embargo links"),
            "form": form,
            "links": links,
            "is_public": item.is_live(),
            "embargo_until": hanoi_time(item.publish_at) if item.publish_at else "",
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/events/announcement/embargo.html", context)


class EmbargoLinkForm(forms.ModelForm):
    expires_at = HanoiSplitDateTimeField(label=_("expires at"), help_text=ZONE)
    send = forms.BooleanField(label=_("Send the link by email now"), required=False, initial=True)

    class Meta:
        model = EmbargoLink
        fields = ("recipient", "email", "language", "expires_at")
        error_messages = {
            "email": {"invalid": _("Enter a valid email address, such as name@example.com.")}
        }

    def __init__(self, *args, announcement, **kwargs):
        super().__init__(*args, **kwargs)
        self.announcement = announcement
        self.instance.announcement = announcement

    def clean(self):
        data = super().clean()
        if self.announcement.is_live():
            raise forms.ValidationError(
                _("The announcement is already public: there is nothing to embargo.")
            )
        if data.get("send") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Give an email address to send the link to."))
        return data


def _chosen_link(item, value):
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return item.embargo_links.filter(pk=pk).first()


def link_state(link):
    if link.revoked_at:
        return _("revoked")
    if not link.is_usable():
        return _("expired")
    return _("usable")


def _send(request, link):
    """Email one link, or say in the officer's language why not."""
    if link.announcement.is_live():
        refusal = _("The announcement is already public: the link is no longer needed.")
    elif link.revoked_at:
        refusal = _("This link has been revoked: make a new one.")
    elif not link.is_usable():
        refusal = _("This link has expired: make a new one.")
    elif not link.email:
        refusal = _("This link has no email address.")
    else:
        refusal = None
    if refusal:
        messages.error(request, refusal)
        return
    try:
        send_link(link, request)
    except (OSError, smtplib.SMTPException):
        messages.error(
            request,
            gettext("The email to %(email)s could not be sent; the link is kept: copy it instead.")
            % {"email": link.email},
        )
        return
    messages.success(request, gettext("Sent to %(email)s.") % {"email": link.email})


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
    fields = (
        "announcement",
        "recipient",
        "email",
        "language",
        "expires_at",
        "address",
        "sent_at",
        "revoked_at",
        "created_by",
    )
    readonly_fields = ("address", "sent_at", "revoked_at", "created_by")
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
        # The full address in the recipient's language, as it is sent.
        address = full_address(obj, getattr(obj, "_request", None))
        return format_html('<a href="{}">{}</a>', address, address)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._request = request  # for the address's scheme and host
        return obj

    @admin.display(description=_("expires at (Hanoi time, UTC+7)"), ordering="expires_at")
    def expires_time(self, obj):
        return hanoi_time(obj.expires_at)

    @admin.display(description=_("state"))
    def state(self, obj):
        return link_state(obj)

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

"""What every content admin shares: language tabs, history (django-reversion),
publishing fields guarded by the "publish" permission, times shown in Hanoi
time, and the state of the English translation."""

import logging

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin
from reversion.admin import VersionAdmin

from .admin_session import RESTORED, restore_expired_post
from .publishing import Status, hanoi_time
from .publishing_admin import PublishingAdminMixin, check_publication_time

logger = logging.getLogger(__name__)

STORAGE_FAILED = _(
    "The file could not be stored: the server's storage is full or cannot be written. "
    "Nothing was saved, and your other entries are kept below. Choose the file again "
    "and save, or try again later."
)

PUBLISHING_FIELDS = ("status", "publish_at", "unpublish_at", "english_notice")
ENGLISH_FIELDS = ("english_label", "english_source")
AUDIT_FIELDS = (
    "english_state",
    "first_published_at",
    "withdrawn_at",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "scheduled_by",
    "published_by",
)


def year_filter(field, title):
    """A list filter on the years that occur in a date or year field."""
    is_year = not field.endswith(("date", "_on", "_at"))

    class YearFilter(admin.SimpleListFilter):
        parameter_name = f"{field}_year"

        def lookups(self, request, model_admin):
            queryset = model_admin.get_queryset(request)
            if is_year:
                years = queryset.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)
            else:
                years = [date.year for date in queryset.dates(field, "year")]
            return [(str(year), str(year)) for year in sorted(set(years), reverse=True)]

        def queryset(self, request, queryset):
            value = self.value()
            if not value:
                return queryset
            # Four digits from 1000, as the public pages ask for: there is no
            # year 0, and year 1 begins in Hanoi before the first moment UTC
            # can hold.
            if not (value.isascii() and value.isdigit() and len(value) == 4) or value[0] == "0":
                return queryset.none()
            lookup = field if is_year else f"{field}__year"
            return queryset.filter(**{lookup: int(value)})

    YearFilter.title = title
    return YearFilter


class TranslatedAdmin(VersionAdmin, TabbedTranslationAdmin):
    """Admin for reference data with translated fields and history."""

    list_per_page = 50
    actions = ["mark_english_reviewed"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fields(self, request, obj=None):
        """The content first, then publishing, then the provenance of the
        English and the audit trail."""
        fields = list(super().get_fields(request, obj))
        tail = ["publication_state", *PUBLISHING_FIELDS, *ENGLISH_FIELDS, *AUDIT_FIELDS]
        return [f for f in fields if f not in tail] + [f for f in tail if f in fields]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The form is shown again, filled in, with the reason and nothing
        saved, when the session had expired at the save (admin_session.py) or
        an upload cannot be written (a full disk, a read-only media folder)."""
        if restore_expired_post(request):
            # What is replayed passed the CSRF check when it was posted.
            request._dont_enforce_csrf_checks = True
            request.form_refusal = RESTORED
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError:
            if request.method != "POST" or not request.FILES:
                raise
            logger.exception("an upload could not be stored")
            request.form_refusal = STORAGE_FAILED
            for _field, files in request.FILES.lists():
                for upload in files:
                    upload.seek(0)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def response_delete(self, request, obj_display, obj_id):
        """Point to the undo: django-reversion keeps what was deleted."""
        response = super().response_delete(request, obj_display, obj_id)
        opts = self.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_recoverlist")
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Deleted by mistake?"),
                url,
                _("Recover it from the deleted items."),
            ),
            messages.INFO,
        )
        return response

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "form_refusal", None)
        if refusal is None:
            return form

        class RefusingForm(form):
            def clean(self):
                raise forms.ValidationError(refusal, code="refused")

        return RefusingForm

    def render_change_form(self, request, context, *args, **kwargs):
        # The rich text editor's import map is an inline script: it carries the
        # request's Content-Security-Policy nonce.
        media = context.get("media")
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None and hasattr(media, "with_nonce"):
            context["media"] = media.with_nonce(str(nonce))
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description=_("Mark the English as reviewed (it still matches the Vietnamese)"))
    def mark_english_reviewed(self, request, queryset):
        count = 0
        for obj in queryset:
            obj.mark_english_reviewed()
            obj.save()
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d item marked as reviewed.", "%(count)d items marked as reviewed.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("English"), ordering="english_state")
    def english(self, obj):
        return obj.get_english_state_display()


class ContentAdmin(PublishingAdminMixin, TranslatedAdmin):
    """Admin for Publishable content."""

    date_hierarchy = "publish_at"
    actions = [
        "schedule_selected",
        "publish_selected_now",
        "unpublish_selected",
        "mark_english_reviewed",
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class PublishingForm(form):
            def clean(self):
                cleaned = super().clean()
                check_publication_time(self)
                return cleaned

        return PublishingForm

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + list(AUDIT_FIELDS)
        if not self.can_publish(request):
            readonly += list(PUBLISHING_FIELDS)
        return readonly

    def can_publish(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        if self.can_publish(request) and "status" in form.changed_data:
            if obj.status == Status.SCHEDULED:
                obj.scheduled_by = request.user
            elif obj.status == Status.PUBLISHED:
                obj.published_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("publication time (Hanoi time, UTC+7)"), ordering="publish_at")
    def publish_time(self, obj):
        return hanoi_time(obj.publish_at)

    @admin.display(description=_("public now"), boolean=True)
    def public_now(self, obj):
        return obj.is_live()

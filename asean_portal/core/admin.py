"""What every content admin shares: language tabs, history (django-reversion),
publishing fields guarded by the "publish" permission, times shown in Hanoi
time, and the state of the English translation."""

import functools
import hashlib
import logging
from itertools import chain

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.deletion import Collector
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin
from reversion.admin import VersionAdmin
from reversion.models import Version, _safe_revert
from reversion.revisions import _follow_relations_recursive

from . import revision_log, revisions
from .admin_session import RESTORED, restore_expired_post
from .content import in_languages
from .publishing import PublicationEvent, Publishable, Status, hanoi_time
from .publishing_admin import PublishingAdminMixin
from .revisions_admin import RevisionAdminMixin
from .richtext import plain_text

logger = logging.getLogger(__name__)

STORAGE_FAILED = _(
    "The file could not be stored: the server's storage is full or cannot be written. "
    "Nothing was saved, and your other entries are kept below. Choose the file again "
    "and save, or try again later."
)

PUBLISHING_FIELDS = ("status", "publish_at", "unpublish_at", "english_notice")
# What only the transitions of asean_portal.core.publishing change: never a
# form field, never written by saving a form (a stale one included), never
# restored from a version.
STATE_COLUMNS = (
    "status",
    "publish_at",
    "unpublish_at",
    "english_notice",
    "first_published_at",
    "withdrawn_at",
    "scheduled_by_id",
    "published_by_id",
)
# A deleted item comes back from the history as a draft.
RECOVERED_STATE = {
    "status": Status.DRAFT,
    "publish_at": None,
    "unpublish_at": None,
    "english_notice": False,
    "withdrawn_at": None,
    "scheduled_by_id": None,
    "published_by_id": None,
}
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


def with_vietnamese_source(form_class, translated_fields):
    """``form_class`` whose English fields show, under each, the Vietnamese of
    the same field (as posted, or as stored): what the English translates."""

    class ShowsVietnameseForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in translated_fields:
                english, vietnamese = f"{name}_en", f"{name}_vi"
                if english not in self.fields or vietnamese not in self.fields:
                    continue
                text = plain_text(self[vietnamese].value())
                if not text:
                    continue
                field = self.fields[english]
                # Set before the field's BoundField exists: it copies the help text.
                field.help_text = format_html(
                    '{}<div class="vi-source" id="{}">'
                    '<span class="vi-source-label">{}</span> <span lang="vi">{}</span></div>',
                    field.help_text or "",
                    f"{self.auto_id % self.add_prefix(english)}_vi_source",
                    _("Vietnamese:"),
                    text,
                )

    return ShowsVietnameseForm


def english_state_text(obj):
    """The state of the English, naming the fields whose Vietnamese changed
    since their English was written."""
    text = obj.get_english_state_display()
    outdated = obj.english_outdated_fields() if obj.english_state == "outdated" else []
    if not outdated:
        return text
    names = ", ".join(str(obj._meta.get_field(name).verbose_name) for name in outdated)
    return f"{text}: {names}"


class OpenedAsForm(forms.ModelForm):
    """Carries what the item was when the form was opened (a digest, see
    TranslatedAdmin.fingerprint): a save after someone else's is refused once,
    with the difference."""

    opened_as = forms.CharField(widget=forms.HiddenInput, required=False)


class TranslatedAdmin(VersionAdmin, TabbedTranslationAdmin):
    """Admin for reference data with translated fields and history."""

    form = OpenedAsForm

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-editor.js"]

    list_per_page = 50
    actions = ["mark_english_reviewed"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fields(self, request, obj=None):
        """The content first, then publishing, then the provenance of the
        English and the audit trail."""
        fields = list(super().get_fields(request, obj))
        tail = [
            "publication_state",
            *PUBLISHING_FIELDS,
            *ENGLISH_FIELDS,
            *AUDIT_FIELDS,
            "opened_as",
        ]
        return [f for f in fields if f not in tail] + [f for f in tail if f in fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            return fieldsets
        # Nothing to compare: a new item, or a read-only page.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "opened_as"]})
            for name, options in fieldsets
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The form is shown again, filled in, with the reason and nothing
        saved, when the session had expired at the save (admin_session.py) or
        an upload cannot be written (a full disk, a read-only media folder)."""
        if restore_expired_post(request):
            # What is replayed passed the CSRF check when it was posted.
            request._dont_enforce_csrf_checks = True
            request.form_refusal = RESTORED
            return super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and object_id is not None:
            self.warn_english_outdated(request, object_id)
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

    def warn_english_outdated(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or obj.english_state != "outdated":
            return
        outdated = obj.english_outdated_fields()
        if not outdated:
            return
        names = ", ".join(str(obj._meta.get_field(name).verbose_name) for name in outdated)
        messages.warning(
            request,
            _(
                "The English is outdated: the Vietnamese changed in %(fields)s since the "
                "English was last updated. Update the English tab, or mark the English as "
                "reviewed if it still matches."
            )
            % {"fields": names},
        )

    def history_view(self, request, object_id, extra_context=None):
        """The item's versions, the transitions that happened to it and the
        review of its pending changes, in one timeline, newest first."""
        response = super().history_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        events = PublicationEvent.objects.filter(
            content_type=content_type, object_id=unquote(object_id)
        ).select_related("scheduled_by", "acted_by")
        timeline = (
            [
                {
                    "at": action["revision"].date_created,
                    "url": action["url"],
                    "who": action["revision"].user,
                    "what": action["revision"].get_comment() or _("Saved"),
                }
                for action in context["action_list"]
            ]
            + [
                {
                    "at": event.happened_at,
                    "who": event.acted_by or event.scheduled_by,
                    "what": _("%(action)s (due %(due)s, %(late)s ms late, run by %(source)s)")
                    % {
                        "action": event.get_action_display(),
                        "due": hanoi_time(event.due_at),
                        "late": event.lateness_ms,
                        "source": event.source,
                    },
                }
                for event in events
            ]
            + [
                {"at": step.at, "who": step.by, "what": step.describe()}
                for step in revision_log.events_of(self.model, unquote(object_id))
            ]
        )
        context["timeline"] = sorted(timeline, key=lambda entry: entry["at"], reverse=True)
        return response

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
        form = with_vietnamese_source(
            super().get_form(request, obj, **kwargs), self.model.translated_fields()
        )
        refusal = getattr(request, "form_refusal", None)
        if refusal is not None:

            class RefusingForm(form):
                def clean(self):
                    raise forms.ValidationError(refusal, code="refused")

            return RefusingForm
        if obj is None:
            return form
        model_admin = self

        class UnchangedSinceOpenedForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["opened_as"].initial = model_admin.fingerprint(request, self.instance)

            def clean(self):
                cleaned = super().clean()
                opened_as = self.data.get("opened_as")
                now = self.fields["opened_as"].initial
                if opened_as and opened_as != now:
                    model_admin.refuse_lost_update(self, now)
                return cleaned

        return UnchangedSinceOpenedForm

    def fingerprint(self, request, obj):
        """A digest of what staff edit of ``obj`` as it is stored now: its
        content columns (not its publication state), its many-to-many links
        and the rows of its inlines."""
        parts = [
            (field.attname, field.value_to_string(obj))
            for field in obj._meta.concrete_fields
            # The display values follow the publication time too: derived, not edited.
            if field.attname not in (*STATE_COLUMNS, "updated_at", "display")
        ]
        for field in obj._meta.many_to_many:
            parts.append(
                (field.name, sorted(getattr(obj, field.name).values_list("pk", flat=True)))
            )
        for inline in self.get_inline_instances(request, obj):
            fk = inline.get_formset(request, obj).fk
            rows = inline.model._default_manager.filter(**{fk.name: obj}).order_by("pk")
            parts.append((inline.model._meta.label, list(rows.values_list())))
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def last_change(self, obj):
        """(who, when) of the latest saved version of ``obj``, or None."""
        version = Version.objects.get_for_object(obj).select_related("revision__user").first()
        if version is None:
            return None
        return version.revision.user, version.revision.date_created

    def refuse_lost_update(self, form, now):
        """Name who saved since the form was opened and when, show the saved
        value beside each field where it differs from what was typed, and let
        the next save (made knowingly) go through."""
        who = _("Another staff member")
        when = hanoi_time(getattr(form.instance, "updated_at", None))
        last = self.last_change(form.instance)
        if last is not None:
            user, moment = last
            who = (user.get_full_name() or user.get_username()) if user else who
            when = hanoi_time(moment)
        form.add_error(
            None,
            _(
                "%(who)s changed this item at %(time)s (Hanoi time) after you opened it. "
                "Nothing was saved: what you typed is kept below, and the saved value is "
                "shown under each field that differs. Check them, then save again to keep "
                "your version."
            )
            % {"who": who, "time": when},
        )
        for name in form.changed_data:
            if name == "opened_as" or name not in form.fields:
                continue
            saved = strip_tags(str(form.initial.get(name) or "")).strip()
            form.add_error(
                name, _("Saved now: “%(value)s”") % {"value": Truncator(saved).chars(300)}
            )
        form.data = form.data.copy()
        form.data["opened_as"] = now

    def render_change_form(self, request, context, *args, **kwargs):
        # The rich text editor's import map is an inline script: it carries the
        # request's Content-Security-Policy nonce.
        media = context.get("media")
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None and hasattr(media, "with_nonce"):
            context["media"] = media.with_nonce(str(nonce))
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(
        description=_("Mark the English as reviewed (it still matches the Vietnamese)"),
        permissions=["change"],
    )
    def mark_english_reviewed(self, request, queryset):
        count = refused = 0
        for obj in queryset:
            # It takes the "English may be outdated" notice off a public page:
            # on a public or scheduled item, only a publisher may, as for any
            # other change of what the public sees.
            if (
                isinstance(obj, Publishable)
                and revisions.guarded(obj)
                and not revisions.may_publish(request.user, type(obj))
            ):
                refused += 1
                continue
            obj.mark_english_reviewed()
            obj.save()
            count += 1
        if count or not refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d item marked as reviewed.",
                    "%(count)d items marked as reviewed.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d item is public or scheduled: only those who may publish it can "
                    "mark its English as reviewed.",
                    "%(count)d items are public or scheduled: only those who may publish them can "
                    "mark their English as reviewed.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )

    @admin.display(description=_("English"), ordering="english_state")
    def english(self, obj):
        return english_state_text(obj)


FIELDSETS = (
    ("content", _("Content")),
    ("relations", _("Relations")),
    ("media", _("Media")),
    ("publication", _("Dates and publication")),
)
# The fieldsets shown beside the others on a wide screen (static/css/admin.css).
SIDEBAR = {"publication": ["publication-sidebar"]}
HEADLINES = ("title", "name", "theme")
PUBLICATION_FIELDS = (
    "publication_state",
    *PUBLISHING_FIELDS,
    *ENGLISH_FIELDS,
    *AUDIT_FIELDS,
    "change_note",
    "withdrawal_reason",
    "is_featured",
    "featured_from",
    "featured_until",
    "on_home",
    "posted_time_known",
    "date_note",
)


def base_name(name):
    for language in ("_vi", "_en"):
        if name.endswith(language):
            return name[: -len(language)]
    return name


def sidebar_order(fields):
    """The publication group in the order it is read: the state, the times of
    publication and the English's state first, the record last."""
    first = ("publication_state", *PUBLISHING_FIELDS, "english_state", *ENGLISH_FIELDS)
    last = [name for name in AUDIT_FIELDS if name != "english_state"]
    rank = {name: index for index, name in enumerate(first)}
    rank.update({name: 1000 + index for index, name in enumerate(last)})
    return sorted(fields, key=lambda name: rank.get(name, 50))


def field_group(model, name):
    """The fieldset ``name`` belongs in (FIELDSETS)."""
    base = base_name(name)
    if base in PUBLICATION_FIELDS or base == "year" or base.endswith("_year"):
        return "publication"
    if base.startswith("image"):
        return "media"
    try:
        field = model._meta.get_field(base)
    except Exception:
        return "content"
    if isinstance(field, models.FileField):
        return "media"
    if isinstance(field, models.DateField):
        return "publication"
    if field.is_relation:
        return "relations"
    return "content"


class ContentAdmin(RevisionAdminMixin, PublishingAdminMixin, TranslatedAdmin):
    """Admin for Publishable content."""

    date_hierarchy = "publish_at"
    actions = [
        "schedule_selected",
        "publish_selected_now",
        "unpublish_selected",
        "mark_english_reviewed",
    ]

    def get_fieldsets(self, request, obj=None):
        """The fields in labelled groups, in the order people work: the content
        (its title first), relations, media, then the dates and publication
        (with the English's state and the record), which the change form shows
        in a sidebar on a wide screen."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets or len(fieldsets) != 1:
            return fieldsets
        fields = list(fieldsets[0][1]["fields"])
        groups = {key: [] for key, _label in FIELDSETS}
        for name in fields:
            groups[field_group(self.model, name)].append(name)
        headline = [name for name in groups["content"] if base_name(name) in HEADLINES]
        hidden = [name for name in groups["content"] if name in ("opened_as", "image_chosen")]
        groups["content"] = headline + [
            name for name in groups["content"] if name not in headline and name not in hidden
        ]
        groups["content"] += [name for name in hidden if name == "opened_as"]
        groups["media"] += [name for name in hidden if name == "image_chosen"]
        groups["publication"] = sidebar_order(groups["publication"])
        return [
            (label, {"fields": groups[key], "classes": SIDEBAR.get(key, [])})
            for key, label in FIELDSETS
            if groups[key]
        ]

    def get_readonly_fields(self, request, obj=None):
        # The publication state is shown, and changed by the buttons and
        # actions (PublishingAdminMixin), which go through the transitions.
        fields = [*super().get_readonly_fields(request, obj), *AUDIT_FIELDS, *PUBLISHING_FIELDS]
        reverting = getattr(request, "publication_state", None) is not None
        if reverting or not self.can_publish(request):
            # Readers see it on the withdrawn item's page, which no review
            # stands before: set by those who may withdraw the item, and kept
            # by a revert to a version (the History and Recover forms).
            fields += in_languages("withdrawal_reason")
        return fields

    def can_publish(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.updated_by = request.user
            super().save_model(request, obj, form, change)
            return
        if self.keep_as_pending(request, obj, form):
            return
        obj.updated_by = request.user
        # The object was read when the form was posted; its state may have
        # changed since (the sweep published it): only the content is written.
        obj.save(
            update_fields=[
                field.attname
                for field in obj._meta.concrete_fields
                if not field.primary_key and field.attname not in STATE_COLUMNS
            ]
        )

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """Reverting to a version or recovering a deleted item restores the
        content only: the state stays as the transitions left it, and a
        recovered item is a draft."""
        # The withdrawal's reason belongs to the withdrawal, as its time does:
        # public on the withdrawn page, set by those who may withdraw the item.
        kept = (*STATE_COLUMNS, *in_languages("withdrawal_reason"))
        current = self.model._default_manager.filter(pk=version.object_id).values(*kept).first()
        request.publication_state = current or RECOVERED_STATE
        # The revision may hold other items (a bulk action saves every item it
        # changes in one revision): only this item and its rows come back.
        version.revision.revert = functools.partial(revert_item, version)
        return super()._reversion_revisionform_view(request, version, template_name, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        """Recover brings back a deleted item of this type only: an item that
        still exists is restored from its History, under that page's rules."""
        version = Version.objects.filter(pk=version_id).select_related("content_type").first()
        if (
            version is None
            or version.content_type.model_class() is not self.model
            or self.model._default_manager.filter(pk=version.object_id).exists()
        ):
            raise Http404
        return super().recover_view(request, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        state = getattr(request, "publication_state", None)
        if state is not None and object_id is not None:
            # Called by the history views just after the version was written
            # back, in their transaction.
            self.model._default_manager.filter(pk=unquote(object_id)).update(**state)
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("publication time (Hanoi time, UTC+7)"), ordering="publish_at")
    def publish_time(self, obj):
        return hanoi_time(obj.publish_at)

    @admin.display(description=_("public now"), boolean=True)
    def public_now(self, obj):
        return obj.is_live()


def _same_object(candidate, version):
    return (candidate.content_type_id, candidate.object_id) == (
        version.content_type_id,
        version.object_id,
    )


def _of_item(candidate, version):
    """Whether ``candidate`` (a version in ``version``'s revision) is of
    ``version``'s item or of one of its rows (an inline's, pointing at it)."""
    if _same_object(candidate, version):
        return True
    model = candidate._model
    if model is None or issubclass(model, Publishable):
        return False
    values = candidate.field_dict
    return any(
        field.many_to_one
        and field.related_model is version._model
        and str(values.get(field.attname)) == str(version.object_id)
        for field in model._meta.concrete_fields
    )


def _moved_away(candidate, version):
    """Whether ``candidate``, a version of one of the item's rows, is of a row
    that now belongs to another item: writing it back would take the row
    from that item, which may be public."""
    if _same_object(candidate, version):
        return False
    model = candidate._model
    links = [
        field.attname
        for field in model._meta.concrete_fields
        if field.many_to_one and field.related_model is version._model
    ]
    now = model._default_manager.using(candidate.db).filter(pk=candidate.object_id)
    current = now.values(*links).first()
    if current is None:
        return False  # deleted since: it comes back with the item
    return all(str(current[link]) != str(version.object_id) for link in links)


def revert_item(version, delete=False):
    """Revision.revert narrowed to ``version``'s item and its rows: the other
    items of the revision keep their content and their publication state, and
    so do rows that have moved to another item since."""
    versions = [
        v
        for v in version.revision.version_set.all()
        if _of_item(v, version) and not _moved_away(v, version)
    ]
    with transaction.atomic(using=version.db):
        if delete:
            # As Revision.revert: the rows added since the version go.
            old = set()
            for each in versions:
                model = each._model
                found = model._default_manager.using(each.db).filter(pk=each.object_id).first()
                if found is not None:
                    old.add(found)
            now = chain.from_iterable(_follow_relations_recursive(obj) for obj in old)
            collector = Collector(using=version.db)
            for obj in [obj for obj in now if obj not in old]:
                collector.collect([obj])
            collector.delete()
        _safe_revert(versions)

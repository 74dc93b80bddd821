"""Pending revisions in every content admin (ContentAdmin): the change form
of a scheduled or public item keeps an edit as pending changes when the
editor may not publish or chooses "Save as draft"; the change page shows the
changes beside the live text with the decisions a publisher may take; every
change list shows and filters the editorial state."""

import difflib
import hashlib
import json
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import revisions
from .publishing import Status, english_lacking
from .publishing_admin import (
    ZONE,
    HanoiSplitDateTimeField,
    PublishForm,
    ScheduleForm,
    apply_errors,
    english_field,
)
from .revisions import OPEN_STATES, PendingRevision, RevisionState

DRAFT_BUTTON = "_save_as_draft"
SUBMIT_BUTTON = "_submit_for_review"
ACTIONS = ("publish", "schedule", "send_back", "discard", "submit")


class RevisionScheduleForm(forms.Form):
    publish_at = HanoiSplitDateTimeField(
        label=gettext_lazy("The changes go live at"), help_text=ZONE
    )

    def __init__(self, *args, english_missing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if english_missing:
            self.fields["english"] = english_field()


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment for the author"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=gettext_lazy("Plain text: the author receives it by email."),
    )


class ConfirmForm(forms.Form):
    pass


def word_diff(old, new):
    """(old, new) as HTML with the removed words in <del> and the added ones
    in <ins>; every piece of the texts is escaped (markup shows as text)."""
    a, b = re.split(r"(\s+)", old or ""), re.split(r"(\s+)", new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        gone, came = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            left.append(escape(gone))
            right.append(escape(came))
            continue
        if gone:
            left.append(format_html("<del>{}</del>", gone))
        if came:
            right.append(format_html("<ins>{}</ins>", came))
    join = lambda parts: format_html_join("", "{}", ((part,) for part in parts))  # noqa: E731
    return join(left), join(right)


def shown(item, field, value):
    """A value as staff read it in the diff (plain text, escaped later)."""
    if field.many_to_many:
        model = field.remote_field.model
        return "; ".join(str(obj) for obj in model._default_manager.filter(pk__in=value or []))
    if field.is_relation:
        model = field.remote_field.model
        obj = model._default_manager.filter(pk=value).first() if value is not None else None
        return str(obj) if obj is not None else "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value or ""))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def diff_rows(item, revision):
    """Field by field, in the form's order, the live value and the pending
    one, for the fields that differ."""
    live = type(item)._default_manager.get(pk=item.pk)
    pending = type(item)._default_manager.get(pk=item.pk)
    links, _columns = revisions.materialize(revision, pending)
    rows = []
    for name in revision.fields:
        try:
            field = item._meta.get_field(name)
        except Exception:
            continue
        if field.many_to_many:
            before = sorted(getattr(live, name).values_list("pk", flat=True))
            after = sorted(links.get(name, []))
        else:
            before, after = getattr(live, field.attname), getattr(pending, field.attname)
        before, after = shown(item, field, before), shown(item, field, after)
        if before == after:  # an empty text and no value read the same
            continue
        old, new = word_diff(before, after)
        rows.append({"label": field.verbose_name, "name": name, "live": old, "pending": new})
    return rows + row_diff_rows(item, revision)


def row_text(row, names):
    """A row's values ``names`` as staff read them, one "label: value" each."""
    parts = []
    for name in names:
        field = row._meta.get_field(name)
        value = getattr(row, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        text = shown(row, field, value)
        if text:
            parts.append(f"{field.verbose_name}: {text}")
    return "; ".join(parts)


def row_diff_rows(item, revision):
    """The inline rows that the revision adds, changes or removes, each with
    its live and pending values (the changed ones only for a change)."""
    result = []
    for accessor, change in revisions.row_changes(revision).items():
        try:
            model = item._meta.get_field(accessor).related_model
        except Exception:
            continue
        rows = model._default_manager.filter(**{change["fk"]: item})
        live = {row.pk: row for row in rows}
        noun = model._meta.verbose_name
        for pk in change["deleted"]:
            if pk in live:
                names = [
                    field.name
                    for field in model._meta.concrete_fields
                    if field.name != change["fk"] and not field.primary_key
                ]
                old, new = word_diff(row_text(live[pk], names), "")
                label = _("%(row)s (removed)") % {"row": noun}
                result.append({"label": label, "name": accessor, "live": old, "pending": new})
        for entry in change["changed"]:
            row = live.get(entry["pk"])
            if row is None:
                continue
            pending = revisions.materialize_row(
                model._default_manager.get(pk=row.pk), entry["fields"]
            )
            names = [
                name
                for name in entry["fields"]
                if row_text(row, [name]) != row_text(pending, [name])
            ]
            old, new = word_diff(row_text(row, names), row_text(pending, names))
            label = _("%(row)s “%(name)s” (changed)") % {"row": noun, "name": row}
            result.append({"label": label, "name": accessor, "live": old, "pending": new})
        # With no live rows given, the pending rows are the added ones.
        added = revisions.pending_rows(revision, item, accessor, [])
        for values, row in zip(change["added"], added, strict=True):
            names = [name for name in values if name != change["fk"]]
            old, new = word_diff("", row_text(row, names))
            label = _("%(row)s (added)") % {"row": noun}
            result.append({"label": label, "name": accessor, "live": old, "pending": new})
    return result


class EditorialStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("editorial state")
    parameter_name = "editorial"

    def lookups(self, request, model_admin):
        return EDITORIAL_STATES

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value in ("in_review", "sent_back", "pending", "changes_scheduled"):
            state = {"pending": RevisionState.DRAFT, "changes_scheduled": "scheduled"}.get(
                value, value
            )
            return queryset.filter(open_revision_state=state)
        item_status = {
            "draft": Status.DRAFT,
            "scheduled": Status.SCHEDULED,
            "live": Status.PUBLISHED,
            "withdrawn": Status.ARCHIVED,
        }.get(value)
        if item_status is None:
            return queryset.none()
        return queryset.filter(status=item_status, open_revision_state__isnull=True)


EDITORIAL_STATES = (
    ("draft", gettext_lazy("Draft")),
    ("scheduled", gettext_lazy("Approved and scheduled")),
    ("live", gettext_lazy("Live")),
    ("pending", gettext_lazy("Live with pending changes")),
    ("in_review", gettext_lazy("Changes in review")),
    ("sent_back", gettext_lazy("Changes sent back")),
    ("changes_scheduled", gettext_lazy("Changes approved and scheduled")),
    ("withdrawn", gettext_lazy("Withdrawn")),
)


def editorial_state(item):
    if "open_revision_state" in item.__dict__:  # annotated by the change list
        state = item.open_revision_state
    else:
        revision = revisions.open_revision(item)
        state = revision.state if revision else None
    labels = dict(EDITORIAL_STATES)
    if state and item.status == Status.DRAFT:
        return RevisionState(state).label
    if state:
        key = {RevisionState.DRAFT: "pending", RevisionState.SCHEDULED: "changes_scheduled"}.get(
            state, state
        )
        return labels[key]
    key = {
        Status.DRAFT: "draft",
        Status.SCHEDULED: "scheduled",
        Status.PUBLISHED: "live",
        Status.ARCHIVED: "withdrawn",
    }[item.status]
    return labels[key]


def edited_fields(form, obj):
    """The names of the model's fields (columns and many-to-many) in ``form``."""
    names = []
    for name in form.fields:
        try:
            field = obj._meta.get_field(name)
        except Exception:
            continue
        if (field.concrete or field.many_to_many) and not field.primary_key:
            names.append(name)
    return names


def row_fields(form, row, fk):
    return [name for name in edited_fields(form, row) if name != fk.name]


def formset_changes(formset, item):
    """What a valid inline formset changes in ``item``'s live rows: the
    rows added (their values), changed (pk and values) and deleted (pks).
    An uploaded file is stored now; its row is created when the changes are
    applied."""
    fk = formset.fk
    live = {row.pk: row for row in formset.model._default_manager.filter(**{fk.name: item})}
    deleted = set(getattr(formset, "pending_deleted", ())) & set(live)
    added, changed = [], []
    for index, form in enumerate(formset.forms):
        row = form.instance
        if formset.can_delete and formset._should_delete_form(form):
            if row.pk in live:
                deleted.add(row.pk)
            continue
        if row.pk in live:
            names = row_fields(form, row, fk)
            values = revisions.serialize_row(row, names)
            if values != revisions.serialize_row(live[row.pk], names):
                changed.append({"pk": row.pk, "fields": values})
        elif index >= formset.initial_form_count() and (
            form.has_changed() or getattr(form, "pending_key", None) is not None
        ):
            added.append(revisions.serialize_row(row, row_fields(form, row, fk)))
    return {
        "model": formset.model._meta.label_lower,
        "fk": fk.name,
        "added": added,
        "changed": changed,
        "deleted": sorted(deleted),
    }


def row_initial(model, values):
    """A pending new row's values as its form's initial data: a stored
    upload as the file (the form shows it, and keeps it when saved again)."""
    initial = dict(values)
    row = revisions.load_row(model, values)
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField) and values.get(field.name):
            initial[field.name] = getattr(row, field.attname)
    return initial


PENDING_ROW = "pending_row"  # the hidden field naming a pending new row


def pending_row_key(position, values):
    """The stable key of the pending new row ``values``, the ``position``-th
    added row of its revision: carried by the row's form in a hidden field, so
    that the row keeps its stored upload wherever the admin's script moves it
    (removing a new row renumbers the rows after it)."""
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
    return f"{position}-{digest.hexdigest()[:16]}"


def pending_formset(formset_class, change):
    """``formset_class`` showing the pending rows of ``change``: the deleted
    rows left out, the changed ones with their pending values, the added ones
    as filled-in new rows. A new row keeps its stored upload only when its
    form carries the row's key (PENDING_ROW), never by its place in the form."""
    deleted = set(change["deleted"])
    changed = {entry["pk"]: entry["fields"] for entry in change["changed"]}
    added = {
        pending_row_key(position, values): values for position, values in enumerate(change["added"])
    }

    class PendingRowsFormSet(formset_class):
        extra = max(formset_class.extra, len(added))
        pending_deleted = deleted

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.claimed = set()
            if self.is_bound:  # each new row's initial comes from its own key
                self.initial_extra = None
            else:
                self.initial_extra = [
                    {**row_initial(self.model, values), PENDING_ROW: key}
                    for key, values in added.items()
                ]

        def add_fields(self, form, index):
            super().add_fields(form, index)
            form.fields[PENDING_ROW] = forms.CharField(required=False, widget=forms.HiddenInput)

        def get_queryset(self):
            if not hasattr(self, "_queryset"):
                queryset = super().get_queryset()
                rows = [row for row in queryset if row.pk not in deleted]
                for row in rows:
                    if row.pk in changed:
                        revisions.materialize_row(row, changed[row.pk])
                        row._pending = True
                queryset._result_cache = rows
                queryset._prefetch_done = True
                self._queryset = queryset
            return self._queryset

        def _pending_key(self, i):
            """The key of the pending new row that form ``i`` stands for, or None."""
            if i < self.initial_form_count():
                return None
            if not self.is_bound:
                keys = list(added)
                offset = i - self.initial_form_count()
                return keys[offset] if offset < len(keys) else None
            key = self.data.get(f"{self.add_prefix(i)}-{PENDING_ROW}")
            if key not in added or key in self.claimed:
                return None
            self.claimed.add(key)
            return key

        def _construct_form(self, i, **kwargs):
            key = self._pending_key(i)
            if key is not None:
                kwargs["empty_permitted"] = False
                if self.is_bound:
                    kwargs["initial"] = {**row_initial(self.model, added[key]), PENDING_ROW: key}
            form = super()._construct_form(i, **kwargs)
            form.pending_key = key
            if key is not None or getattr(form.instance, "_pending", False):
                # Unchanged since the form was shown, still a change to the
                # live rows: a publisher's save makes it live.
                form.has_changed = lambda: True
            return form

    return PendingRowsFormSet


def with_pending_keys(inline_admin_formset):
    """The inline's fieldsets with the hidden PENDING_ROW field, so that the
    form of each pending new row carries its key."""
    if hasattr(inline_admin_formset.formset, "claimed"):
        fieldsets = [(name, dict(options)) for name, options in inline_admin_formset.fieldsets]
        name, options = fieldsets[-1]
        options["fields"] = [*options["fields"], PENDING_ROW]
        inline_admin_formset.fieldsets = fieldsets
    return inline_admin_formset


class RevisionAdminMixin:
    """See the module's docstring. Needs can_publish() (ContentAdmin)."""

    change_form_template = "admin/revisions/change_form.html"

    # --- keeping an edit as pending changes -----------------------------------
    def keep_as_pending(self, request, obj, form):
        """Called by save_model for a change: True when the edit was kept as
        a revision instead of being written to the live row."""
        chosen = DRAFT_BUTTON in request.POST or SUBMIT_BUTTON in request.POST
        if not revisions.guarded(obj) or (self.can_publish(request) and not chosen):
            return False
        request.rows_before = revisions.row_changes(revisions.open_revision(obj))
        request.pending_revision = self.store_revision(request, obj, form)
        return True

    def store_revision(self, request, obj, form):
        names = edited_fields(form, obj)
        return revisions.store(
            obj,
            names,
            by=request.user,
            links={
                name: [related.pk for related in form.cleaned_data.get(name) or []]
                for name in names
                if obj._meta.get_field(name).many_to_many
            },
            submit=SUBMIT_BUTTON in request.POST,
            draft=DRAFT_BUTTON in request.POST,
        )

    def save_related(self, request, form, formsets, change):
        if getattr(request, "pending_revision", None) is not None:
            # The links are in the revision, and so are the inlines' changes:
            # the live rows stay as they are.
            obj = form.instance
            revisions.store_rows(
                request.pending_revision,
                {
                    formset.fk.remote_field.get_accessor_name(): formset_changes(formset, obj)
                    for formset in formsets
                },
                before=request.rows_before,
            )
            for formset in formsets:  # nothing of theirs was saved
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_related(request, form, formsets, change)
        obj = form.instance
        for formset in formsets:
            # Rows deleted by the pending changes this form showed.
            deleted = getattr(formset, "pending_deleted", ())
            if deleted:
                rows = formset.model._default_manager.filter(**{formset.fk.name: obj})
                for row in rows.filter(pk__in=deleted):
                    row.delete()
        if change and revisions.is_new_draft(obj):
            # A new draft submitted for review, or edited while it waits:
            # its revision holds what the row holds.
            if SUBMIT_BUTTON in request.POST or revisions.open_revision(obj) is not None:
                request.draft_revision = self.store_revision(request, obj, form)
        elif change and self.can_publish(request):
            revisions.superseded(obj, by=request.user)

    def log_change(self, request, obj, message):
        if getattr(request, "pending_revision", None) is not None:
            message = _("Saved as pending changes (%(state)s)") % {
                "state": request.pending_revision.get_state_display()
            }
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        revision = getattr(request, "pending_revision", None)
        draft = getattr(request, "draft_revision", None)
        if draft is not None and draft.state == RevisionState.IN_REVIEW:
            self.message_user(
                request, _("The changes were submitted for review."), messages.SUCCESS
            )
            return redirect(self._change_url(obj.pk))
        if revision is None:
            return super().response_change(request, obj)
        if revision.state == RevisionState.IN_REVIEW:
            text = _(
                "Your changes were submitted for review. The public still sees the approved "
                "version."
            )
        else:
            text = _(
                "Your changes were kept as pending changes. The public still sees the approved "
                "version until a publisher publishes them."
            )
        self.message_user(request, text, messages.SUCCESS)
        return redirect(self._change_url(obj.pk))

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        return [
            with_pending_keys(inline_admin_formset)
            for inline_admin_formset in super().get_inline_formsets(
                request, formsets, inline_instances, obj
            )
        ]

    def get_formsets_with_inlines(self, request, obj=None):
        """The inlines of an item with pending changes show its pending rows."""
        revision = getattr(obj, "_pending_revision", None)
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            accessor = formset.fk.remote_field.get_accessor_name()
            change = revisions.row_changes(revision).get(accessor)
            yield (pending_formset(formset, change) if change else formset), inline

    # --- the form shows the pending changes ------------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and getattr(request, "publication_state", None) is None:
            request.show_pending = True
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and getattr(request, "show_pending", False):
            revision = revisions.open_revision(obj)
            if revision is not None:
                obj._pending_links, _columns = revisions.materialize(revision, obj)
                obj._pending_revision = revision
        return obj

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        links = getattr(obj, "_pending_links", None)
        if not links:
            return form

        class PendingLinksForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial.update(links)

        return PendingLinksForm

    def fingerprint(self, request, obj):
        digest = super().fingerprint(request, obj)
        revision = revisions.open_revision(obj)
        if revision is None:
            return digest
        mark = hashlib.sha256(f"{revision.pk}:{revision.updated_at.isoformat()}".encode())
        return f"{digest[:24]}{mark.hexdigest()[:8]}"

    def last_change(self, obj):
        """Pending changes saved after the latest version are the last change."""
        last = super().last_change(obj)
        revision = revisions.open_revision(obj)
        if revision is not None and (last is None or revision.updated_at > last[1]):
            return revision.author, revision.updated_at
        return last

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restoring a version writes the live row: on a scheduled or public
        item, only a publisher does it."""
        obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if request.method == "POST" and revisions.guarded(obj) and not self.can_publish(request):
            self.message_user(
                request,
                _(
                    "This item is public: restoring an old version would change what readers "
                    "see, so only a publisher does it. Copy the text you need into the item "
                    "and save it as pending changes."
                ),
                messages.ERROR,
            )
            return redirect(self._change_url(obj.pk))
        return super().revision_view(request, object_id, version_id, extra_context)

    # --- the change page ----------------------------------------------------------
    def render_change_form(self, request, context, *args, **kwargs):
        obj = context.get("original")
        guarded = revisions.guarded(obj)
        revision = getattr(obj, "_pending_revision", None) if obj is not None else None
        may_change = obj is not None and self.has_change_permission(request, obj)
        context["revision_buttons"] = guarded and may_change
        context["submit_button"] = may_change and revisions.is_new_draft(obj)
        if revision is not None:
            context["revision"] = revision
            context["revision_diff"] = diff_rows(obj, revision)
            context["revision_actions"] = self.revision_actions(request, revision)
        return super().render_change_form(request, context, *args, **kwargs)

    def revision_actions(self, request, revision):
        """[(action, label)] of what the user may do with ``revision``."""
        actions = []
        publisher = self.can_publish(request)
        own = revision.author_id == request.user.pk
        if revision.state in (RevisionState.DRAFT, RevisionState.SENT_BACK):
            actions.append(("submit", _("Submit for review")))
        if publisher:
            actions += [
                ("publish", _("Publish the changes now")),
                ("schedule", _("Schedule the changes")),
            ]
            if revision.state != RevisionState.SENT_BACK:
                actions.append(("send_back", _("Send back to the author")))
        if publisher or own:
            actions.append(("discard", _("Discard the changes")))
        return actions

    def _change_url(self, pk):
        opts = self.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[pk],
            current_app=self.admin_site.name,
        )

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/revision/<str:action>/",
                self.admin_site.admin_view(self.pending_revision_view),
                name=f"{opts.app_label}_{opts.model_name}_revision",
            ),
            *super().get_urls(),
        ]

    def pending_revision_view(self, request, object_id, action):
        if action not in ACTIONS:
            raise PermissionDenied
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        revision = revisions.open_revision(item)
        if revision is None:
            self.message_user(request, _("This item has no pending changes."), messages.WARNING)
            return redirect(self._change_url(item.pk))
        approving = action in ("publish", "schedule")
        if approving and "english" in request.POST and not self.can_publish(request):
            # The choice is offered to publishers only: a forged one is refused.
            raise PermissionDenied
        form_class = {
            "publish": PublishForm,
            "schedule": RevisionScheduleForm,
            "send_back": SendBackForm,
        }.get(action, ConfirmForm)
        kwargs = {}
        if approving and self.can_publish(request):
            kwargs = {"english_missing": revisions.english_lacking_after(revision, item)}
        if action == "schedule" and revisions.is_new_draft(item):
            form_class = ScheduleForm
            kwargs = {"english_missing": english_lacking(item)}
        # What the publisher read of a new draft (its diff here shows nothing).
        read = ""
        if approving and revisions.is_new_draft(item):
            read = self.digest_read(request, item, "read")
        if request.method == "POST":
            form = form_class(request.POST, **kwargs)
            if form.is_valid() and self._decide(request, form, revision, action, read):
                return redirect(self._change_url(item.pk))
        else:
            form = form_class(**kwargs)
        labels = dict(self.revision_actions(request, revision))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": item,
            "revision": revision,
            "revision_diff": diff_rows(item, revision),
            "title": labels.get(action) or dict(ACTION_TITLES)[action],
            "action": action,
            "form": form,
            "seen": revisions.seen_token(revision),
            "read": read,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/revisions/action.html", context)

    def _decide(self, request, form, revision, action, read=""):
        by = request.user
        try:
            # The decision is on the changes this page showed, not on what
            # their author saved after it was opened.
            revisions.refuse_unless_as_seen(revision, request.POST.get("seen", ""))
            with transaction.atomic():
                if read:
                    # A new draft: the decision is on the item its publisher
                    # read in its change form (the page's diff shows nothing).
                    self._pinned(request, revision.item(), read)
                english = form.cleaned_data.get("english") or None
                if action == "publish":
                    revisions.publish_now(revision=revision, by=by, english=english)
                    text = _("The changes are public now.")
                elif action == "schedule":
                    at = form.cleaned_data["publish_at"]
                    revisions.schedule(
                        revision=revision,
                        at=at,
                        by=by,
                        english=english,
                        unpublish_at=form.cleaned_data.get("unpublish_at"),
                    )
                    text = _("The changes go live at %(time)s (%(zone)s).") % {
                        "time": revisions.hanoi_time(at),
                        "zone": ZONE,
                    }
                elif action == "send_back":
                    revisions.send_back(
                        revision=revision, by=by, comment=form.cleaned_data["comment"]
                    )
                    text = _("The changes were sent back to their author.")
                elif action == "discard":
                    revisions.discard(revision=revision, by=by)
                    text = _("The changes were discarded.")
                else:
                    revisions.submit(revision=revision, by=by)
                    text = _("The changes were submitted for review.")
            level = messages.SUCCESS
            item = revision.item() if action in ("publish", "schedule") else None
            if item is not None and item.is_held():
                level, text = messages.WARNING, _("Held as a draft until the English is ready.")
            elif revision.is_held():
                level = messages.WARNING
                text = _(
                    "The changes are held until the English is ready. The public keeps the "
                    "approved version; release them with Publish or Schedule once the English "
                    "is ready."
                )
        except ValidationError as error:
            apply_errors(form, error)
            return False
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You are not allowed to do this."))
            return False
        self.message_user(request, text, level)
        return True

    # --- change lists ---------------------------------------------------------------
    def get_queryset(self, request):
        opts = self.model._meta
        state = PendingRevision.objects.filter(
            revisions.of_types([(opts.app_label, opts.model_name)]),
            object_id=OuterRef("pk"),
            state__in=OPEN_STATES,
        ).values("state")[:1]
        return super().get_queryset(request).annotate(open_revision_state=Subquery(state))

    def get_list_display(self, request):
        return [*super().get_list_display(request), "editorial"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), EditorialStateFilter]

    @admin.display(description=gettext_lazy("editorial state"))
    def editorial(self, obj):
        return editorial_state(obj)


ACTION_TITLES = (
    ("publish", gettext_lazy("Publish the changes now")),
    ("schedule", gettext_lazy("Schedule the changes")),
    ("send_back", gettext_lazy("Send back to the author")),
    ("discard", gettext_lazy("Discard the changes")),
    ("submit", gettext_lazy("Submit for review")),
)

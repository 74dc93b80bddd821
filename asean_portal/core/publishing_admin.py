"""The press officer's tools in the admin: the state in plain words, buttons
and bulk actions for every transition, and the publishing agenda.

Every button and action goes through the transition functions of the
publishing core, which check the "publish" permission themselves."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import revisions
from .publishing import (
    ENGLISH_LACKING,
    EnglishChoice,
    Status,
    english_lacking,
    hanoi_time,
    item_publish_now,
    item_schedule,
    item_unpublish,
)

ZONE = gettext_lazy("Hanoi time, UTC+7")


def duration_text(delta):
    """'2 h 15 min', '3 days 4 h', '45 s' — the time left, roughly."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        text = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        return f"{text} {_('%(n)d h') % {'n': hours}}" if hours else text
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min") % {"m": minutes}
    return _("%(s)d s") % {"s": seconds}


def state_text(item, now=None):
    """The publication state of an item, in plain words."""
    now = now or timezone.now()
    zone = ZONE
    if item.status == Status.DRAFT:
        if item.publish_at and item.publish_at > now:
            return _("Draft, held until the English is ready (intended for %(time)s, %(zone)s)") % {
                "time": hanoi_time(item.publish_at),
                "zone": zone,
            }
        if item.publish_at:
            return _(
                "Draft, held until the English is ready: its intended time, %(time)s "
                "(%(zone)s), has passed"
            ) % {"time": hanoi_time(item.publish_at), "zone": zone}
        return _("Draft: not public")
    if item.status == Status.ARCHIVED or (item.unpublish_at and item.unpublish_at <= now):
        if item.withdrawn_at or item.unpublish_at:
            moment = item.withdrawn_at or item.unpublish_at
            return _("Withdrawn on %(time)s (%(zone)s)") % {
                "time": hanoi_time(moment),
                "zone": zone,
            }
        return _("Archived: not public")
    if item.publish_at and item.publish_at > now:
        text = _("Scheduled for %(time)s (%(zone)s), in %(left)s") % {
            "time": hanoi_time(item.publish_at),
            "zone": zone,
            "left": duration_text(item.publish_at - now),
        }
    else:
        text = _("Public since %(time)s (%(zone)s)") % {
            "time": hanoi_time(item.publish_at),
            "zone": zone,
        }
    if item.unpublish_at:
        text += "; " + _("to be withdrawn at %(time)s, in %(left)s") % {
            "time": hanoi_time(item.unpublish_at),
            "left": duration_text(item.unpublish_at - now),
        }
    return text


# The transitions that make the item's content public: made only on the
# content the publisher read.
PINNED_ACTIONS = ("schedule", "publish")
CHANGED_MEANWHILE = gettext_lazy(
    "The item was edited after you read it. Open it again (Cancel), read the changes, "
    "then publish or schedule it from there."
)


class HanoiSplitDateTimeField(forms.SplitDateTimeField):
    widget = AdminSplitDateTime


class ScheduleForm(forms.Form):
    publish_at = HanoiSplitDateTimeField(label=gettext_lazy("Publication time"), help_text=ZONE)
    unpublish_at = HanoiSplitDateTimeField(
        label=gettext_lazy("Withdrawal time (optional)"), help_text=ZONE, required=False
    )

    def __init__(self, *args, english_missing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if english_missing:
            self.fields["english"] = english_field()


def english_field():
    """The publisher's choice for an item whose English is missing or outdated
    (asean_portal.core.publishing.english_release)."""
    return forms.ChoiceField(
        label=gettext_lazy("The English is missing or outdated"),
        choices=EnglishChoice.choices,
        widget=forms.RadioSelect,
    )


class PublishForm(forms.Form):
    def __init__(self, *args, english_missing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if english_missing:
            self.fields["english"] = english_field()


class UnpublishForm(forms.Form):
    reason_vi = forms.CharField(
        label=gettext_lazy("Reason for withdrawal (Vietnamese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Shown to readers on the page that replaces the item."),
    )
    reason_en = forms.CharField(
        label=gettext_lazy("Reason for withdrawal (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


def apply_errors(form, error):
    """A ValidationError from the publishing core, onto the form's fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PublishingAdminMixin:
    """Buttons on the change page, bulk actions and the state text."""

    change_form_template = "admin/publishing/change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_publish"] = self.can_publish(request)
        item = context.get("original")
        if item is not None and item.pk and item.is_held():
            context["held_since"] = item.publish_at if item.publish_at <= timezone.now() else None
            context["held"] = True
        return super().render_change_form(request, context, *args, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.can_publish(request):
            for name in ("schedule_selected", "publish_selected_now", "unpublish_selected"):
                actions.pop(name, None)
        return actions

    @admin.display(description=gettext_lazy("publication state"))
    def publication_state(self, obj):
        return state_text(obj) if obj and obj.pk else "—"

    def get_readonly_fields(self, request, obj=None):
        return ["publication_state", *super().get_readonly_fields(request, obj)]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field, forms.DateTimeField | forms.SplitDateTimeField):
            if "UTC+7" not in str(field.help_text):
                field.help_text = f"{field.help_text} ({ZONE})" if field.help_text else ZONE
        return field

    def get_urls(self):
        opts = self.opts
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/publishing/<str:action>/",
                self.admin_site.admin_view(self.publishing_view),
                name=f"{name}_publishing",
            ),
            *super().get_urls(),
        ]

    # --- one item ------------------------------------------------------------
    def publishing_view(self, request, object_id, action):
        if action not in ("schedule", "publish", "unpublish"):
            raise PermissionDenied
        item = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, item) or not self.can_publish(request):
            raise PermissionDenied
        form_class = {"schedule": ScheduleForm, "publish": PublishForm, "unpublish": UnpublishForm}
        kwargs = {"english_missing": english_lacking(item)} if action != "unpublish" else {}
        initial = {}
        if action == "schedule" and item.publish_at and item.publish_at > timezone.now():
            initial = {"publish_at": timezone.localtime(item.publish_at)}
        seen = self.digest_read(request, item, "seen") if action in PINNED_ACTIONS else ""
        if request.method == "POST":
            form = form_class[action](request.POST, **kwargs)
            if form.is_valid() and self._run(request, form, item, action, seen):
                return redirect(
                    reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                        args=[item.pk],
                        current_app=self.admin_site.name,
                    )
                )
        else:
            form = form_class[action](initial=initial, **kwargs)
        titles = {
            "schedule": _("Schedule or reschedule"),
            "publish": _("Publish now"),
            "unpublish": _("Unpublish"),
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": item,
            "title": titles[action],
            "action": action,
            "form": form,
            "state": state_text(item),
            "english_state": item.get_english_state_display() if english_lacking(item) else "",
            "media": self.media + form.media,
            "seen": seen,
        }
        return TemplateResponse(request, "admin/publishing/transition.html", context)

    def _run(self, request, form, item, action, seen):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                review = None
                if action in PINNED_ACTIONS:
                    review = self._pinned(request, item, seen)
                if action == "schedule":
                    options = {
                        "at": data["publish_at"],
                        "unpublish_at": data.get("unpublish_at"),
                        "english": data.get("english") or None,
                        "by": request.user,
                    }
                    if review is not None:
                        revisions.schedule(revision=review, **options)
                        item.refresh_from_db()
                        done = item.status == Status.SCHEDULED
                    else:
                        done = item_schedule(item=item, **options)
                elif action == "publish":
                    if review is not None:
                        revisions.publish_now(
                            revision=review, by=request.user, english=data.get("english")
                        )
                        item.refresh_from_db()
                    else:
                        item_publish_now(item=item, by=request.user, english=data.get("english"))
                    done = not item.is_held()
                else:
                    item_unpublish(
                        item=item,
                        by=request.user,
                        reason_vi=data["reason_vi"],
                        reason_en=data["reason_en"],
                    )
                    done = True
        except ValidationError as error:
            apply_errors(form, error)
            return False
        if done:
            self.message_user(request, state_text(item), messages.SUCCESS)
        else:
            self.message_user(
                request, _("Held as a draft until the English is ready."), messages.WARNING
            )
        return True

    def _pinned(self, request, item, seen):
        """Refuse a transition on an item edited since the publisher read it
        (``seen``); the open review of a new draft, which the transition then
        decides as the review page does (its review closes, its author hears,
        and no one approves their own), or None."""
        # Locked: an author's save waits until the transition is made.
        locked = type(item)._default_manager.select_for_update().get(pk=item.pk)
        review = revisions.open_revision(locked) if revisions.is_new_draft(locked) else None
        if seen != self.digest_as_shown(request, locked):
            raise ValidationError(CHANGED_MEANWHILE, code="changed_meanwhile")
        return review

    def digest_read(self, request, item, name):
        """What the publisher read of ``item``: the digest the request carries
        under ``name`` (the page's hidden field, or the change form's button),
        or the item as it is when the page is opened."""
        carried = request.POST.get(name) if request.method == "POST" else None
        carried = carried or request.GET.get(name)
        return carried or self.digest_as_shown(request, self.model._default_manager.get(pk=item.pk))

    def digest_as_shown(self, request, shown):
        """The digest of an item as its change form shows it (fingerprint()),
        with the changes of its open revision, as the form's buttons carry it.
        ``shown`` is a copy read for this: the changes are set on it."""
        revision = revisions.open_revision(shown)
        if revision is not None:
            revisions.materialize(revision, shown)
        return self.fingerprint(request, shown)

    # --- bulk actions --------------------------------------------------------
    def _apply_to_each(self, request, queryset, transition, message):
        count = 0
        with transaction.atomic():
            for item in queryset:
                transition(item=item, by=request.user)
                count += 1
        self.message_user(request, message(count) % {"n": count}, messages.SUCCESS)

    def _report(self, request, done, held, done_message):
        if done or not held:
            self.message_user(request, done_message, messages.SUCCESS)
        if held:
            self.message_user(
                request,
                ngettext(
                    "%(n)d item held until its English is ready.",
                    "%(n)d items held until their English is ready.",
                    held,
                )
                % {"n": held},
                messages.WARNING,
            )

    def _choice_page(self, request, queryset, form, action, title, template):
        """The intermediate page of a bulk action: the form, and which of the
        selected items lack English (missing or outdated)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "action": action,
            "queryset": queryset,
            "lacking": [item for item in queryset if item.english_state in ENGLISH_LACKING],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, template, context)

    @admin.action(description=gettext_lazy("Publish the selected items now"))
    def publish_selected_now(self, request, queryset):
        """Publishes at once when every selected item has its English;
        otherwise asks first (hold, publish with the notice, or cancel)."""
        english_missing = queryset.filter(english_state__in=ENGLISH_LACKING).exists()
        if not english_missing or "apply" in request.POST:
            form = PublishForm(request.POST, english_missing=english_missing)
            if form.is_valid():
                done = held = 0
                with transaction.atomic():
                    for item in queryset:
                        item_publish_now(
                            item=item, by=request.user, english=form.cleaned_data.get("english")
                        )
                        held += item.is_held()
                        done += not item.is_held()
                self._report(
                    request,
                    done,
                    held,
                    ngettext("%(n)d item published.", "%(n)d items published.", done) % {"n": done},
                )
                return None
        else:
            form = PublishForm(english_missing=english_missing)
        return self._choice_page(
            request,
            queryset,
            form,
            "publish_selected_now",
            _("Publish now"),
            "admin/publishing/bulk_action.html",
        )

    @admin.action(description=gettext_lazy("Unpublish the selected items"))
    def unpublish_selected(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            item_unpublish,
            lambda n: ngettext("%(n)d item unpublished.", "%(n)d items unpublished.", n),
        )

    @admin.action(description=gettext_lazy("Schedule or reschedule the selected items"))
    def schedule_selected(self, request, queryset):
        english_missing = queryset.filter(english_state__in=ENGLISH_LACKING).exists()
        form = ScheduleForm(english_missing=english_missing)
        if "apply" in request.POST:
            form = ScheduleForm(request.POST, english_missing=english_missing)
            if form.is_valid():
                done, held = 0, 0
                try:
                    with transaction.atomic():
                        for item in queryset:
                            if item_schedule(
                                item=item,
                                at=form.cleaned_data["publish_at"],
                                unpublish_at=form.cleaned_data.get("unpublish_at"),
                                english=form.cleaned_data.get("english") or None,
                                by=request.user,
                            ):
                                done += 1
                            else:
                                held += 1
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    self._report(
                        request,
                        done,
                        held,
                        ngettext(
                            "%(n)d item scheduled for %(time)s (%(zone)s).",
                            "%(n)d items scheduled for %(time)s (%(zone)s).",
                            done,
                        )
                        % {
                            "n": done,
                            "time": hanoi_time(form.cleaned_data["publish_at"]),
                            "zone": ZONE,
                        },
                    )
                    return None
        return self._choice_page(
            request,
            queryset,
            form,
            "schedule_selected",
            _("Schedule or reschedule"),
            "admin/publishing/bulk_action.html",
        )

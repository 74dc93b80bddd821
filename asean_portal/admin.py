"""The admin of the project's own models, of staff accounts and groups, and
the admin site's titles.

No one climbs above their own permissions through the accounts admin. Only a
superuser grants or removes superuser status, or touches a superuser's
account. Anyone else:

- grants others only the permissions they hold and the groups whose
  permissions they all hold, plus the roles their own role hands out
  (ROLES_HANDED_OUT: an Administrator staffs the newsroom);
- changes (password included) or deletes only accounts they could have made;
- never changes their own groups or permissions;
- edits a group only within the permissions they hold.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from modeltranslation.admin import TabbedTranslationAdmin

from asean_portal.core.content import SlugHistory
from asean_portal.core.publishing import PublicationEvent, hanoi_time
from asean_portal.core.revisions import PendingRevision, reviewable_types, waiting_for
from asean_portal.roles import Role, role_label
from asean_portal.site.about import AboutPortal, FeedbackMessage

SUPERUSERS_ONLY = _("Only a superuser can grant or remove superuser status.")
NOT_YOUR_OWN = _("Your own groups and permissions are changed by a superuser.")
# The roles that a role hands out to others without holding their permissions.
ROLES_HANDED_OUT = {"Administrator": ("Editor", "Press officer", "Chief editor")}


@admin.register(SlugHistory)
class SlugHistoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "language", "content_type", "object_id", "created_at")
    list_filter = ("language", "content_type")
    search_fields = ("slug",)
    readonly_fields = ("content_type", "object_id", "language", "slug", "created_at")

    def has_add_permission(self, request):
        return False


class ItemRecordAdmin(admin.ModelAdmin):
    """A read-only list of records about content items (content_type,
    object_id, object_repr), each linked to its item's change page."""

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("item"), ordering="object_repr")
    def item(self, record):
        opts = record.content_type
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model}_change", args=[quote(record.object_id)]
            )
        except NoReverseMatch:
            return record.object_repr
        return format_html('<a href="{}">{}</a>', url, record.object_repr or record.object_id)


@admin.register(PublicationEvent)
class PublicationLogAdmin(ItemRecordAdmin):
    """The record of what went out: every transition that happened, read-only
    for every staff member, with times in Hanoi time."""

    list_display = (
        "item",
        "content_type",
        "action",
        "due",
        "happened",
        "lateness_ms",
        "source",
        "scheduled_by",
        "acted_by",
    )
    list_filter = (
        "action",
        "source",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("scheduled_by", admin.RelatedOnlyFieldListFilter),
        ("acted_by", admin.RelatedOnlyFieldListFilter),
    )
    date_hierarchy = "happened_at"
    search_fields = ("object_repr", "scheduled_by__username", "acted_by__username")
    list_select_related = ("content_type", "scheduled_by", "acted_by")
    list_per_page = 50

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    @admin.display(description=_("due at (Hanoi time, UTC+7)"), ordering="due_at")
    def due(self, event):
        return hanoi_time(event.due_at)

    @admin.display(description=_("done at (Hanoi time, UTC+7)"), ordering="happened_at")
    def happened(self, event):
        return hanoi_time(event.happened_at)


@admin.register(PendingRevision)
class ReviewQueueAdmin(ItemRecordAdmin):
    """What waits for review, oldest first: each publisher sees the types they
    may publish (a chief editor everything, a press officer announcements).
    The decisions are taken on the item's change page."""

    list_display = ("item", "content_type", "author", "submitted", "state")
    list_filter = (("content_type", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("content_type", "author")
    search_fields = ("object_repr", "author__username")
    list_per_page = 50

    def get_queryset(self, request):
        return waiting_for(request.user)

    def has_view_permission(self, request, obj=None):
        return bool(reviewable_types(request.user))

    @admin.display(description=_("submitted (Hanoi time, UTC+7)"), ordering="submitted_at")
    def submitted(self, revision):
        return hanoi_time(revision.submitted_at)


def granted_to(user):
    """The permissions given to ``user`` directly or through a group."""
    return Permission.objects.filter(Q(user=user) | Q(group__user=user))


def held_by(user):
    """The permissions ``user`` holds, each once (all of them for a superuser)."""
    if user.is_superuser:
        return Permission.objects.all()
    return Permission.objects.filter(pk__in=granted_to(user).values("pk"))


def holds_all(user, permissions):
    return user.is_superuser or not permissions.exclude(pk__in=held_by(user).values("pk")).exists()


def handed_out(user):
    """The groups that ``user``'s roles hand out to others."""
    names = {
        name
        for role in user.groups.values_list("name", flat=True)
        for name in ROLES_HANDED_OUT.get(role, ())
    }
    return Group.objects.filter(name__in=names)


def grantable_groups(user):
    """The groups ``user`` may give others: those none of whose permissions
    they lack, and those their role hands out."""
    within = Group.objects.exclude(
        permissions__in=Permission.objects.exclude(pk__in=held_by(user).values("pk"))
    )
    return (within | handed_out(user)).distinct()


def grantable_permissions(user):
    """What ``user`` may give others, directly or through a group."""
    if user.is_superuser:
        return Permission.objects.all()
    return Permission.objects.filter(
        Q(pk__in=held_by(user).values("pk")) | Q(group__in=handed_out(user))
    ).distinct()


def can_give(user, permissions):
    return (
        user.is_superuser
        or not permissions.exclude(pk__in=grantable_permissions(user).values("pk")).exists()
    )


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """The groups of an account, each named as its role in the staff member's language."""

    def label_from_instance(self, obj):
        return role_label(obj)


class RoleListFilter(admin.RelatedFieldListFilter):
    """The account list's filter by group, with the roles' labels."""

    def field_choices(self, field, request, model_admin):
        return [
            (pk, role_label(Group(name=name)))
            for pk, name in super().field_choices(field, request, model_admin)
        ]


def refuse_superuser_status(value):
    if value:
        raise ValidationError(SUPERUSERS_ONLY, code="superusers_only")


class PortalUserAdmin(UserAdmin):
    """Staff accounts: see the rules at the top of this module."""

    list_filter = ("is_staff", "is_superuser", "is_active", ("groups", RoleListFilter))

    # The change form, the password form, the delete view and the bulk delete
    # action all ask these.
    def may_manage(self, request, obj):
        if obj is None:
            return True
        if obj.is_superuser:
            return request.user.is_superuser
        return can_give(request.user, granted_to(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.own_account(request, obj):
            readonly += ["roles", "user_permissions"]
        return readonly

    def own_account(self, request, obj):
        return obj is not None and obj.pk == request.user.pk and not request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        # One's own groups, read-only, are shown as roles.
        fieldsets = super().get_fieldsets(request, obj)
        if not self.own_account(request, obj):
            return fieldsets
        return [
            (
                name,
                {**options, "fields": ["roles" if f == "groups" else f for f in options["fields"]]},
            )
            for name, options in fieldsets
        ]

    @admin.display(description=get_user_model()._meta.get_field("groups").verbose_name)
    def roles(self, user):
        return ", ".join(role_label(group) for group in user.groups.all()) or "-"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "groups":
                kwargs["queryset"] = grantable_groups(request.user)
            elif db_field.name == "user_permissions":
                kwargs["queryset"] = held_by(request.user)
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "is_superuser" and not request.user.is_superuser:
            field.widget.attrs["disabled"] = True
            field.help_text = SUPERUSERS_ONLY
            field.validators.append(refuse_superuser_status)
        return field

    def save_model(self, request, obj, form, change):
        # The form refuses it already; this holds should a form let it through.
        if obj.is_superuser and not request.user.is_superuser:
            raise PermissionDenied(SUPERUSERS_ONLY)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        actor = request.user
        if actor.is_superuser:
            super().save_related(request, form, formsets, change)
            return
        # Read before the save: editing one's own account changes what one holds.
        groups_allowed = set(grantable_groups(actor).values_list("pk", flat=True))
        held = set(held_by(actor).values_list("pk", flat=True))
        own_before = set(granted_to(actor).values_list("pk", flat=True))
        super().save_related(request, form, formsets, change)
        # The form offers nothing more; should it ever let more through, the
        # admin's transaction undoes this save.
        account = form.instance
        if not set(account.groups.values_list("pk", flat=True)) <= groups_allowed:
            raise PermissionDenied
        if not set(account.user_permissions.values_list("pk", flat=True)) <= held:
            raise PermissionDenied
        if account.pk == actor.pk and set(granted_to(actor).values_list("pk", flat=True)) != (
            own_before
        ):
            raise PermissionDenied(NOT_YOUR_OWN)


class PortalGroupAdmin(GroupAdmin):
    """A group is edited only by someone who holds all its permissions, and
    given only permissions they hold: a group's change reaches everyone in it."""

    list_display = ("__str__", "name")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "name":
            field.label = _("code name")
            field.help_text = _(
                "The role's stable name in the code and the permissions; the admin shows "
                "the role in each staff member's language."
            )
        return field

    def may_manage(self, request, obj):
        return obj is None or holds_all(request.user, obj.permissions.all())

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions" and not request.user.is_superuser:
            kwargs["queryset"] = held_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        held = set(held_by(request.user).values_list("pk", flat=True))
        super().save_related(request, form, formsets, change)
        if not set(form.instance.permissions.values_list("pk", flat=True)) <= held:
            raise PermissionDenied


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PortalUserAdmin)
# The roles in place of Django's groups: the same rows, each named by its label.
admin.site.unregister(Group)
admin.site.register(Role, PortalGroupAdmin)

admin.site.site_header = _("ASEAN Cooperation Portal – administration")
admin.site.site_title = _("ASEAN Cooperation Portal")
admin.site.index_title = _("Content of the portal")


@admin.register(AboutPortal)
class AboutPortalAdmin(TabbedTranslationAdmin):
    """One row: the list leads straight to it."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not AboutPortal.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        about = AboutPortal.objects.first()
        if about is None:
            return redirect("admin:asean_portal_aboutportal_add")
        return redirect("admin:asean_portal_aboutportal_change", about.pk)


@admin.register(FeedbackMessage)
class FeedbackMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "name", "email", "language", "emailed", "handled")
    list_filter = ("handled", "emailed", "language")
    search_fields = ("name", "email", "message")
    readonly_fields = ("name", "email", "message", "language", "address", "received_at", "emailed")
    date_hierarchy = "received_at"
    actions = ["mark_handled"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark the selected messages as handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        queryset.update(handled=True)


# django-otp's admin of authenticators, with its labels and sections in the
# staff member's language (django-otp marks none of them for translation).
TOTP_LABELS = {
    "user": (_("user"), _("The staff member this authenticator belongs to.")),
    "name": (_("name"), _("A name for the authenticator, such as the phone it is on.")),
    "confirmed": (_("confirmed"), _("Is this authenticator ready for use?")),
    "created_at": (_("created at"), _("When this authenticator was set up.")),
    "last_used_at": (_("last used at"), _("When this authenticator was last used.")),
    "key": (_("secret key"), _("A hex-encoded secret key of up to 40 bytes.")),
    "step": (_("time step"), _("The time step in seconds.")),
    "t0": (_("start time (t0)"), _("The Unix time at which to begin counting steps.")),
    "digits": (_("digits"), _("The number of digits to expect in a code.")),
    "tolerance": (
        _("tolerance"),
        _("The number of time steps in the past or future to allow."),
    ),
    "drift": (
        _("drift"),
        _("The number of time steps the authenticator is known to deviate from our clock."),
    ),
    "last_t": (
        _("last time step"),
        _("The time step of the latest verified code. The next code must be later."),
    ),
    "throttling_failure_timestamp": (
        _("last failed attempt"),
        _("When the last wrong code was entered. Empty if the last attempt succeeded."),
    ),
    "throttling_failure_count": (
        _("failed attempts in a row"),
        _("Number of successive failed attempts."),
    ),
}
TOTPDevice._meta.verbose_name = _("authenticator (TOTP)")
TOTPDevice._meta.verbose_name_plural = _("authenticators (TOTP)")


class LabelledDateFilter(admin.DateFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = TOTP_LABELS[field_path][0]


class LabelledBooleanFilter(admin.BooleanFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = TOTP_LABELS[field_path][0]


class PortalTOTPDeviceAdmin(TOTPDeviceAdmin):
    list_display = ["device_user", "device_name", "created", "last_used", "is_confirmed"]
    list_filter = [
        ("created_at", LabelledDateFilter),
        ("last_used_at", LabelledDateFilter),
        ("confirmed", LabelledBooleanFilter),
    ]
    search_help_text = _("Search by the staff member's user name or email address")
    SECTIONS = {
        "Identity": _("Identity"),
        "Timestamps": _("Times"),
        "Configuration": _("Configuration"),
        "State": _("State"),
        "Throttling": _("Throttling of wrong codes"),
    }

    def get_fieldsets(self, request, obj=None):
        return [
            (self.SECTIONS.get(name, name), options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in TOTP_LABELS:
            field.label, field.help_text = TOTP_LABELS[db_field.name]
        return field

    def get_form(self, request, obj=None, **kwargs):
        # The read-only fields take their labels and help texts from here.
        kwargs.setdefault("labels", {name: label for name, (label, _help) in TOTP_LABELS.items()})
        kwargs.setdefault(
            "help_texts", {name: help_text for name, (_label, help_text) in TOTP_LABELS.items()}
        )
        return super().get_form(request, obj, **kwargs)

    @admin.display(description=TOTP_LABELS["user"][0], ordering="user")
    def device_user(self, device):
        return device.user

    @admin.display(description=TOTP_LABELS["name"][0], ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=TOTP_LABELS["created_at"][0], ordering="created_at")
    def created(self, device):
        return device.created_at

    @admin.display(description=TOTP_LABELS["last_used_at"][0], ordering="last_used_at")
    def last_used(self, device):
        return device.last_used_at

    @admin.display(description=TOTP_LABELS["confirmed"][0], boolean=True, ordering="confirmed")
    def is_confirmed(self, device):
        return device.confirmed

    @admin.display(description=_("QR code"))
    def qrcode_link(self, device):
        try:
            href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        except NoReverseMatch:
            return ""
        return format_html('<a href="{}">{}</a>', href, gettext("QR code"))


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, PortalTOTPDeviceAdmin)

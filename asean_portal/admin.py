"""The admin of the project's own models, of staff accounts and groups, and
the admin site's titles.

No one climbs above their own permissions through the accounts admin. Only a
superuser grants or removes superuser status. Anyone else grants only groups
whose permissions they all hold and only permissions they hold, and changes
(password included) or deletes only accounts and groups all of whose
permissions they hold: whoever sets an account's password can act with its
permissions. A superuser holds every permission, so superusers' accounts are
left to superusers.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asean_portal.core.content import SlugHistory

SUPERUSERS_ONLY = _("Only a superuser can grant or remove superuser status.")


@admin.register(SlugHistory)
class SlugHistoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "language", "content_type", "object_id", "created_at")
    list_filter = ("language", "content_type")
    search_fields = ("slug",)
    readonly_fields = ("content_type", "object_id", "language", "slug", "created_at")

    def has_add_permission(self, request):
        return False


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


def grantable_groups(user):
    """The groups none of whose permissions ``user`` lacks."""
    return Group.objects.exclude(
        permissions__in=Permission.objects.exclude(pk__in=held_by(user).values("pk"))
    )


def refuse_superuser_status(value):
    if value:
        raise ValidationError(SUPERUSERS_ONLY, code="superusers_only")


class GrantsOnlyWhatIsHeld:
    """Offers only the groups and permissions that the staff member holds (a
    posted choice outside them is an invalid choice on the form), and lets them
    change or delete only what they could have granted."""

    def permissions_of(self, obj):
        raise NotImplementedError

    def may_manage(self, request, obj):
        return obj is None or holds_all(request.user, self.permissions_of(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "groups":
                kwargs["queryset"] = grantable_groups(request.user)
            elif db_field.name in ("permissions", "user_permissions"):
                kwargs["queryset"] = held_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # Read before the save: editing one's own account or group changes what one holds.
        held = set(held_by(request.user).values_list("pk", flat=True))
        super().save_related(request, form, formsets, change)
        # The form offers nothing more; should it ever let more through, the
        # admin's transaction undoes this save.
        if not set(self.permissions_of(form.instance).values_list("pk", flat=True)) <= held:
            raise PermissionDenied


class PortalUserAdmin(GrantsOnlyWhatIsHeld, UserAdmin):
    def permissions_of(self, obj):
        return granted_to(obj)

    # The change form, the password form, the delete view and the bulk delete
    # action all ask this.
    def may_manage(self, request, obj):
        if obj is not None and obj.is_superuser:
            return request.user.is_superuser
        return super().may_manage(request, obj)

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


class PortalGroupAdmin(GrantsOnlyWhatIsHeld, GroupAdmin):
    def permissions_of(self, obj):
        return obj.permissions.all()


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PortalUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, PortalGroupAdmin)

admin.site.site_header = _("ASEAN Cooperation Portal – administration")
admin.site.site_title = _("ASEAN Cooperation Portal")
admin.site.index_title = _("Content of the portal")

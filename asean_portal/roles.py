"""The staff's roles: Django's groups, named in the admin in the staff
member's language while each keeps its stable English code name (the
permissions, the migrations and the code refer to it)."""

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

ROLE_LABELS = {
    "Editor": _("Editor"),
    "Press officer": _("Press officer"),
    "Chief editor": _("Chief editor"),
    "Administrator": _("Administrator"),
}


def role_label(group):
    """The name of ``group`` in the current language (its code name for a
    group that is not one of the roles)."""
    label = ROLE_LABELS.get(group.name)
    return str(label) if label is not None else group.name


class Role(Group):
    """A group as the admin shows it: every list, form, history and
    confirmation names it by its label."""

    class Meta:
        proxy = True
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return role_label(self)

"""Strings of Django itself that its Vietnamese catalogue lacks.

Naming them here keeps them in our catalogue (makemessages finds them), where
locale/vi gives them Vietnamese; LOCALE_PATHS takes precedence over Django's
own catalogues.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_STRINGS = (
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    gettext_noop("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Enter a complete value."),
    gettext_noop("That page number is not an integer"),
    gettext_noop("That page number is less than 1"),
    gettext_noop("That page contains no results"),
    gettext_noop(
        "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be "
        "ambiguous or it may not exist."
    ),
    gettext_noop("Toggle navigation"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Messages"),
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
)

# django-axes's records of staff sign-in attempts, which have no Vietnamese.
AXES_STRINGS = (
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)

# django-reversion's history and recovery pages, which have no Vietnamese.
REVERSION_STRINGS = (
    gettext_noop("Recover deleted %(name)s"),
    gettext_noop("Recover deleted %(verbose_name)s"),
    gettext_noop("Recover %(name)s"),
    gettext_noop("Recover %s"),
    gettext_noop("Revert %(name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Reverted to previous version, saved on %(datetime)s"),
    gettext_noop(
        'The %(model)s "%(name)s" was reverted successfully. You may edit it again below.'
    ),
    gettext_noop("Initial version."),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop(
        "This object doesn't have a change history. It probably wasn't added via this admin site."
    ),
    gettext_noop("Press the save button below to recover this version of the object."),
    gettext_noop("Choose a date from the list below to recover a deleted version of an object."),
    gettext_noop("There are no deleted objects to recover."),
    gettext_noop("Press the save button below to revert to this version of the object."),
)

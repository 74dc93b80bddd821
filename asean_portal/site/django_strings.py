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

# Strings of Django's admin and auth shown in the admin that Django's
# Vietnamese catalogue lacks.
DJANGO_ADMIN_STRINGS = (
    gettext_noop("Add link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Change or view list link"),
    gettext_noop("Disabled"),
    gettext_noop("Enabled"),
    gettext_noop("Model name"),
    gettext_noop("Password-based authentication"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Reset password"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("Sidebar"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("View selected %(model)s"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, "
        "they may still be able to authenticate using other backends, such as Single Sign-On "
        "or LDAP."
    ),
)

# django-axes's columns and messages.
AXES_ADMIN_STRINGS = (
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop(
        "Account locked: too many login attempts. Contact an admin to unlock your account."
    ),
)

# django-otp's messages.
OTP_STRINGS = (
    gettext_noop("Error generating challenge: {0}"),
    gettext_noop("Get OTP Challenge"),
    gettext_noop("Invalid token. Please make sure you have entered it correctly."),
    gettext_noop("OTP Challenge: {0}"),
    gettext_noop("OTP Device:"),
    gettext_noop("OTP Token:"),
    gettext_noop("Please enter your OTP token."),
    gettext_noop("The selected OTP device is not interactive"),
    gettext_noop("Verification of the token is currently disabled"),
    ngettext_lazy(
        "Verification temporarily disabled because of %(failure_count)d failed attempt, "
        "please try again soon.",
        "Verification temporarily disabled because of %(failure_count)d failed attempts, "
        "please try again soon.",
        1,
    ),
    gettext_noop("sent by email"),
)

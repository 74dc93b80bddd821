"""The admin site: optional two-step sign-in (TOTP, django-otp) for staff,
and odd addresses answered without a server error.

A staff member with a confirmed authenticator (a TOTP device, set up by an
administrator under "TOTP devices", which shows the QR code to scan) must give
its six-digit code with the password; the admin refuses a session that was not
verified by it. With ADMIN_REQUIRE_2FA on, every staff member needs one.

A query string with a NUL character is refused (400) by every admin view:
PostgreSQL holds no NUL in any text. Every change list, the portal's and those
of the apps it uses (accounts, sign-in records, authenticators), treats a
filter value that the calendar or the database cannot hold, and a regular
expression, as Django's admin treats any wrong filter: the list is shown
without it, with a warning.
"""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.db.models.constants import LOOKUP_SEP
from django.template.response import TemplateResponse
from django.utils.text import smart_split
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device

from asean_portal.core.revisions import reviewable_types, waiting_for

FILTER_REFUSED = _(
    "A filter in the address could not be applied, so the whole list is shown. "
    "Choose the filter again in the panel on the right."
)


class PortalAdminAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=16,
        help_text=_("Six digits from your authenticator app, if two-step sign-in is on for you."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "otp_required": _("Enter the six-digit code from your authenticator app."),
        "otp_invalid": _("That authentication code is wrong or has expired. Try the current one."),
        "otp_throttled": _(
            "Too many wrong codes in a row. Wait a few seconds, then enter the current code."
        ),
        "otp_missing": _(
            "Two-step sign-in is required for staff. Ask an administrator to set up an "
            "authenticator for your account."
        ),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None:
            return cleaned
        devices = list(devices_for_user(user, confirmed=True))
        if not devices:
            if settings.ADMIN_REQUIRE_2FA:
                raise forms.ValidationError(self.error_messages["otp_missing"], "otp_missing")
            return cleaned
        token = "".join(cleaned.get("otp_token", "").split())
        if not token:
            raise forms.ValidationError(self.error_messages["otp_required"], "otp_required")
        for device in devices:
            if not device.verify_is_allowed()[0]:
                raise forms.ValidationError(self.error_messages["otp_throttled"], "otp_throttled")
            if device.verify_token(token):
                # django-otp marks the session verified when the user signs in.
                user.otp_device = device
                return cleaned
        raise forms.ValidationError(self.error_messages["otp_invalid"], "otp_invalid")


# Lookups that no address may ask of a list: Django allows any lookup of a
# model's own fields, and the database runs a regular expression as given (one
# with nested repetition keeps a SQLite process busy for good; a broken one is
# a database error). No filter of the portal's lists uses them.
REFUSED_LOOKUPS = {"regex", "iregex"}


class CheckedChangeList(ChangeList):
    """Django applies the filters of a change list lazily: a value that the
    date hierarchy cannot turn into a period (year 9999 has no next year) or
    that the database cannot take (a number past 64 bits on SQLite) fails
    only when the list is counted. Such a value is a wrong filter, as Django
    already calls one that fails when it is applied; so is a refused lookup
    (REFUSED_LOOKUPS)."""

    def get_filters(self, request):
        for key in self.get_filters_params():
            if key.rsplit(LOOKUP_SEP, 1)[-1] in REFUSED_LOOKUPS:
                raise IncorrectLookupParameters(key)
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            super().get_results(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


# The words of a list's search (and of an autocomplete's) that are looked for:
# each word is one more condition on every searched field, and a thousand
# words make a query the database refuses ("Expression tree is too large").
SEARCH_WORDS = 20
SEARCH_CUT = _("Only the first %(count)d words of the search were used.")


class CheckedListMixin:
    """Lists through CheckedChangeList; Django's admin redirects a wrong
    filter to the list with ERROR_FLAG, which then says why. A search is cut
    to its first SEARCH_WORDS words."""

    def get_search_results(self, request, queryset, search_term):
        words = list(smart_split(search_term))
        if len(words) > SEARCH_WORDS:
            search_term = " ".join(words[:SEARCH_WORDS])
            match = getattr(request, "resolver_match", None)
            if match is not None and match.url_name != "autocomplete":
                messages.warning(request, SEARCH_CUT % {"count": SEARCH_WORDS})
        return super().get_search_results(request, queryset, search_term)

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and ERROR_FLAG in request.GET:
            messages.warning(request, FILTER_REFUSED)
        return super().changelist_view(request, extra_context)


def holds_nul(query):
    return any("\x00" in text for key, values in query.lists() for text in (key, *values))


class PortalAdminSite(AdminSite):
    login_form = PortalAdminAuthenticationForm
    # At 1366 px the side list of models would leave a change list about 700 px:
    # titles wrapped one word a line. The index and the breadcrumbs lead there.
    enable_nav_sidebar = False

    def register(self, model_or_iterable, admin_class=None, **options):
        """Registers the admin class with CheckedListMixin, the apps' admins
        (accounts, sign-in records, authenticators) as the portal's."""
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, CheckedListMixin):
            admin_class = type(
                admin_class.__name__,
                (CheckedListMixin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def refusing_nul(request, *args, **kwargs):
            if holds_nul(request.GET):
                return self.refusal(
                    request,
                    _(
                        "The address holds a NUL character, which no filter, search or page "
                        "can use. Remove it from the address and try again."
                    ),
                )
            return view(request, *args, **kwargs)

        return super().admin_view(refusing_nul, cacheable)

    def refusal(self, request, message):
        context = {**self.each_context(request), "title": _("Bad request"), "message": message}
        return TemplateResponse(request, "admin/refusal.html", context, status=400)

    def each_context(self, request):
        """With the number of revisions waiting for this user's review, shown
        in the header."""
        context = super().each_context(request)
        user = request.user
        if user.is_authenticated and user.is_staff and reviewable_types(user):
            context["review_count"] = waiting_for(user).count()
        return context

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        if user.is_verified():
            return True
        return not (settings.ADMIN_REQUIRE_2FA or user_has_device(user, confirmed=True))

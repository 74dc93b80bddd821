"""The admin site: optional two-step sign-in (TOTP, django-otp) for staff.

A staff member with a confirmed authenticator (a TOTP device, set up by an
administrator under "TOTP devices", which shows the QR code to scan) must give
its six-digit code with the password; the admin refuses a session that was not
verified by it. With ADMIN_REQUIRE_2FA on, every staff member needs one.
"""

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device


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


class PortalAdminSite(AdminSite):
    login_form = PortalAdminAuthenticationForm

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        if user.is_verified():
            return True
        return not (settings.ADMIN_REQUIRE_2FA or user_has_device(user, confirmed=True))

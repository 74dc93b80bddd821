"""Who publishes the portal ("About the portal", edited in the admin in both
languages, its essentials in every footer) and the readers' contact form."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import DatabaseError, models
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from asean_portal.core.clients import client_address

from . import dependencies

logger = logging.getLogger(__name__)

FOOTER_KEY = "portal:about-portal"

TO_FILL = _("Not in the sources: to be filled in by the ministry.")


class AboutPortal(models.Model):
    """One row (pk 1): the portal's publisher, as the law asks a website to say."""

    managing_agency = models.CharField(
        _("managing agency"), max_length=300, help_text=_("The agency that runs the portal.")
    )
    unit = models.CharField(
        _("responsible unit"),
        max_length=300,
        blank=True,
        help_text=_("The department of the agency that edits the portal."),
    )
    responsible = models.CharField(
        _("person responsible"),
        max_length=300,
        blank=True,
        help_text=_(
            "The person responsible for the content: a name or a role title. Not in the "
            "sources beyond the role title: to be confirmed by the ministry."
        ),
    )
    address = models.CharField(_("address"), max_length=400, blank=True, help_text=TO_FILL)
    phone = models.CharField(_("telephone"), max_length=50, blank=True, help_text=TO_FILL)
    email = models.EmailField(_("email"), blank=True, help_text=TO_FILL)
    licence = models.CharField(
        _("licence"),
        max_length=400,
        blank=True,
        help_text=_(
            "The licence to run the portal (number, date, issuing body). Not in the "
            "sources: to be filled in by the ministry."
        ),
    )
    introduction = models.TextField(_("introduction"), blank=True)
    feedback_recipients = models.TextField(
        _("feedback goes to"),
        blank=True,
        help_text=_(
            "Addresses that receive the readers' messages, one a line. Empty: every active "
            "Editor and Chief editor with an email address."
        ),
    )

    class Meta:
        verbose_name = _("about the portal")
        verbose_name_plural = _("about the portal")

    def __str__(self):
        return str(_("About the portal"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The stored row; its defaults when there is none, or while the
        database is away (the footer of the 503 page)."""
        try:
            found = cls.objects.filter(pk=1).first()
        except DatabaseError:
            found = None
        return found or cls(pk=1, managing_agency=gettext("Ministry of Home Affairs"))

    @classmethod
    def for_footer(cls):
        """The row as every page's footer shows it: kept in the cache with the
        version of its type's tag (dependencies.py), and used while that tag
        has not moved (a save or a deletion moves it: receivers.py). The page
        records the tag whether the row came from the cache or the table, so
        an edit still makes every stored page out of date."""
        tag = dependencies.type_tag(cls)
        dependencies.record({tag})
        tag_key = dependencies.TAG_PREFIX + tag
        found = cache.get_many([tag_key, FOOTER_KEY]) or {}
        kept = found.get(FOOTER_KEY)
        if kept is not None and found.get(tag_key) is not None and kept[0] == found[tag_key]:
            return kept[1]
        # The version read before the row: a change committed meanwhile moves
        # the tag again, and this copy is not used past that.
        version = dependencies.versions([tag])[tag]
        about = cls.load()
        if not about._state.adding:  # not the defaults of a missing row or database
            cache.set(FOOTER_KEY, (version, about), settings.PAGE_CACHE_SECONDS or 300)
        return about

    def recipients(self):
        listed = [line.strip() for line in self.feedback_recipients.splitlines() if line.strip()]
        if listed:
            return listed
        editors = get_user_model().objects.filter(
            is_active=True, groups__name__in=("Editor", "Chief editor")
        )
        return sorted(set(editors.exclude(email="").values_list("email", flat=True)))


class FeedbackMessage(models.Model):
    """A reader's message, kept whether or not the email to the editors went out."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("language"), max_length=8)
    address = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    emailed = models.BooleanField(
        _("emailed to the editors"),
        default=False,
        help_text=_("Off when the email could not be sent: the message is still here."),
    )
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        verbose_name = _("reader's message")
        verbose_name_plural = _("readers' messages")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class FeedbackForm(forms.ModelForm):
    # A field people do not see: what fills it is a robot.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = FeedbackMessage
        fields = ["name", "email", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}


FEEDBACK_RATE = "5/h"


def _address_key(_group, request):
    return client_address(request) or "unknown"


def feedback_email(message):
    """Email the editors; never raises: the message is stored already."""
    recipients = AboutPortal.load().recipients()
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Message from a reader of the portal: %(name)s") % {"name": message.name}
    try:
        send_mail(
            subject,
            f"{message.name} <{message.email}>\n\n{message.message}",
            None,
            recipients,
        )
    except Exception:
        logger.exception("feedback %s could not be emailed", message.pk)
        return False
    return True


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def about(request):
    status, sent, limited = 200, False, False
    form = FeedbackForm()
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        # Only a message that would be sent counts: a form sent back for
        # corrections does not use up the reader's allowance.
        valid = form.is_valid()
        limited = valid and is_ratelimited(
            request,
            group="feedback",
            key=_address_key,
            rate=FEEDBACK_RATE,
            method="POST",
            increment=True,
        )
        if limited:
            status = 429
        elif valid:
            if not form.cleaned_data["website"]:
                message = form.save(commit=False)
                message.language = translation.get_language()
                message.address = client_address(request)
                message.save()
                message.emailed = feedback_email(message)
                message.save(update_fields=["emailed"])
            sent, form = True, FeedbackForm()
        else:
            status = 400
    context = {"about": AboutPortal.load(), "form": form, "sent": sent, "limited": limited}
    return render(request, "about.html", context, status=status)

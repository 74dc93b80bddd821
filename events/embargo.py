"""Embargo links leaving the portal: their full address and the email that
carries them, both in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation


def full_address(link, request=None):
    """The link's absolute address in its recipient's language: SITE_URL's
    scheme and host when set, else those of the request."""
    path = link.path_for_recipient()
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def send_link(link, request=None):
    """Email the link to its recipient in the recipient's language and note
    when. Mail errors are the caller's (OSError, smtplib.SMTPException)."""
    announcement = link.announcement
    with translation.override(link.language or settings.LANGUAGE_CODE):
        context = {
            "link": link,
            "announcement": announcement,
            "title": announcement.title,
            "address": full_address(link, request),
            # Written as the embargo page writes them (the templates' date filter).
            "embargo_until": announcement.publish_at,
            "expires": link.expires_at,
        }
        subject = " ".join(render_to_string("events/email/embargo_subject.txt", context).split())
        body = render_to_string("events/email/embargo_body.txt", context)
    EmailMessage(subject, body, None, [link.email]).send()
    link.sent_at = timezone.now()
    link.save(update_fields=["sent_at"])

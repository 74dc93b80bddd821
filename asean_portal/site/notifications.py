"""Email that follows a publication: a note to the officer who scheduled it;
and the decision on pending changes, to their author in their language."""

import logging

from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from asean_portal.core.content import LANGUAGES
from asean_portal.core.publishing import hanoi_time

logger = logging.getLogger(__name__)


def notify_scheduler(model, pk):
    item = model.objects.select_related("scheduled_by").filter(pk=pk).first()
    officer = item.scheduled_by if item else None
    if officer is None or not officer.email:
        return
    bodies = []
    for language in LANGUAGES:
        with translation.override(language):
            if not bodies:
                subject = _("Published: %(title)s") % {"title": item}
            bodies.append(
                _("“%(title)s” went live at %(time)s (Hanoi time, UTC+7).")
                % {"title": item, "time": hanoi_time(item.publish_at)}
            )
    try:
        send_mail(subject, "\n\n".join(bodies) + "\n", None, [officer.email])
    except Exception:  # a failed email must not undo a publication
        logger.exception("could not notify %s", officer.email)


def notify_author(revision, decision):
    """Tell the author of pending changes what a reviewer decided, in the
    language of the admin they worked in. The comment is sent as plain text."""
    author = revision.author
    if author is None or not author.email:
        return
    reviewer = revision.reviewer
    with translation.override(revision.author_language or "vi"):
        names = {
            "title": revision.object_repr,
            "reviewer": (reviewer.get_full_name() or reviewer.get_username()) if reviewer else "—",
            "time": hanoi_time(revision.publish_at),
        }
        if decision == "sent_back":
            subject = _("Changes sent back: %(title)s") % names
            body = (
                _("%(reviewer)s sent back your changes to “%(title)s” with this comment:") % names
                + "\n\n"
                + revision.comment
            )
        elif decision == "scheduled":
            subject = _("Changes approved: %(title)s") % names
            body = (
                _(
                    "%(reviewer)s approved your changes to “%(title)s”: they go live at "
                    "%(time)s (Hanoi time, UTC+7)."
                )
                % names
            )
        else:
            subject = _("Changes published: %(title)s") % names
            body = _("%(reviewer)s published your changes to “%(title)s” at %(time)s.") % names
        opts = revision.content_type
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model}_change", args=[revision.object_id])
            body += "\n\n" + _("The item in the admin: %(url)s") % {"url": url}
        except NoReverseMatch:
            pass
    try:
        send_mail(subject, body + "\n", None, [author.email])
    except Exception:  # a failed email must not undo a decision
        logger.exception("could not notify %s", author.email)

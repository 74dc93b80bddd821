"""Email that follows a publication: a note to the officer who scheduled it."""

import logging

from django.core.mail import send_mail
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

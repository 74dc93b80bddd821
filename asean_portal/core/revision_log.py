"""The record of what happened to pending revisions: saved as a draft,
submitted for review, sent back (with the reviewer's comment), approved and
scheduled, held for the English, discarded, returned to review by the sweep
(the item withdrawn, or the changes in conflict). An item's History shows it beside
its versions and its transitions (the publication of changes is a
PublicationEvent)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .publishing import hanoi_time


class RevisionEvent(models.Model):
    class Action(models.TextChoices):
        DRAFT = "draft", _("Changes saved as a draft")
        SUBMITTED = "in_review", _("Changes submitted for review")
        SENT_BACK = "sent_back", _("Changes sent back")
        SCHEDULED = "scheduled", _("Changes approved and scheduled")
        HELD = "held", _("Changes held until the English is ready")
        DISCARDED = "discarded", _("Changes discarded")
        # The sweep could not apply scheduled changes: back to the review queue.
        WITHDRAWN = "withdrawn", _("Changes returned to review: the item was withdrawn")
        CONFLICT = "conflict", _("Changes returned to review: in conflict with another item")

    revision = models.ForeignKey(
        "asean_portal.PendingRevision",
        verbose_name=_("pending revision"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("reviewer's comment"), blank=True)
    publish_at = models.DateTimeField(_("publication time"), null=True, blank=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.action} {self.content_type_id}:{self.object_id} @ {self.at:%Y-%m-%d %H:%M}"

    def describe(self):
        """What happened, as staff read it (plain text: shown escaped)."""
        if self.action == self.Action.SENT_BACK and self.comment:
            return _("Changes sent back, with the comment: %(comment)s") % {"comment": self.comment}
        if self.action == self.Action.SCHEDULED:
            return _("Changes approved, to go live at %(time)s (Hanoi time)") % {
                "time": hanoi_time(self.publish_at)
            }
        if self.action == self.Action.HELD:
            return _("Changes held until the English is ready (intended for %(time)s)") % {
                "time": hanoi_time(self.publish_at)
            }
        return self.get_action_display()


def record(revision, action, *, by_id, at, comment="", publish_at=None):
    """Log a step of ``revision`` (in the caller's transaction)."""
    return RevisionEvent.objects.create(
        revision_id=revision.pk,
        content_type_id=revision.content_type_id,
        object_id=revision.object_id,
        action=action,
        at=at,
        by_id=by_id,
        comment=comment,
        publish_at=publish_at,
    )


def events_of(model, pk):
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return RevisionEvent.objects.filter(content_type=content_type, object_id=pk).select_related(
        "by"
    )

"""What the core announces. The page cache, the search index and email
listen (asean_portal.site.receivers); the core imports none of them.

- ``content_changed``: an object of a public content app was saved or
  deleted, or one of its many-to-many relations changed. Arguments:
  ``instance``, ``deleted``, ``relation`` (true for a many-to-many change) and
  ``created`` (true for the save that created it).
- ``published`` / ``withdrawn``: a transition happened, sent once, by its
  single winner, after its transaction committed. Arguments: ``pk``.
- ``revision_times_changed``: a pending revision of the item ``pk`` was
  scheduled, unscheduled or applied (after the commit): the instants at which
  its pages change by themselves moved.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from .declarations import public_models

content_changed = Signal()
published = Signal()
withdrawn = Signal()
revision_times_changed = Signal()


def _saved(sender, instance, created=False, raw=False, **kwargs):
    if not raw:
        content_changed.send(
            sender=sender, instance=instance, deleted=False, relation=False, created=created
        )


def _deleted(sender, instance, **kwargs):
    content_changed.send(sender=sender, instance=instance, deleted=True, relation=False)


def _relation_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        content_changed.send(sender=type(instance), instance=instance, deleted=False, relation=True)


def announce_content_changes():
    """Turn Django's model signals of public content into content_changed.
    Called once, from the project's AppConfig.ready()."""
    for model in public_models():
        post_save.connect(_saved, sender=model, dispatch_uid=f"content-saved-{model._meta.label}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"content-deleted-{model._meta.label}"
        )
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _relation_changed, sender=through, dispatch_uid=f"content-m2m-{through._meta.label}"
            )

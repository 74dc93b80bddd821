"""Pending revisions: changes to a scheduled or public item that wait for a
publisher, while the public keeps the approved version.

A revision is stored beside the live row: the values of the fields that the
change form edits (both languages of each translated field, foreign keys and
many-to-many links), serialized as Django's serializers do. An item has at
most one open revision. Its life:

    draft ⇄ in review → sent back (→ draft / in review again)
                      → approved and scheduled → published (by the sweep)
                      → published (now)
    any open state → discarded

A new draft (never published) may be submitted for review too: its revision
holds what its row holds, and approving it publishes or schedules the item
itself through the transitions of the publishing core.

Every change of state goes through the functions below, which check the
"publish" permission, as the transitions of asean_portal.core.publishing do.
A scheduled revision is applied at its time by the first request at or after
it (asean_portal.site.due_revisions) or by the sweep (publish_due), once: a
conditional UPDATE on the revision has one winner, which writes the item and
one PublicationEvent in the same transaction.

Publishing or scheduling changes that leave the English missing or outdated
asks the question of a first publication (english_release): held, they stay
a draft of changes keeping their intended time (is_held, on the agenda);
with the notice, it is kept in their fields and goes live with them.

The rule on review: whoever submitted a revision for review does not approve
it (publish, schedule) themselves, whatever their role; another publisher
does. A publisher may still publish their own draft of changes without
submitting it, as they may save the item directly."""

import logging

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import revision_log, signals
from .publishing import (
    LIVE_STATUSES,
    PublicationEvent,
    Status,
    english_lacking,
    english_release,
    hanoi_time,
    item_publish_now,
    item_schedule,
    record_event,
    refuse_past,
)

logger = logging.getLogger(__name__)

# Sent after the commit of a review decision. Arguments: ``revision``
# (a PendingRevision) and ``decision`` ("sent_back", "scheduled" or
# "published"). asean_portal.site.receivers emails the author.
reviewed = Signal()


class RevisionState(models.TextChoices):
    DRAFT = "draft", _("Draft of changes")
    IN_REVIEW = "in_review", _("In review")
    SENT_BACK = "sent_back", _("Sent back")
    SCHEDULED = "scheduled", _("Approved and scheduled")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


OPEN_STATES = (
    RevisionState.DRAFT,
    RevisionState.IN_REVIEW,
    RevisionState.SENT_BACK,
    RevisionState.SCHEDULED,
)
# What the publishing core computes when an item is saved: written with the
# revision's own fields when it is applied.
DERIVED_COLUMNS = (
    "english_state",
    "english_basis",
    "revised_at",
    "updated_at",
    "updated_by_id",
    *(f"slug_{code}" for code, _name in settings.LANGUAGES),
)


def _user(verbose_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class PendingRevision(models.Model):
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("item"), max_length=300, blank=True)
    fields = models.JSONField(_("changed fields"), encoder=DjangoJSONEncoder, default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=RevisionState.choices, default=RevisionState.DRAFT
    )
    author = _user(_("author"))
    # The language of the admin the author worked in: their email speaks it.
    author_language = models.CharField(_("author's language"), max_length=5, default="vi")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewer = _user(_("reviewer"))
    comment = models.TextField(_("reviewer's comment"), blank=True)
    publish_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending revision")
        verbose_name_plural = _("review queue")
        ordering = ["submitted_at", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_revision_per_item",
            )
        ]

    def __str__(self):
        return self.object_repr or f"{self.content_type_id}:{self.object_id}"

    @property
    def model(self):
        return self.content_type.model_class()

    def is_held(self):
        """Held until the English is ready: open, not scheduled, and keeping
        the time a publisher intended for it (see english_release)."""
        return (
            self.state in OPEN_STATES
            and self.state != RevisionState.SCHEDULED
            and self.publish_at is not None
        )

    def held_time_passed(self):
        return self.is_held() and self.publish_at <= timezone.now()

    def item(self, *, for_update=False):
        queryset = self.model._default_manager.all()
        if for_update:
            queryset = queryset.select_for_update()
        return queryset.filter(pk=self.object_id).first()


# --- Which items are guarded, and their revisions ------------------------------


def guarded(item):
    """A scheduled or public item: its changes wait for a publisher. Judged
    on the stored state, not on what a form carries."""
    if item is None or item.pk is None:
        return False
    status = type(item)._default_manager.filter(pk=item.pk).values_list("status", flat=True)
    return status.first() in LIVE_STATUSES


def open_revisions(model):
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return PendingRevision.objects.filter(content_type=content_type, state__in=OPEN_STATES)


def open_revision(item):
    if item is None or item.pk is None:
        return None
    return open_revisions(type(item)).filter(object_id=item.pk).first()


def may_publish(user, model):
    opts = model._meta
    return user is not None and user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def _require_publish_permission(user, model):
    if not may_publish(user, model):
        raise PermissionDenied(
            _("You are not allowed to schedule or publish %(type)s.")
            % {"type": model._meta.verbose_name_plural}
        )


def reviewable_types(user):
    """The content types whose revisions ``user`` may approve, as
    (app label, model name) pairs."""
    from .publishing import publishable_models

    if user is None or not user.is_active or not user.is_staff:
        return []
    return [
        (model._meta.app_label, model._meta.model_name)
        for model in publishable_models()
        if may_publish(user, model)
    ]


def of_types(pairs):
    """A condition on PendingRevision: of one of these types (read through a
    join, without ContentType's cache)."""
    condition = Q(pk__in=[])
    for app_label, model_name in pairs:
        condition |= Q(content_type__app_label=app_label, content_type__model=model_name)
    return condition


def held(model):
    """The open revisions of ``model``'s items held until their English is
    ready, by their intended time."""
    return (
        open_revisions(model)
        .exclude(state=RevisionState.SCHEDULED)
        .filter(publish_at__isnull=False)
        .order_by("publish_at", "pk")
    )


def waiting_for(user):
    """The revisions in review that ``user`` may approve, oldest first."""
    return PendingRevision.objects.filter(
        of_types(reviewable_types(user)), state=RevisionState.IN_REVIEW
    ).order_by("submitted_at", "pk")


# --- Serialization ----------------------------------------------------------------


def serialize(item, names, links=None):
    """The values of the fields ``names`` of ``item`` as it is in memory (a
    form's values applied), many-to-many links from ``links`` ({name: pks})."""
    opts = item._meta
    plain = [name for name in names if not opts.get_field(name).many_to_many]
    (record,) = serializers.serialize("python", [item], fields=plain)
    values = dict(record["fields"])
    for name, pks in (links or {}).items():
        values[name] = sorted(pks)
    return values


def materialize(revision, item):
    """Set the revision's values on ``item`` in memory (nothing is saved).
    Returns its many-to-many links ({name: pks}) and the columns it set."""
    opts = item._meta
    record = {"model": opts.label_lower, "pk": item.pk, "fields": revision.fields}
    (loaded,) = serializers.deserialize("python", [record], ignorenonexistent=True)
    columns = []
    for name in revision.fields:
        try:
            field = opts.get_field(name)
        except Exception:  # a field removed since the revision was stored
            continue
        if field.many_to_many or not field.concrete:
            continue
        setattr(item, field.attname, getattr(loaded.object, field.attname))
        columns.append(field.attname)
    links = {name: list(pks) for name, pks in (loaded.m2m_data or {}).items()}
    return links, columns


def store(item, names, *, by, links=None, submit=False, draft=False, now=None):
    """Keep the form's values of ``item`` (a guarded item, or a new draft
    submitted for review, whose row holds the same values) as its open
    revision, created or updated: in review with ``submit``, a draft of
    changes with ``draft``; otherwise it stays in review if it was. Changing
    an approved revision takes its approval away."""
    now = now or timezone.now()
    values = serialize(item, names, links)
    content_type = ContentType.objects.get_for_model(item, for_concrete_model=False)
    with transaction.atomic():
        revision = (
            PendingRevision.objects.select_for_update()
            .filter(content_type=content_type, object_id=item.pk, state__in=OPEN_STATES)
            .first()
        ) or PendingRevision(content_type=content_type, object_id=item.pk)
        revision.fields = values
        revision.object_repr = Truncator(str(item)).chars(300)
        revision.author = by
        revision.author_language = (get_language() or "vi")[:5]
        if revision.state == RevisionState.SCHEDULED:
            _times_changed(type(item), item.pk)
            revision.publish_at = None
        elif not revision.is_held():
            revision.publish_at = None
        if submit:
            revision.state = RevisionState.IN_REVIEW
            revision.submitted_at = now
        elif draft or revision.state != RevisionState.IN_REVIEW:
            revision.state = RevisionState.DRAFT
        revision.save()
        if submit or revision.state == RevisionState.DRAFT:
            revision_log.record(revision, revision.state, by_id=by.pk if by else None, at=now)
    return revision


# --- Applying a revision to its item ------------------------------------------------


def apply(revision, item, *, at):
    """Write the revision's values to the live row (its state untouched),
    with a version in the item's history. ``at`` is when the correction went
    live: its "Updated on"."""
    links, columns = materialize(revision, item)
    item.updated_by_id = revision.author_id
    concrete = {field.attname for field in item._meta.concrete_fields}
    update_fields = [name for name in (*columns, *DERIVED_COLUMNS) if name in concrete]
    with reversion.create_revision(manage_manually=False):
        reversion.set_comment(str(_("Pending changes published")))
        if revision.author_id:
            reversion.set_user(revision.author)
        item.save(update_fields=list(dict.fromkeys(update_fields)))
        for name, pks in links.items():
            getattr(item, name).set(pks)
        apply_rows(revision, item)
    if getattr(item, "revised_at", None) is not None and item.revised_at != at:
        type(item)._default_manager.filter(pk=item.pk).update(revised_at=at)
        item.revised_at = at


def is_new_draft(item):
    """An item never published: its revision is a request to publish it."""
    return (
        item is not None
        and item.status == Status.DRAFT
        and item.first_published_at is None
        and item.withdrawn_at is None
    )


def _refuse_unless_public(item):
    if item is None or item.status not in LIVE_STATUSES:
        moment = getattr(item, "withdrawn_at", None)
        raise ValidationError(
            _(
                "This item is no longer scheduled or public (withdrawn on %(time)s), so its "
                "pending changes cannot go live. Publish the item again first, or discard "
                "the changes."
            )
            % {"time": hanoi_time(moment)},
            code="not_public",
        )


def seen_token(revision):
    """What a decision's page shows of ``revision``: its last change. The page
    sends it back, and the decision is made only on the changes it showed."""
    return revision.updated_at.isoformat() if revision.updated_at else ""


def refuse_unless_as_seen(revision, seen):
    """Refuse a decision made on a page that showed ``revision`` other than
    it is (``seen``, its seen_token then): the author saved the changes again
    after the page was opened. Should they be saved between this check and the
    decision, the decision's claim finds them changed (_claim)."""
    if not seen or seen != seen_token(revision):
        raise ValidationError(
            _(
                "The changes were edited after this page was opened. Read them again "
                "below, then confirm."
            ),
            code="changed_meanwhile",
        )


def _refuse_own_review(revision, by):
    if revision.state == RevisionState.IN_REVIEW and revision.author_id == by.pk:
        raise ValidationError(
            _(
                "You submitted these changes for review: another publisher approves them. "
                "Ask a colleague, or withdraw them from review by saving them as a draft."
            ),
            code="own_review",
        )


def _claim(revision, states, **changes):
    """Move ``revision`` out of ``states`` with a conditional UPDATE, on its
    changes as the caller read them (a save of them since moved updated_at):
    True for the one caller that did it."""
    won = PendingRevision.objects.filter(
        pk=revision.pk, state__in=states, updated_at=revision.updated_at
    ).update(**changes)
    if won:
        for name, value in changes.items():
            setattr(revision, name, value)
        _times_changed(revision.content_type.model_class(), revision.object_id)
        _log_step(revision, changes)
    return bool(won)


def _log_step(revision, changes):
    """The step a claim made, in the item's History (publication itself is
    its PublicationEvent)."""
    state = changes.get("state")
    if state is None or state == RevisionState.PUBLISHED:
        return
    action = state
    if state == RevisionState.DRAFT:
        action = revision_log.RevisionEvent.Action.HELD if changes.get("publish_at") else state
    revision_log.record(
        revision,
        action,
        by_id=changes.get("author_id" if state == RevisionState.IN_REVIEW else "reviewer_id"),
        at=changes.get("updated_at") or timezone.now(),
        comment=changes.get("comment", ""),
        publish_at=changes.get("publish_at"),
    )


def _times_changed(model, pk):
    """After the commit: the times at which ``model``'s item ``pk`` changes by
    itself may have moved (a revision scheduled, unscheduled or applied)."""
    transaction.on_commit(lambda: signals.revision_times_changed.send(sender=model, pk=pk))


def _stale():
    return ValidationError(
        _("These changes were decided on meanwhile (published, discarded or changed)."),
        code="stale",
    )


def as_applied(revision, item=None):
    """The item as the revision would leave it, in memory, with its English
    state recomputed."""
    item = item or revision.item()
    pending = type(item)._default_manager.get(pk=item.pk)
    materialize(revision, pending)
    if hasattr(pending, "refresh_english_state"):
        pending.refresh_english_state(pending._stored_values())
    return pending


def english_lacking_after(revision, item=None):
    """Whether the changes leave the item's English missing or outdated (the
    Vietnamese changed without its English, or the English removed)."""
    return english_lacking(as_applied(revision, item))


def _english_choice(revision, item, english):
    """The bilingual rule for the changes, as for a first publication
    (english_release): (False, {}) when the publisher holds them; (True,
    changes of the revision) to go ahead, the "English coming" notice kept
    in its fields so that it goes live with them, now or when due."""
    pending = as_applied(revision, item)
    if not english_release(item=pending, english=english):
        return False, {}
    if pending.english_notice and not item.english_notice:
        return True, {"fields": {**revision.fields, "english_notice": True}}
    return True, {}


def _hold(revision, by, at, now):
    """Held until the English is ready: a draft of changes keeping its
    intended time ``at``, on the agenda, until a publisher releases it."""
    if not _claim(
        revision,
        OPEN_STATES,
        state=RevisionState.DRAFT,
        publish_at=at,
        reviewer_id=by.pk,
        updated_at=now,
    ):
        raise _stale()
    return revision


def publish_now(*, revision, by, now=None, english=None):
    """A publisher puts the pending changes live at once: one event. Changes
    that leave the English missing or outdated need ``english`` ("hold" or
    "notice", see english_release)."""
    _require_publish_permission(by, revision.model)
    _refuse_own_review(revision, by)
    now = now or timezone.now()
    with transaction.atomic():
        item = revision.item(for_update=True)
        if is_new_draft(item):
            return _decide_on_draft(revision, item, by, now, at=None, english=english)
        _refuse_unless_public(item)
        go_ahead, changes = _english_choice(revision, item, english)
        if not go_ahead:
            _hold(revision, by, now, now)
            return item
        if not _claim(
            revision,
            OPEN_STATES,
            state=RevisionState.PUBLISHED,
            published_at=now,
            reviewer_id=by.pk,
            publish_at=now,
            **changes,
        ):
            raise _stale()
        try:
            with transaction.atomic():
                apply(revision, item, at=now)
        except IntegrityError as error:
            raise ValidationError(
                _(
                    "The pending changes conflict with another item (an address already "
                    "taken, or a linked item deleted meanwhile). Edit them, then publish again."
                ),
                code="conflict",
            ) from error
        record_event(
            revision.model,
            item.pk,
            PublicationEvent.Action.REVISED,
            now,
            now,
            "staff",
            scheduled_by_id=by.pk,
            acted_by=by,
        )
        transaction.on_commit(
            lambda: reviewed.send(PendingRevision, revision=revision, decision="published")
        )
    return item


def _decide_on_draft(revision, item, by, now, *, at, english=None, unpublish_at=None):
    """Approving a new draft is publishing it (now, or scheduled at ``at``)
    through the transitions of the publishing core; its revision closes."""
    if not _claim(
        revision,
        OPEN_STATES,
        state=RevisionState.PUBLISHED,
        published_at=now,
        reviewer_id=by.pk,
        publish_at=at or now,
    ):
        raise _stale()
    if at is None:
        item_publish_now(item=item, by=by, english=english, now=now)
        decision = None if item.is_held() else "published"
    else:
        scheduled = item_schedule(
            item=item, at=at, by=by, english=english, unpublish_at=unpublish_at, now=now
        )
        decision = "scheduled" if scheduled else None
    if decision:
        transaction.on_commit(
            lambda: reviewed.send(PendingRevision, revision=revision, decision=decision)
        )
    return item


def schedule(*, revision, at, by, now=None, english=None, unpublish_at=None):
    """A publisher approves the changes to go live at ``at`` (by the sweep);
    for a new draft, the item is scheduled (``english`` and ``unpublish_at``
    as item_schedule takes them). Changes that leave the English missing or
    outdated need ``english``: held, they wait with their intended time;
    with the notice, it goes live with them."""
    _require_publish_permission(by, revision.model)
    _refuse_own_review(revision, by)
    now = now or timezone.now()
    refuse_past(at, now)
    with transaction.atomic():
        item = revision.item(for_update=True)
        if is_new_draft(item):
            _decide_on_draft(
                revision, item, by, now, at=at, english=english, unpublish_at=unpublish_at
            )
            return revision
        _refuse_unless_public(item)
        go_ahead, changes = _english_choice(revision, item, english)
        if not go_ahead:
            return _hold(revision, by, at, now)
        if not _claim(
            revision,
            OPEN_STATES,
            state=RevisionState.SCHEDULED,
            publish_at=at,
            reviewer_id=by.pk,
            updated_at=now,
            **changes,
        ):
            raise _stale()
        transaction.on_commit(
            lambda: reviewed.send(PendingRevision, revision=revision, decision="scheduled")
        )
    return revision


def submit(*, revision, by, now=None):
    now = now or timezone.now()
    if not _claim(
        revision,
        (RevisionState.DRAFT, RevisionState.SENT_BACK),
        state=RevisionState.IN_REVIEW,
        submitted_at=now,
        author_id=by.pk,
        author_language=(get_language() or "vi")[:5],
        updated_at=now,
    ):
        raise _stale()
    return revision


def send_back(*, revision, by, comment, now=None):
    """A reviewer returns the changes to their author with a comment (plain
    text: it is shown escaped and sent as plain text)."""
    _require_publish_permission(by, revision.model)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Say what should change: the author reads this comment.")}
        )
    now = now or timezone.now()
    with transaction.atomic():
        if not _claim(
            revision,
            (RevisionState.IN_REVIEW, RevisionState.SCHEDULED, RevisionState.DRAFT),
            state=RevisionState.SENT_BACK,
            comment=comment,
            reviewer_id=by.pk,
            publish_at=None,
            updated_at=now,
        ):
            raise _stale()
        transaction.on_commit(
            lambda: reviewed.send(PendingRevision, revision=revision, decision="sent_back")
        )
    return revision


def discard(*, revision, by, now=None):
    """The changes are dropped: by a publisher, or by their author."""
    if revision.author_id != by.pk:
        _require_publish_permission(by, revision.model)
    now = now or timezone.now()
    if not _claim(
        revision, OPEN_STATES, state=RevisionState.DISCARDED, reviewer_id=by.pk, updated_at=now
    ):
        raise _stale()
    item = revision.item()
    if item is not None:
        transaction.on_commit(lambda: drop_row_files(revision, item))
    return revision


def superseded(item, *, by, now=None):
    """A publisher saved the item directly, from a form that showed its
    pending changes: they are live now, and the revision is closed."""
    now = now or timezone.now()
    revision = open_revision(item)
    if revision is not None and guarded(item):
        _claim(
            revision,
            OPEN_STATES,
            state=RevisionState.PUBLISHED,
            published_at=now,
            reviewer_id=by.pk,
            updated_at=now,
        )


# --- The sweep, and the first request at or after a revision's time ---------------------


def due(now):
    return PendingRevision.objects.filter(state=RevisionState.SCHEDULED, publish_at__lte=now)


def first_scheduled():
    """The earliest time of a scheduled revision, past or future (None when
    none is scheduled): a request at or after it applies what is due."""
    return PendingRevision.objects.filter(state=RevisionState.SCHEDULED).aggregate(
        at=models.Min("publish_at")
    )["at"]


def next_scheduled(queryset, now):
    """The earliest instant after ``now`` at which a scheduled revision of
    one of the items of ``queryset`` goes live (see next_change)."""
    content_type = ContentType.objects.get_for_model(queryset.model, for_concrete_model=False)
    revisions = PendingRevision.objects.filter(
        content_type=content_type, state=RevisionState.SCHEDULED, publish_at__gt=now
    )
    if queryset.query.has_filters():
        revisions = revisions.filter(object_id__in=queryset.values("pk"))
    return revisions.aggregate(at=models.Min("publish_at"))["at"]


def apply_due(*, now=None, source="request"):
    """Apply every scheduled revision whose time has come, each once (the
    sweep may race for the same ones): how many this call applied."""
    now = now or timezone.now()
    return sum(
        go_live(pk=pk, now=now, source=source) for pk in due(now).values_list("pk", flat=True)
    )


def go_live(*, pk, now=None, source="sweep"):
    """Apply a due scheduled revision, once: True for the winner. An item
    that was withdrawn meanwhile keeps its withdrawn version, and changes in
    conflict with another item (an address taken) are not applied: the
    revision goes back to the review queue, unscheduled."""
    now = now or timezone.now()
    with transaction.atomic():
        row = due(now).filter(pk=pk).values("publish_at").first()
        if row is None:
            return False
        at = row["publish_at"]
        won = PendingRevision.objects.filter(
            pk=pk, state=RevisionState.SCHEDULED, publish_at=at
        ).update(state=RevisionState.PUBLISHED, published_at=now)
        if not won:
            return False
        revision = PendingRevision.objects.select_related("content_type", "author").get(pk=pk)
        _times_changed(revision.model, revision.object_id)
        item = revision.item(for_update=True)
        returned = None
        if item is None or item.status not in LIVE_STATUSES:
            returned = revision_log.RevisionEvent.Action.WITHDRAWN
        else:
            try:
                with transaction.atomic():
                    apply(revision, item, at=at)
            except IntegrityError:
                returned = revision_log.RevisionEvent.Action.CONFLICT
        if returned is not None:
            # Withdrawn meanwhile, or in conflict with another item: back to
            # the review queue, unscheduled, for a person to decide; the
            # item's History says why.
            PendingRevision.objects.filter(pk=pk).update(
                state=RevisionState.IN_REVIEW, publish_at=None, published_at=None
            )
            revision_log.record(revision, returned, by_id=None, at=now)
            logger.warning("revision %s not applied: its item is withdrawn or in conflict", pk)
            return False
        record_event(
            revision.model,
            item.pk,
            PublicationEvent.Action.REVISED,
            at,
            now,
            source,
            scheduled_by_id=revision.reviewer_id,
        )
    return True


# --- The rows of the inlines -------------------------------------------------------
# A live item's inline rows (a meeting's participants and photos) change with
# its revision: beside the fields, under ROWS, the revision keeps for each
# inline (by the accessor of its foreign key) the rows added (their values),
# changed (their pk and values) and deleted (their pks). The public keeps the
# live rows until the revision is applied, in the same transaction as its
# fields. An uploaded file is stored (privately, as every upload) when the
# revision is saved; its row exists only once the revision is applied.

ROWS = "@rows"  # never a field's name


def _row_names(row, names):
    """``names`` and the columns computed from them (an image's size)."""
    extra = []
    for name in names:
        field = row._meta.get_field(name)
        for attribute in ("width_field", "height_field"):
            if getattr(field, attribute, None):
                extra.append(getattr(field, attribute))
    return list(dict.fromkeys([*names, *extra]))


def serialize_row(row, names):
    """The values of the fields ``names`` of ``row`` (in memory); a new
    upload is stored first, so that the revision holds its name."""
    for name in names:
        field = row._meta.get_field(name)
        file = getattr(row, field.attname, None) if isinstance(field, models.FileField) else None
        if file and not file._committed:
            field.pre_save(row, True)
            _make_previews(row, field)
    (record,) = serializers.serialize("python", [row], fields=_row_names(row, names))
    return dict(record["fields"])


def _make_previews(row, field):
    """A new photo's renditions, for the staff preview of the pending rows."""
    from .images import PhotoField, rendition_files

    if isinstance(field, PhotoField):
        for cachefile in rendition_files(row, field.name):
            cachefile.generate(force=True)


def load_row(model, values, pk=None):
    """A row (not saved) holding ``values``, as serialize_row gave them."""
    return _load_row(model, pk, values)


def _load_row(model, pk, values):
    record = {"model": model._meta.label_lower, "pk": pk, "fields": values}
    (loaded,) = serializers.deserialize("python", [record], ignorenonexistent=True)
    return loaded.object


def materialize_row(row, values):
    """Set a changed row's pending ``values`` on ``row`` in memory."""
    loaded = _load_row(type(row), row.pk, values)
    for name in values:
        try:
            field = row._meta.get_field(name)
        except Exception:  # a field removed since the revision was stored
            continue
        if field.concrete and not field.many_to_many:
            setattr(row, field.attname, getattr(loaded, field.attname))
    return row


def row_changes(revision):
    """{accessor: {"model", "fk", "added", "changed", "deleted"}} of ``revision``."""
    if revision is None:
        return {}
    return revision.fields.get(ROWS) or {}


def store_rows(revision, changes, *, before=None):
    """Keep the inline changes ``changes`` (as row_changes gives them) in
    ``revision``, in place of those it held (``before``, when its fields were
    stored anew meanwhile): the uploads of rows taken out are removed."""
    changes = {
        accessor: change
        for accessor, change in changes.items()
        if change["added"] or change["changed"] or change["deleted"]
    }
    before = _row_files(revision.model, row_changes(revision) if before is None else before)
    after = _row_files(revision.model, changes)
    dropped = {name: found for name, found in before.items() if name not in after}
    if dropped:  # uploads of rows taken out of the changes
        transaction.on_commit(lambda: _drop_files(dropped))
    fields = {name: value for name, value in revision.fields.items() if name != ROWS}
    if changes:
        fields[ROWS] = changes
    revision.fields = fields
    revision.save(update_fields=["fields", "updated_at"])
    return revision


def pending_rows(revision, item, accessor, rows):
    """The rows that ``item``'s ``accessor`` will hold once ``revision`` is
    applied, from its live ``rows`` (an iterable): the deleted ones left out,
    the changed ones with their new values (in memory), the added ones (not
    saved) after them; these two carry ``pending_change``."""
    change = row_changes(revision).get(accessor)
    if not change:
        return list(rows)
    deleted = set(change["deleted"])
    changed = {entry["pk"]: entry["fields"] for entry in change["changed"]}
    result = []
    for row in rows:
        if row.pk in deleted:
            continue
        if row.pk in changed:
            materialize_row(row, changed[row.pk])
            row.pending_change = True
        result.append(row)
    model = type(item)._meta.get_field(accessor).related_model
    fk = change["fk"]
    for values in change["added"]:
        row = _load_row(model, None, values)
        setattr(row, model._meta.get_field(fk).attname, item.pk)
        row.pending_change = True
        result.append(row)
    return result


def apply_rows(revision, item):
    """Write the revision's inline changes: deleted rows first (a country
    removed and added again keeps its unique pair), then changed, then added."""
    for accessor, change in row_changes(revision).items():
        model = type(item)._meta.get_field(accessor).related_model
        fk = change["fk"]
        rows = model._default_manager.filter(**{fk: item})
        for row in rows.filter(pk__in=change["deleted"]):
            row.delete()
        for entry in change["changed"]:
            row = rows.filter(pk=entry["pk"]).first()
            if row is None:  # deleted meanwhile: nothing to change
                continue
            materialize_row(row, entry["fields"])
            row.save()
        for values in change["added"]:
            row = _load_row(model, None, values)
            setattr(row, model._meta.get_field(fk).attname, item.pk)
            row.save()


def _row_files(model, changes):
    """{name: (row model, field, values)} of the uploads that the inline
    ``changes`` of an item of ``model`` name."""
    found = {}
    for accessor, change in changes.items():
        try:
            rows_model = model._meta.get_field(accessor).related_model
        except Exception:  # an inline removed since the revision was stored
            continue
        file_fields = [
            f for f in rows_model._meta.concrete_fields if isinstance(f, models.FileField)
        ]
        for values in [*change["added"], *(entry["fields"] for entry in change["changed"])]:
            for field in file_fields:
                if values.get(field.name):
                    found[values[field.name]] = (rows_model, field, values)
    return found


def _drop_files(files):
    """Remove the uploads ``files`` (as _row_files gives them) that no row uses."""
    from .images import PhotoField, rendition_files

    for name, (model, field, values) in files.items():
        if model._default_manager.filter(**{field.name: name}).exists():
            continue
        row = _load_row(model, None, values)
        try:
            if isinstance(field, PhotoField):
                for cachefile in rendition_files(row, field.name):
                    cachefile.storage.delete(cachefile.name)
            getattr(row, field.attname).storage.delete(name)
        except OSError:
            logger.warning("could not remove the unused upload %s", name)


def drop_row_files(revision, item):
    """Remove the stored uploads (and their renditions) that only
    ``revision``'s rows name, once it is discarded: no row will point to them."""
    _drop_files(_row_files(type(item), row_changes(revision)))

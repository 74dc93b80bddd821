"""The publishing core shared by every public content type.

Visibility is decided by one queryset method, ``live(now)``, at query time:
status scheduled or published, ``publish_at`` reached, ``unpublish_at`` not
reached, and the same for the model's ``public_parents``. Every public view,
feed, sitemap, search, export and count uses it; the objects it returns show
only public related objects (asean_portal.core.relations).
"""

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import F, Min, Q
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import signals
from .content import EnglishState

logger = logging.getLogger(__name__)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


LIVE_STATUSES = (Status.SCHEDULED, Status.PUBLISHED)
# What decides whether an item is public now: read with the rows of a list
# that asks (a fragment kept only for public items, a photo's public copy),
# or each row reads them again.
STATE_FIELDS = ("status", "publish_at", "unpublish_at")


def window_q(now, start, end):
    """Inside a publication window at ``now``: ``start`` reached and ``end``
    empty or not reached (field names, possibly across relations)."""
    return Q(**{f"{start}__lte": now}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": now}))


def live_q(now=None, prefix="", model=None):
    """The live() condition as a Q object, for use across relations. With
    ``model``, it includes the condition on the model's ``public_parents``
    (and theirs): the parents must be live too."""
    now = now or timezone.now()
    condition = Q(**{f"{prefix}status__in": LIVE_STATUSES}) & window_q(
        now, f"{prefix}publish_at", f"{prefix}unpublish_at"
    )
    for name in getattr(model, "public_parents", ()):
        parent = model._meta.get_field(name).related_model
        condition &= live_q(now, f"{prefix}{name}__", parent)
    return condition


def parent_paths(model, prefix=""):
    """The lookups of every public parent of ``model``, its parents' parents
    included (for select_related)."""
    paths = []
    for name in getattr(model, "public_parents", ()):
        paths.append(f"{prefix}{name}")
        paths += parent_paths(model._meta.get_field(name).related_model, f"{prefix}{name}__")
    return paths


class PublicModelIterable(ModelIterable):
    """Model instances fetched for the public: each is marked, so that its
    relations show only public objects (asean_portal.core.relations)."""

    def __iter__(self):
        for obj in super().__iter__():
            obj.shown_to_public = True
            yield obj


def _staff_member(verbose_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class PublishableQuerySet(models.QuerySet):
    def live(self, now=None):
        """What the public may see at ``now`` (default: this instant): live
        items whose public parents are live. The objects it returns are
        marked as shown to the public: their relations to other publishable
        objects show only the public ones."""
        queryset = self.filter(live_q(now, model=self.model))
        queryset._iterable_class = PublicModelIterable
        return queryset

    def due_to_go_live(self, now):
        """Scheduled items whose publication time has come: public by live()
        already, waiting for the side effects of their transition."""
        return self.filter(status=Status.SCHEDULED, publish_at__lte=now)

    def held(self):
        """Held until the English is ready: drafts that keep their intended
        publication time (see english_release)."""
        return self.filter(status=Status.DRAFT, publish_at__isnull=False)

    def due_to_withdraw(self, now):
        return self.filter(status__in=LIVE_STATUSES, unpublish_at__lte=now)

    def next_change(self, now):
        """The earliest instant after ``now`` at which what the public sees of
        these items changes by itself: a publication, a withdrawal, or another
        boundary that the type declares in ``window_fields``, or a scheduled
        revision's text going live."""
        moments = [
            self.filter(status=Status.SCHEDULED, publish_at__gt=now).aggregate(
                at=Min("publish_at")
            )["at"],
            self.filter(status__in=LIVE_STATUSES, unpublish_at__gt=now).aggregate(
                at=Min("unpublish_at")
            )["at"],
        ]
        for field in self.model.window_fields:
            moments.append(self.filter(**{f"{field}__gt": now}).aggregate(at=Min(field))["at"])
        moments.append(self._revisions_next_change(now))
        moments = [moment for moment in moments if moment is not None]
        return min(moments) if moments else None

    def _revisions_next_change(self, now):
        """A scheduled revision changes its item's text at its time."""
        from .revisions import next_scheduled

        return next_scheduled(self, now)


class Publishable(models.Model):
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_(
            "The public sees an item only when it is scheduled or published, its publication "
            "time has come, and its withdrawal time (if any) has not."
        ),
    )
    publish_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("Hanoi time (UTC+7). The item becomes public at this instant."),
    )
    unpublish_at = models.DateTimeField(
        _("withdrawal time"),
        null=True,
        blank=True,
        help_text=_("Hanoi time (UTC+7). Optional: the item stops being public at this instant."),
    )
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False
    )
    revised_at = models.DateTimeField(
        _("last revised"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the text of a public item last changed; shown as “Updated on”."),
    )
    change_note = models.CharField(
        _("public change note"),
        max_length=300,
        blank=True,
        help_text=_("Shown with “Updated on …” when a public item is corrected."),
    )
    withdrawal_reason = models.TextField(
        _("reason for withdrawal"),
        blank=True,
        help_text=_("Shown on the page that replaces an item taken off the site."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    english_notice = models.BooleanField(
        _("“English coming” notice"),
        default=False,
        help_text=_(
            "Published in Vietnamese before the English was ready: the English page says "
            "that the translation is coming."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    created_by = _staff_member(_("created by"))
    updated_by = _staff_member(_("last changed by"))
    scheduled_by = _staff_member(_("scheduled by"))
    published_by = _staff_member(_("published by"))

    objects = PublishableQuerySet.as_manager()

    # Further instants at which the type's pages change by themselves (see
    # asean_portal.core.declarations).
    window_fields: tuple[str, ...] = ()
    # Required parents (foreign keys to other Publishable types) without which
    # the item means nothing to the public: live() shows the item only while
    # they are live too. A priority of a draft chairmanship, or an activity of
    # a draft work plan, is not public.
    public_parents: tuple[str, ...] = ()

    class Meta:
        abstract = True
        # "publish" is checked by the admin and by the publishing transitions.
        default_permissions = ("add", "change", "delete", "view", "publish")

    def save(self, *args, **kwargs):
        if self.status == Status.PUBLISHED and self.first_published_at is None:
            self.first_published_at = self.publish_at or timezone.now()
        super().save(*args, **kwargs)
        if english_lacking(self):
            # If it is scheduled without the notice, its English fell behind
            # after it was scheduled: nobody chose to publish it so.
            item_hold_for_english(item=self)

    def is_held(self):
        return self.status == Status.DRAFT and self.publish_at is not None

    def text_revised(self):
        if self.is_live():
            self.revised_at = timezone.now()

    def live_window(self):
        """(start, end) of the time the item is public, as live() decides it;
        no start while its status keeps it off the site."""
        return (self.publish_at if self.status in LIVE_STATUSES else None, self.unpublish_at)

    def is_live(self, now=None):
        now = now or timezone.now()
        return (
            self.status in LIVE_STATUSES
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
        )

    is_live.boolean = True
    is_live.short_description = _("public now")

    def is_public(self, now=None):
        """is_live(), and every public parent is public too: what live()
        decides, for one object."""
        now = now or timezone.now()
        return self.is_live(now) and all(
            (parent := getattr(self, name)) is not None and parent.is_public(now)
            for name in self.public_parents
        )

    def public_window(self):
        """live_window() narrowed by the public parents' windows."""
        start, end = self.live_window()
        for name in self.public_parents:
            parent = getattr(self, name)
            parent_start, parent_end = parent.public_window() if parent else (None, None)
            start = None if start is None or parent_start is None else max(start, parent_start)
            end = min(filter(None, (end, parent_end)), default=None)
        return start, end

    def clean(self):
        super().clean()
        if self.status in LIVE_STATUSES and self.publish_at is None:
            raise ValidationError(
                {"publish_at": _("A scheduled or published item needs a publication time.")}
            )
        if self.unpublish_at and self.publish_at and self.unpublish_at <= self.publish_at:
            raise ValidationError(
                {"unpublish_at": _("The withdrawal time must be after the publication time.")}
            )


def publishable_models():
    """Every concrete model that inherits Publishable, for sweeps and tests."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Publishable) and not model._meta.abstract
    ]


# --- The bilingual rule: nothing public without English unless chosen ----------


class EnglishChoice(models.TextChoices):
    HOLD = "hold", _("Hold it until the English is ready")
    NOTICE = "notice", _("Publish in Vietnamese, with an “English coming” notice")


ENGLISH_LACKING = (EnglishState.MISSING, EnglishState.OUTDATED)


def english_lacking(item):
    """Whether the item's English is missing or outdated."""
    return getattr(item, "english_state", EnglishState.COMPLETE) in ENGLISH_LACKING


def english_release(*, item, english=None):
    """The rule that every path making ``item`` public applies (publish now,
    scheduling, bulk actions, publishing a revision): when its English is
    missing or outdated, the publisher chooses ``english="hold"`` (the caller
    keeps it a draft with its intended time, see ``item_hold``) or
    ``"notice"`` (public in Vietnamese with an "English coming" notice, which
    this records on the item, unsaved). The sweep honours the choice made
    when the item was scheduled.

    Returns True to go ahead, False to hold; raises a ValidationError on
    ``english`` when a choice is needed and none was given."""
    if not english_lacking(item):
        return True
    if english not in EnglishChoice.values:
        message = _(
            "The English of this item is missing or outdated. Choose whether to hold it "
            "until the English is ready, or to publish it in Vietnamese with an “English "
            "coming” notice."
        )
        raise ValidationError({"english": ValidationError(message, code="english_missing")})
    if english == EnglishChoice.HOLD:
        return False
    item.english_notice = True
    return True


def item_hold(*, item, at, by, unpublish_at=None):
    """Keep ``item`` a draft with its intended time ``at``, waiting for its
    English: the agenda lists it under "Held" until a publisher releases it
    (schedules or publishes it again, which applies english_release)."""
    item.status = Status.DRAFT
    item.publish_at = at
    item.unpublish_at = unpublish_at
    item.scheduled_by = by
    item.save()
    return item


def item_hold_for_english(*, item, now=None):
    """A scheduled item whose English fell behind (the Vietnamese changed, or
    the English was removed) after it was scheduled without the notice is
    held, before its time: nobody chose to publish it without English."""
    now = now or timezone.now()
    held = (
        type(item)
        ._default_manager.filter(
            pk=item.pk, status=Status.SCHEDULED, english_notice=False, publish_at__gt=now
        )
        .update(status=Status.DRAFT)
    )
    if held:
        item.status = Status.DRAFT
    return bool(held)


# --- Side effects: exactly once ------------------------------------------------


class PublicationEvent(models.Model):
    """One transition that really happened, written by its single winner.

    The unique constraint makes a second event for the same transition
    impossible, whatever tasks were duplicated or late."""

    class Action(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # The pending changes of a public item went live (asean_portal.core.revisions).
        REVISED = "revised", _("Changes published")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    due_at = models.DateTimeField(_("due at"))
    happened_at = models.DateTimeField(_("side effects ran at"))
    lateness_ms = models.PositiveIntegerField(
        _("lateness (ms)"),
        help_text=_(
            "How long after the due time the side effects ran. The public saw the item "
            "change at the due time itself."
        ),
    )
    source = models.CharField(_("run by"), max_length=10)
    # The item's title when it happened, for the log's search and display.
    object_repr = models.CharField(_("item"), max_length=300, blank=True)
    scheduled_by = _staff_member(_("scheduled by"))
    acted_by = _staff_member(_("done by"))

    class Meta:
        verbose_name = _("publication event")
        verbose_name_plural = _("publication log")
        ordering = ["-happened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "action", "due_at"],
                name="one_event_per_transition",
            )
        ]

    def __str__(self):
        return (
            f"{self.action} {self.content_type_id}:{self.object_id} @ {self.due_at:%Y-%m-%d %H:%M}"
        )


def publishable_model(label):
    model = apps.get_model(label)
    if not issubclass(model, Publishable):
        raise LookupError(f"{label} is not publishable")
    return model


def record_event(model, pk, action, due_at, now, source, *, scheduled_by_id, acted_by=None):
    """The event of a transition that happened, with how late its side effects ran."""
    item = model._default_manager.filter(pk=pk).first()
    return PublicationEvent.objects.create(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=pk,
        object_repr=Truncator(str(item) if item else "").chars(300),
        action=action,
        due_at=due_at,
        happened_at=now,
        lateness_ms=max(0, int((now - due_at).total_seconds() * 1000)),
        source=source,
        scheduled_by_id=scheduled_by_id,
        acted_by=acted_by,
    )


def _transition(*, model, pk, now, source, action, due_field, statuses, changes, signal):
    """Perform one due transition of one item, once.

    The conditional UPDATE (still in ``statuses``, still due at the time that
    was read) has one winner however many sweeps race for it; only the winner
    writes the event and, after its commit, sends ``signal``. Returns True for
    the winner."""
    with transaction.atomic():
        row = (
            model.objects.filter(pk=pk, status__in=statuses, **{f"{due_field}__lte": now})
            .values(due_field, "scheduled_by_id")
            .first()
        )
        if row is None:
            return False
        due = row[due_field]
        won = model.objects.filter(pk=pk, status__in=statuses, **{due_field: due}).update(**changes)
        if not won:
            return False
        record_event(model, pk, action, due, now, source, scheduled_by_id=row["scheduled_by_id"])
        transaction.on_commit(lambda: signal.send(sender=model, pk=pk))
    return True


def item_go_live(*, model, pk, now=None, source="sweep"):
    """Make a due scheduled item published and run its side effects, once."""
    now = now or timezone.now()
    return _transition(
        model=model,
        pk=pk,
        now=now,
        source=source,
        action=PublicationEvent.Action.PUBLISHED,
        due_field="publish_at",
        statuses=(Status.SCHEDULED,),
        changes={
            "status": Status.PUBLISHED,
            "first_published_at": Coalesce(F("first_published_at"), F("publish_at")),
            "published_by_id": F("scheduled_by_id"),
            "updated_at": now,
        },
        signal=signals.published,
    )


def item_publish_seeded(*, item, at, english=None):
    """Publish a seeded item as it was published at ``at`` (a historic time):
    through the same conditional transition as the sweep, with its
    PublicationEvent (run by "seed", due and done at ``at``). The seed is
    content that is already public elsewhere, so no permission is checked;
    the bilingual rule applies, with the choice that the seed file records
    in ``english``. Returns False when the item is held."""
    if not english_release(item=item, english=english):
        item_hold(item=item, at=at, by=None)
        return False
    item.status = Status.SCHEDULED
    item.publish_at = at
    item.save()
    won = item_go_live(model=type(item), pk=item.pk, now=at, source="seed")
    item.refresh_from_db()
    return won


def item_withdraw_due(*, model, pk, now=None, source="sweep"):
    """Archive a published item whose withdrawal time has come, once."""
    now = now or timezone.now()
    return _transition(
        model=model,
        pk=pk,
        now=now,
        source=source,
        action=PublicationEvent.Action.WITHDRAWN,
        due_field="unpublish_at",
        statuses=LIVE_STATUSES,
        changes={"status": Status.ARCHIVED, "withdrawn_at": now, "updated_at": now},
        signal=signals.withdrawn,
    )


def publish_due(*, now=None, dry_run=False, source="sweep"):
    """The sweep: every due transition of every publishable type, one item at
    a time, each in its own transaction. An item that fails is logged and
    left for the next sweep; the others go on.

    Returns [(label, pk, action, won)]; with dry_run nothing changes."""
    now = now or timezone.now()
    done = []
    for model in publishable_models():
        label = model._meta.label_lower
        due = model.objects.due_to_go_live(now)
        ending = model.objects.due_to_withdraw(now)
        for action, transition, queryset in (
            ("publish", item_go_live, due),
            ("withdraw", item_withdraw_due, ending),
        ):
            for pk in list(queryset.values_list("pk", flat=True)):
                won = False
                if not dry_run:
                    try:
                        won = transition(model=model, pk=pk, source=source)
                    except DatabaseError:
                        logger.exception(
                            "%s of %s:%s failed; the next sweep retries", action, label, pk
                        )
                done.append((label, pk, action, won))
    done.extend(_revisions_due(now, dry_run, source))
    return done


def _revisions_due(now, dry_run, source):
    """The sweep's part for pending revisions approved for a time that has
    come: each applied once, in its own transaction."""
    from . import revisions

    done = []
    for pk in list(revisions.due(now).values_list("pk", flat=True)):
        won = False
        if not dry_run:
            try:
                won = revisions.go_live(pk=pk, now=now, source=source)
            except DatabaseError:
                logger.exception("revision %s failed; the next sweep retries", pk)
        done.append(("asean_portal.pendingrevision", pk, "revise", won))
    return done


def overdue(*, now=None, grace_seconds=60, models=None):
    """Scheduled items (of ``models``, or of every type) whose side effects are
    more than ``grace_seconds`` late."""

    now = now or timezone.now()
    limit = now - timedelta(seconds=grace_seconds)
    found = []
    for model in publishable_models() if models is None else models:
        for pk, publish_at in model.objects.due_to_go_live(limit).values_list("pk", "publish_at"):
            found.append(
                {
                    "type": model._meta.label_lower,
                    "id": pk,
                    "due_at": publish_at.isoformat(),
                    "late_seconds": int((now - publish_at).total_seconds()),
                }
            )
    if models is None:
        from . import revisions

        for pk, publish_at in revisions.due(limit).values_list("pk", "publish_at"):
            found.append(
                {
                    "type": "asean_portal.pendingrevision",
                    "id": pk,
                    "due_at": publish_at.isoformat(),
                    "late_seconds": int((now - publish_at).total_seconds()),
                }
            )
    return found


# --- What staff do: each transition checks the "publish" permission -------------


def _require_publish_permission(user, item):

    opts = item._meta
    if user is None or not user.has_perm(f"{opts.app_label}.publish_{opts.model_name}"):
        raise PermissionDenied(
            _("You are not allowed to schedule or publish %(type)s.")
            % {"type": opts.verbose_name_plural}
        )


def hanoi_time(moment):
    """A moment as staff read it: 08:00 22/11/2026, in Hanoi time."""
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def refuse_past(at, now=None, *, grace=None):
    """The refusal of a publication time that has already passed."""
    now = now or timezone.now()
    if at is None or at <= now - (grace or timedelta(0)):
        raise ValidationError(
            {
                "publish_at": _(
                    "The publication time %(time)s (Hanoi time) has already passed. Choose a "
                    "later time, or publish now."
                )
                % {"time": hanoi_time(at)}
            }
        )


def item_schedule(*, item, at, by, unpublish_at=None, english=None, now=None):
    """Schedule (or reschedule) an item to go live at ``at``.

    An item whose English is missing or outdated needs a choice (see
    english_release): ``english="hold"`` keeps it a draft (with the intended
    time) until the English is ready; ``"notice"`` schedules it with an
    "English coming" notice on its English page, and the sweep publishes it
    so. Returns True when the item was scheduled, False when it was held."""

    _require_publish_permission(by, item)
    now = now or timezone.now()
    refuse_past(at, now)
    if unpublish_at is not None and unpublish_at <= at:
        raise ValidationError(
            {"unpublish_at": _("The withdrawal time must be after the publication time.")}
        )
    if not english_release(item=item, english=english):
        item_hold(item=item, at=at, by=by, unpublish_at=unpublish_at)
        return False
    item.status = Status.SCHEDULED
    item.publish_at = at
    item.unpublish_at = unpublish_at
    item.scheduled_by = by
    item.withdrawn_at = None
    item.save()
    return True


def item_publish_now(*, item, by, english=None, now=None):
    """Make ``item`` public at once. An item whose English is missing or
    outdated needs a choice (see english_release): held, it stays a draft
    whose intended time (now) has passed."""
    _require_publish_permission(by, item)
    now = now or timezone.now()
    if item.status == Status.PUBLISHED and item.is_live(now):
        # Public already (the same request posted again): nothing changes.
        return item
    if not english_release(item=item, english=english):
        ending = item.unpublish_at if item.unpublish_at and item.unpublish_at > now else None
        return item_hold(item=item, at=now, by=by, unpublish_at=ending)
    item.status = Status.SCHEDULED
    item.publish_at = now
    item.scheduled_by = by
    item.withdrawn_at = None
    if item.unpublish_at is not None and item.unpublish_at <= now:
        item.unpublish_at = None
    item.save()
    item_go_live(model=type(item), pk=item.pk, now=now, source="staff")
    item.refresh_from_db()
    return item


def item_unpublish(*, item, by, reason_vi="", reason_en="", now=None):
    """Take an item off the public site now. An item that was public leaves
    a "withdrawn" page (HTTP 410) with the reason in its place."""

    _require_publish_permission(by, item)
    now = now or timezone.now()
    was_live = item.is_live(now)
    item.status = Status.ARCHIVED if was_live or item.first_published_at else Status.DRAFT
    if item.status == Status.DRAFT:
        # Not a draft held for its English: it has no intended time.
        item.publish_at = None
    if was_live:
        item.withdrawn_at = now
        item.withdrawal_reason_vi = reason_vi or item.withdrawal_reason_vi
        item.withdrawal_reason_en = reason_en or item.withdrawal_reason_en
    item.save()
    if was_live:
        record_event(
            type(item),
            item.pk,
            PublicationEvent.Action.WITHDRAWN,
            now,
            now,
            "staff",
            scheduled_by_id=item.scheduled_by_id,
            acted_by=by,
        )
        model, pk = type(item), item.pk
        transaction.on_commit(lambda: signals.withdrawn.send(sender=model, pk=pk))
    return item

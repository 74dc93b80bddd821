"""What every bilingual content type shares: per-language slugs generated from
the title (with Vietnamese transliteration) and remembered when they change,
and the freshness of the English translation."""

import hashlib
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator
from slugify import slugify

# The one list of languages: settings.LANGUAGES, Vietnamese (the default) first.
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

# The years content may be about: from 1967, when ASEAN was founded.
FIRST_YEAR, LAST_YEAR = 1967, 2100
# The first and last day a date the portal holds may be.
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)


def date_errors(**dates):
    """{field: message} for each given date outside FIRST_YEAR..LAST_YEAR: a
    slip such as 9999 for 2025 is caught where it is typed, and no page has to
    show a day past the calendar's end."""
    return {
        field: _("Enter a date between %(first)s and %(last)s (ASEAN was founded in %(first)s).")
        % {"first": FIRST_YEAR, "last": LAST_YEAR}
        for field, day in dates.items()
        if day is not None and not FIRST_DAY <= day <= LAST_DAY
    }


def year_errors(**years):
    """{field: message} for each given year outside FIRST_YEAR..LAST_YEAR."""
    return {
        field: _("Enter a year between %(first)s and %(last)s (ASEAN was founded in %(first)s).")
        % {"first": FIRST_YEAR, "last": LAST_YEAR}
        for field, year in years.items()
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR
    }


# Translated fields that are notes about an item's publication (every
# publishable type has them), not text whose English is tracked.
PUBLICATION_NOTE_FIELDS = ("change_note", "withdrawal_reason")


def in_languages(*names, relation=""):
    """Field names of translated fields in every language, for only():
    in_languages("title") is ("title_vi", "title_en"); with ``relation``,
    the related object's fields ("category__name_vi", ...)."""
    prefix = f"{relation}__" if relation else ""
    return tuple(f"{prefix}{name}_{language}" for name in names for language in LANGUAGES)


# What a link to a translated object shows and points to; its stored address
# and dates are in ``display`` (asean_portal/core/display.py).
LINK_FIELDS = ("pk", *in_languages("slug", "title"), "display")
SLUG_MAX_LENGTH = 200


def slug_field():
    return models.SlugField(
        _("address (slug)"),
        max_length=SLUG_MAX_LENGTH,
        blank=True,
        null=True,
        help_text=_(
            "The last part of the page's address. Left empty, it is made from the title "
            "(without diacritics). When it changes, the old address redirects to the new one."
        ),
    )


def slug_constraints(prefix):
    """Slugs are unique per language; an empty slug is NULL."""
    return [
        models.UniqueConstraint(
            fields=[f"slug_{language}"], name=f"{prefix}_unique_slug_{language}"
        )
        for language in LANGUAGES
    ]


class EnglishState(models.TextChoices):
    MISSING = "missing", _("EN missing")
    OUTDATED = "outdated", _("EN outdated")
    COMPLETE = "complete", _("EN complete")


class EnglishLabel(models.TextChoices):
    OFFICIAL = "official", _("Official English name")
    MEDIA = "media", _("English used by state media")
    TRANSLATION = "translation", _("Our translation, to be reviewed")


def transliterate_slug(text, max_length=SLUG_MAX_LENGTH):
    """'Công vụ' -> 'cong-vu', 'Đông Timor' -> 'dong-timor'."""
    return slugify(text or "", max_length=max_length, word_boundary=True)


def _digest(text):
    return hashlib.sha1((text or "").encode("utf-8")).hexdigest()[:16]


class TranslatedContent(models.Model):
    """Abstract base for models registered with modeltranslation that have a
    translated ``slug`` generated from ``slug_source``."""

    slug_source = "title"
    # The fields a public read may be declared for (asean_portal/core/scopes.py):
    # the item at an address.
    read_scopes = in_languages("slug")

    english_state = models.CharField(
        _("English translation"),
        max_length=10,
        choices=EnglishState.choices,
        default=EnglishState.MISSING,
        editable=False,
        db_index=True,
    )
    # For each translated field: a digest of the Vietnamese text that its
    # English was written against. A different digest means "needs update".
    english_basis = models.JSONField(default=dict, editable=False, blank=True)
    english_label = models.CharField(
        _("kind of English"),
        max_length=12,
        choices=EnglishLabel.choices,
        blank=True,
        help_text=_(
            "Whether the English wording is an official name, the one used by state media, "
            "or our own translation that an editor should review."
        ),
    )
    english_source = models.CharField(
        _("source of the English"),
        max_length=300,
        blank=True,
        help_text=_("Where the English wording comes from, e.g. a document or a press release."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        previous = self._stored_values()
        self.fill_slugs()
        self.refresh_english_state(previous)
        if previous and self._text_changed(previous):
            self.text_revised()
        super().save(*args, **kwargs)
        if previous:
            SlugHistory.remember(self, previous)

    def text_revised(self):
        """Called before a save that changes the text; publishable types
        record when a public item was corrected."""

    def _text_changed(self, previous):
        return any(
            (previous.get(f"{name}_{lang}") or "") != self._value(name, lang)
            for name in self.translated_fields()
            for lang in LANGUAGES
        )

    # --- translated fields ---------------------------------------------------
    @classmethod
    def translated_fields(cls):
        untracked = {"slug", *PUBLICATION_NOTE_FIELDS}
        return [
            name for name in translator.get_options_for_model(cls).fields if name not in untracked
        ]

    @classmethod
    def tracked_columns(cls):
        columns = [f"{name}_{lang}" for name in cls.translated_fields() for lang in LANGUAGES]
        return columns + [f"slug_{lang}" for lang in LANGUAGES]

    def _value(self, name, language):
        return getattr(self, f"{name}_{language}") or ""

    def refresh_english_state(self, previous=None):
        """Recompute ``english_basis`` and ``english_state``.

        ``previous`` holds the stored values of the tracked columns, or None
        for a new object.
        """
        basis = dict(self.english_basis or {})
        state = EnglishState.COMPLETE
        for name in self.translated_fields():
            vietnamese, english = self._value(name, "vi"), self._value(name, "en")
            if not english:
                basis.pop(name, None)
                if vietnamese:
                    state = EnglishState.MISSING
                continue
            english_changed = previous is None or (previous.get(f"{name}_en") or "") != english
            if english_changed or name not in basis:
                basis[name] = _digest(vietnamese)
            elif basis[name] != _digest(vietnamese) and state != EnglishState.MISSING:
                state = EnglishState.OUTDATED
        self.english_basis = basis
        self.english_state = state

    def english_outdated_fields(self):
        """The translated fields whose Vietnamese changed since their English
        was written (or last marked reviewed)."""
        basis = self.english_basis or {}
        return [
            name
            for name in self.translated_fields()
            if name in basis
            and self._value(name, "en")
            and basis[name] != _digest(self._value(name, "vi"))
        ]

    def mark_english_reviewed(self):
        """An editor confirmed that the English still says what the Vietnamese says."""
        self.english_basis = {
            name: _digest(self._value(name, "vi"))
            for name in self.translated_fields()
            if self._value(name, "en")
        }
        self.refresh_english_state(previous=self._stored_values())

    # --- slugs ---------------------------------------------------------------
    def _unique_slug(self, language, base):
        base = base or "item"
        model = type(self)
        candidate, counter = base, 2
        while (
            model._default_manager.filter(**{f"slug_{language}": candidate})
            .exclude(pk=self.pk)
            .exists()
        ):
            suffix = f"-{counter}"
            candidate = f"{base[: SLUG_MAX_LENGTH - len(suffix)]}{suffix}"
            counter += 1
        return candidate

    def fill_slugs(self):
        for language in LANGUAGES:
            current = getattr(self, f"slug_{language}")
            source = self._value(self.slug_source, language)
            if current:
                setattr(self, f"slug_{language}", transliterate_slug(current))
            elif source:
                slug = self._unique_slug(language, transliterate_slug(source))
                setattr(self, f"slug_{language}", slug)
            else:
                setattr(self, f"slug_{language}", None)

    def _stored_values(self):
        if self.pk is None:
            return None
        return (
            type(self)._default_manager.filter(pk=self.pk).values(*self.tracked_columns()).first()
        )


class SlugHistory(models.Model):
    """An old slug of an object, so that its old URL answers with a 301."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=5)
    slug = models.CharField(_("old address (slug)"), max_length=SLUG_MAX_LENGTH)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "language", "slug"], name="unique_old_slug"
            ),
        ]

    def __str__(self):
        return f"{self.language}/{self.slug}"

    @classmethod
    def remember(cls, obj, previous):
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        for language in LANGUAGES:
            old = previous.get(f"slug_{language}")
            new = getattr(obj, f"slug_{language}")
            if old and old != new:
                cls.objects.update_or_create(
                    content_type=content_type,
                    language=language,
                    slug=old,
                    defaults={"object_id": obj.pk},
                )

    @classmethod
    def find(cls, model, language, slug):
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        row = cls.objects.filter(content_type=content_type, language=language, slug=slug).first()
        return row.object_id if row else None


def translated_value(obj, name, language):
    """The value of a translated field in ``language``, falling back to
    Vietnamese: (value, language it is really in)."""
    value = getattr(obj, f"{name}_{language}", None)
    if value:
        return value, language
    return getattr(obj, f"{name}_vi", "") or "", "vi"

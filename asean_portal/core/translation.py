"""What every content type's modeltranslation options share."""

from django.conf import settings
from modeltranslation.translator import TranslationOptions

from .content import PUBLICATION_NOTE_FIELDS


class ContentTranslation(TranslationOptions):
    """The default language is required wherever the field itself is; the
    others are optional. An empty slug is NULL, so slugs stay unique."""

    required_languages = (settings.LANGUAGE_CODE,)
    empty_values = {"slug": None}


class PublishableTranslation(ContentTranslation):
    """A publishable type also translates the notes about its publication
    (modeltranslation adds these fields to each subclass's own)."""

    fields = PUBLICATION_NOTE_FIELDS

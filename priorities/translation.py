from modeltranslation.translator import TranslationOptions, register

from asean_portal.publishing import TRANSLATED_PUBLISHING_FIELDS
from events.translation import NULL_SLUG, REQUIRED

from .models import Chairmanship, Priority


@register(Chairmanship)
class ChairmanshipTranslation(TranslationOptions):
    fields = ("theme", "slug", "theme_rationale", "description") + TRANSLATED_PUBLISHING_FIELDS
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(Priority)
class PriorityTranslation(TranslationOptions):
    fields = ("title", "slug", "summary", "body") + TRANSLATED_PUBLISHING_FIELDS
    required_languages = REQUIRED
    empty_values = NULL_SLUG

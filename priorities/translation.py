from modeltranslation.translator import TranslationOptions, register

from events.translation import NULL_SLUG, REQUIRED

from .models import Chairmanship, Priority


@register(Chairmanship)
class ChairmanshipTranslation(TranslationOptions):
    fields = ("theme", "slug", "theme_rationale", "description")
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(Priority)
class PriorityTranslation(TranslationOptions):
    fields = ("title", "slug", "summary", "body")
    required_languages = REQUIRED
    empty_values = NULL_SLUG

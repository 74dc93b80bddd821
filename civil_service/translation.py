from modeltranslation.translator import TranslationOptions, register

from asean_portal.publishing import TRANSLATED_PUBLISHING_FIELDS
from events.translation import NULL_SLUG, REQUIRED

from .models import Activity, Document, WorkPlan


@register(WorkPlan)
class WorkPlanTranslation(TranslationOptions):
    fields = ("name", "slug", "adopted_by", "description") + TRANSLATED_PUBLISHING_FIELDS
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(Activity)
class ActivityTranslation(TranslationOptions):
    fields = (
        "title",
        "slug",
        "description",
        "registering_agency",
        "notes",
    ) + TRANSLATED_PUBLISHING_FIELDS
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title", "slug", "summary", "issuer") + TRANSLATED_PUBLISHING_FIELDS
    required_languages = REQUIRED
    empty_values = NULL_SLUG

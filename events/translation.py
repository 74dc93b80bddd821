from modeltranslation.translator import TranslationOptions, register

from asean_portal.publishing import TRANSLATED_PUBLISHING_FIELDS

from .models import Announcement, Category, Country, Meeting, MeetingPhoto, MeetingSeries

# Vietnamese is required wherever the field itself is; English is optional.
REQUIRED = ("vi",)
NULL_SLUG = {"slug": None}


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name", "slug")
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(MeetingSeries)
class MeetingSeriesTranslation(TranslationOptions):
    fields = ("name", "slug", "description")
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = (
        "title",
        "slug",
        "theme",
        "summary",
        "body",
        "outcomes",
        "date_note",
        "host_city",
        "chair_name",
        "chair_title",
        "other_participants",
    ) + TRANSLATED_PUBLISHING_FIELDS
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(MeetingPhoto)
class MeetingPhotoTranslation(TranslationOptions):
    fields = ("caption", "alt_text")
    required_languages = REQUIRED


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "slug")
    required_languages = REQUIRED
    empty_values = NULL_SLUG


@register(Announcement)
class AnnouncementTranslation(TranslationOptions):
    fields = (
        "title",
        "slug",
        "lead",
        "body",
        "image_caption",
        "image_alt",
    ) + TRANSLATED_PUBLISHING_FIELDS
    required_languages = REQUIRED
    empty_values = NULL_SLUG

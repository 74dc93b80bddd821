from modeltranslation.translator import register

from asean_portal.core.translation import ContentTranslation, PublishableTranslation

from .models import Announcement, Category, Country, Meeting, MeetingPhoto, MeetingSeries


@register(Country)
class CountryTranslation(ContentTranslation):
    fields = ("name", "slug")


@register(MeetingSeries)
class MeetingSeriesTranslation(ContentTranslation):
    fields = ("name", "slug", "description")


@register(Meeting)
class MeetingTranslation(PublishableTranslation):
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
    )


@register(MeetingPhoto)
class MeetingPhotoTranslation(ContentTranslation):
    fields = ("caption", "alt_text")


@register(Category)
class CategoryTranslation(ContentTranslation):
    fields = ("name", "slug")


@register(Announcement)
class AnnouncementTranslation(PublishableTranslation):
    fields = (
        "title",
        "slug",
        "lead",
        "body",
        "image_caption",
        "image_alt",
        "editorial_note",
    )

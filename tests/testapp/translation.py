from modeltranslation.translator import register

from asean_portal.core.translation import PublishableTranslation

from .models import Notice


@register(Notice)
class NoticeTranslation(PublishableTranslation):
    fields = ("title", "slug", "body")

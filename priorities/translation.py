from modeltranslation.translator import register

from asean_portal.core.translation import PublishableTranslation

from .models import Chairmanship, Priority


@register(Chairmanship)
class ChairmanshipTranslation(PublishableTranslation):
    fields = ("theme", "slug", "theme_rationale", "description")


@register(Priority)
class PriorityTranslation(PublishableTranslation):
    fields = ("title", "slug", "summary", "body")

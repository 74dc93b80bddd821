from modeltranslation.translator import register

from asean_portal.core.translation import PublishableTranslation

from .models import Activity, Document, WorkPlan


@register(WorkPlan)
class WorkPlanTranslation(PublishableTranslation):
    fields = ("name", "slug", "adopted_by", "description")


@register(Activity)
class ActivityTranslation(PublishableTranslation):
    fields = (
        "title",
        "slug",
        "description",
        "registering_agency",
        "notes",
    )


@register(Document)
class DocumentTranslation(PublishableTranslation):
    fields = ("title", "slug", "summary", "issuer")

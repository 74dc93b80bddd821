from modeltranslation.translator import TranslationOptions, register

from asean_portal.site.about import AboutPortal


@register(AboutPortal)
class AboutPortalTranslation(TranslationOptions):
    fields = ("managing_agency", "unit", "responsible", "address", "licence", "introduction")
    required_languages = ("vi",)

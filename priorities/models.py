from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from asean_portal.core.content import TranslatedContent, slug_constraints, slug_field, year_errors
from asean_portal.core.declarations import SearchIndex
from asean_portal.core.display import Displayed, Url
from asean_portal.core.publishing import Publishable
from asean_portal.core.richtext import RichTextField


class Chairmanship(Publishable, TranslatedContent, Displayed):
    slug_source = "theme"

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    chair_country = models.ForeignKey(
        "events.Country",
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="chairmanships",
    )
    theme = models.CharField(_("theme"), max_length=300)
    slug = slug_field()
    theme_rationale = models.TextField(_("meaning of the theme"), blank=True)
    description = RichTextField(_("description"), blank=True)

    search_index = SearchIndex(
        kind="chairmanship",
        label=_("Chairmanship"),
        title=("theme",),
        body=("theme_rationale", "description"),
        year=lambda chairmanship: chairmanship.year,
    )
    sitemap_section = "more"

    display_values = (Url("priorities:chairmanship"),)

    class Meta(Publishable.Meta):
        verbose_name = _("ASEAN Chairmanship")
        verbose_name_plural = _("ASEAN Chairmanships")
        ordering = ["-year"]
        constraints = slug_constraints("chairmanship")

    def __str__(self):
        return f"{self.year} – {self.theme}"

    def clean(self):
        super().clean()
        errors = year_errors(year=self.year)
        if errors:
            raise ValidationError(errors)


class Priority(Publishable, TranslatedContent, Displayed):
    chairmanship = models.ForeignKey(
        Chairmanship,
        verbose_name=_("chairmanship"),
        on_delete=models.CASCADE,
        related_name="priorities",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=400)
    slug = slug_field()
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("The short, official wording, if there is one.")
    )
    body = RichTextField(_("full text"), blank=True)

    search_index = SearchIndex(
        kind="priority",
        label=_("Priority"),
        title=("title",),
        body=("summary", "body"),
        year=lambda priority: priority.chairmanship.year,
        related=("chairmanship",),
    )
    sitemap_section = "more"
    # A priority of a chairmanship that is not public is not public either.
    public_parents = ("chairmanship",)

    display_values = (Url("priorities:detail"),)

    class Meta(Publishable.Meta):
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["chairmanship", "number"]
        constraints = [
            *slug_constraints("priority"),
            models.UniqueConstraint(
                fields=["chairmanship", "number"], name="unique_priority_number"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def breadcrumb_parent(self):
        return self.chairmanship

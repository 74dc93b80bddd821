from django.db import models
from django.urls import reverse

from asean_portal.core.content import TranslatedContent, slug_constraints, slug_field
from asean_portal.core.declarations import SearchIndex, year_of
from asean_portal.core.publishing import Publishable


class Notice(Publishable, TranslatedContent):
    title = models.CharField(max_length=200)
    slug = slug_field()
    body = models.TextField(blank=True)
    highlighted_until = models.DateTimeField(null=True, blank=True)

    search_index = SearchIndex(
        kind="notice", label="Notice", title=("title",), body=("body",), year=year_of("publish_at")
    )
    sitemap_section = "notices"
    window_fields = ("highlighted_until",)

    class Meta(Publishable.Meta):
        constraints = slug_constraints("notice")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notice", kwargs={"slug": self.slug})

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from asean_portal.core.content import (
    TranslatedContent,
    date_errors,
    slug_constraints,
    slug_field,
    year_errors,
)
from asean_portal.core.declarations import SearchIndex, year_of
from asean_portal.core.display import Date, Displayed, Url
from asean_portal.core.documents import DocumentField, document_path, validate_document
from asean_portal.core.publishing import Publishable
from asean_portal.core.richtext import RichTextField


class Framework(models.TextChoices):
    """Which ASEAN cooperation framework a work plan or activity belongs to."""

    ACCSM = "accsm", _("ACCSM (ASEAN Member States)")
    ACCSM_PLUS_THREE = "accsm3", _("ACCSM+3 (with China, Japan and the Republic of Korea)")
    WITH_PARTNERS = "partners", _("ACCSM+3 and Dialogue Partners")


def _check_years(first, last, first_field, last_field, **dates):
    """The years, and the ``dates``, within FIRST_YEAR..LAST_YEAR."""
    errors = year_errors(**{first_field: first, last_field: last})
    if not errors and first and last and last < first:
        errors[last_field] = _("The last year cannot come before the first year.")
    errors.update(date_errors(**dates))
    if errors:
        raise ValidationError(errors)


class WorkPlan(Publishable, TranslatedContent, Displayed):
    slug_source = "name"

    name = models.CharField(_("name"), max_length=300)
    slug = slug_field()
    participation = models.CharField(_("framework"), max_length=10, choices=Framework.choices)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    adopted_by = models.CharField(_("adopted by"), max_length=300, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    description = RichTextField(_("description"), blank=True)

    search_index = SearchIndex(
        kind="workplan",
        label=_("Work plan"),
        title=("name",),
        body=("adopted_by", "description"),
        year=lambda plan: plan.first_year,
    )
    sitemap_section = "more"

    display_values = (
        Url("civil_service:work_plan_detail"),
        Date("adopted_on"),
    )

    class Meta(Publishable.Meta):
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["-first_year", "name_vi"]
        constraints = slug_constraints("workplan")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        _check_years(
            self.first_year, self.last_year, "first_year", "last_year", adopted_on=self.adopted_on
        )


class Activity(Publishable, TranslatedContent, Displayed):
    class Progress(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONCEPT_NOTE_APPROVED = "approved", _("Concept note approved")
        IN_PROGRESS = "progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        POSTPONED = "postponed", _("Postponed")

    work_plan = models.ForeignKey(
        WorkPlan, verbose_name=_("work plan"), on_delete=models.PROTECT, related_name="activities"
    )
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=400)
    slug = slug_field()
    description = RichTextField(_("description"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    end_year = models.PositiveSmallIntegerField(
        _("last year"),
        null=True,
        blank=True,
        help_text=_("Only for activities over several years."),
    )
    is_annual = models.BooleanField(_("held every year"), default=False)
    participation = models.CharField(_("who takes part"), max_length=10, choices=Framework.choices)
    registering_country = models.ForeignKey(
        "events.Country",
        verbose_name=_("registered by (country)"),
        on_delete=models.PROTECT,
        related_name="registered_activities",
    )
    registering_agency = models.CharField(_("registered by (agency)"), max_length=300, blank=True)
    concept_note_approved_on = models.DateField(
        _("concept note approved on"), null=True, blank=True
    )
    concept_note_approved_by = models.CharField(
        _("concept note approved by"), max_length=100, blank=True
    )
    progress = models.CharField(
        _("progress"), max_length=10, choices=Progress.choices, default=Progress.PROPOSED
    )
    notes = models.TextField(_("notes"), blank=True)
    meetings = models.ManyToManyField(
        "events.Meeting", verbose_name=_("meetings"), related_name="activities", blank=True
    )
    priorities = models.ManyToManyField(
        "priorities.Priority",
        verbose_name=_("chairmanship priorities"),
        related_name="activities",
        blank=True,
        help_text=_("The priorities this activity serves; it is listed on their pages."),
    )

    search_index = SearchIndex(
        kind="activity",
        label=_("Activity"),
        title=("title",),
        body=("description", "registering_agency", "notes"),
        year=lambda activity: activity.start_year,
    )
    sitemap_section = "activities"
    # An activity of a work plan that is not public is not public either.
    public_parents = ("work_plan",)

    display_values = (
        Url("civil_service:activity"),
        Date("concept_note_approved_on"),
    )

    class Meta(Publishable.Meta):
        verbose_name = _("work-plan activity")
        verbose_name_plural = _("work-plan activities")
        ordering = ["work_plan", "start_year", "number", "pk"]
        constraints = slug_constraints("activity")
        indexes = [models.Index(fields=["status", "publish_at"], name="activity_live_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        _check_years(
            self.start_year,
            self.end_year,
            "start_year",
            "end_year",
            concept_note_approved_on=self.concept_note_approved_on,
        )

    @property
    def breadcrumb_parent(self):
        return self.work_plan


class Document(Publishable, TranslatedContent, Displayed):
    class Kind(models.TextChoices):
        DECLARATION = "declaration", _("Declaration")
        DECISION = "decision", _("Decision")
        CONCEPT_NOTE = "concept", _("Concept note")
        WORK_PLAN = "workplan", _("Work plan")
        REPORT = "report", _("Report")
        FRAMEWORK = "framework", _("Framework or strategy")
        OTHER = "other", _("Other document")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=500)
    slug = slug_field()
    summary = models.TextField(_("summary"), blank=True)
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True, db_index=True)
    file = DocumentField(
        _("file"),
        upload_to=document_path,
        blank=True,
        validators=[validate_document],
        help_text=_(
            "PDF, Word, Excel, PowerPoint, OpenDocument, or a JPEG, PNG or WebP image, "
            "without macros, scripts or attached files, and not locked by a password; its "
            "content is checked, not its name."
        ),
    )
    external_url = models.URLField(_("link to the document"), blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        help_text=_("For a concept note: the activity it describes."),
    )

    search_index = SearchIndex(
        kind="document",
        label=_("Document"),
        title=("title",),
        body=("summary", "issuer"),
        year=year_of("issued_on"),
        title_prefix=lambda document: document.number,
    )
    sitemap_section = "more"

    display_values = (
        Url("civil_service:document"),
        Date("issued_on"),
    )

    class Meta(Publishable.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "-pk"]
        constraints = slug_constraints("document")

    def __str__(self):
        return f"{self.number} – {self.title}" if self.number else self.title

    def clean(self):
        super().clean()
        if errors := date_errors(issued_on=self.issued_on):
            raise ValidationError(errors)

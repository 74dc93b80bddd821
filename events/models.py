from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from asean_portal.core.content import (
    FIRST_DAY,
    LAST_DAY,
    TranslatedContent,
    date_errors,
    in_languages,
    slug_constraints,
    slug_field,
)
from asean_portal.core.declarations import SearchIndex, year_of
from asean_portal.core.display import Date, Displayed, Posted, Summary, Url
from asean_portal.core.images import PhotoField, focus_field
from asean_portal.core.publishing import STATE_FIELDS, Publishable
from asean_portal.core.richtext import RichTextField


class Country(TranslatedContent, Displayed):
    """Reference data: always public, so not Publishable."""

    class Group(models.TextChoices):
        ASEAN_MEMBER = "asean", _("ASEAN Member State")
        PLUS_THREE = "plus3", _("ASEAN Plus Three partner")
        DIALOGUE_PARTNER = "dialogue", _("Dialogue Partner")
        OBSERVER = "observer", _("Observer / applicant")

    slug_source = "name"

    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        help_text=_("Two-letter ISO 3166-1 code, e.g. VN."),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = slug_field()
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    sitemap_section = "more"

    display_values = (Url("meetings:country"),)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["order", "iso_code"]
        constraints = slug_constraints("country")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.iso_code:
            self.iso_code = self.iso_code.upper()
            if not self.iso_code.isalpha() or len(self.iso_code) != 2:
                raise ValidationError({"iso_code": _("Enter two letters, e.g. VN.")})


class MeetingSeries(TranslatedContent):
    """Reference data: ACCSM, ACCSM+3, the Forum on Good Governance…"""

    slug_source = "name"

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Short code, e.g. ACCSM+3.")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = slug_field()
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["code"]
        constraints = slug_constraints("series")

    def __str__(self):
        return self.code


# The meetings a calendar can show: dated, every day of them within the years
# the portal holds. A row written before its dates were checked may hold a day
# past the calendar's end (9999-12-31, which has no day after): it is left out,
# as an undated one is. Meeting.on_calendar() is the same rule for one meeting.
ON_CALENDAR = models.Q(start_date__range=(FIRST_DAY, LAST_DAY)) & ~models.Q(end_date__gt=LAST_DAY)


class Meeting(Publishable, TranslatedContent, Displayed):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference (heads of civil service)")
        SENIOR_OFFICIALS = "som", _("Senior officials' meeting")
        FORUM = "forum", _("Forum")
        WORKSHOP = "workshop", _("Workshop or seminar")
        OTHER = "other", _("Other meeting")

    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    ordinal = models.PositiveSmallIntegerField(
        _("number in the series"), null=True, blank=True, help_text=_("e.g. 21 for ACCSM 21.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        help_text=_("The larger meeting this one belongs to, e.g. the forum of ACCSM 21."),
    )
    title = models.CharField(_("title"), max_length=300)
    slug = slug_field()
    theme = models.CharField(_("theme"), max_length=400, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True)
    outcomes = RichTextField(_("outcomes"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    date_note = models.CharField(
        _("note on the date"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 'afternoon', or why the exact date is not known."),
    )
    host_city = models.CharField(_("host city"), max_length=100, blank=True)
    host_country = models.ForeignKey(
        Country,
        verbose_name=_("host country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    chair_name = models.CharField(_("chaired by"), max_length=200, blank=True)
    chair_title = models.CharField(_("title of the chair"), max_length=300, blank=True)
    chair_country = models.ForeignKey(
        Country,
        verbose_name=_("chair country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    countries = models.ManyToManyField(
        Country,
        verbose_name=_("participating countries"),
        through="Participation",
        related_name="meetings",
        blank=True,
    )
    other_participants = models.CharField(
        _("other participants"),
        max_length=400,
        blank=True,
        help_text=_("Organisations that took part, e.g. the ASEAN Secretariat."),
    )
    documents = models.ManyToManyField(
        "civil_service.Document",
        verbose_name=_("documents"),
        related_name="meetings",
        blank=True,
    )
    related_meetings = models.ManyToManyField(
        "self",
        verbose_name=_("related meetings"),
        blank=True,
        help_text=_(
            "Meetings this one reports on or follows up, e.g. the ASCC meetings a senior "
            "officials' meeting was briefed on. The link shows on both meetings' pages."
        ),
    )

    search_index = SearchIndex(
        kind="meeting",
        label=_("Meeting"),
        title=("title",),
        body=("theme", "summary", "body", "outcomes", "chair_name", "host_city"),
        year=lambda meeting: (
            meeting.start_date.year if meeting.start_date else year_of("publish_at")(meeting)
        ),
    )
    sitemap_section = "meetings"
    # The photos' uploads are public exactly while the meeting is.
    media_children = ("photos",)
    # The publishing agenda lists the meetings of the days it shows.
    agenda_day_field = "start_date"

    display_values = (
        Url("meetings:detail"),
        Date("start_date"),
        Date("end_date"),
        Summary("summary", "summary", words=40),
    )

    class Meta(Publishable.Meta):
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        # Newest first; a meeting whose date is not known yet last, on PostgreSQL (which
        # puts NULLs first when descending) as on SQLite.
        ordering = [models.F("start_date").desc(nulls_last=True), "-pk"]
        constraints = slug_constraints("meeting")
        indexes = [models.Index(fields=["status", "publish_at"], name="meeting_live_idx")]

    def __str__(self):
        return self.title

    def on_calendar(self):
        """Whether a calendar can show this meeting (ON_CALENDAR)."""
        days = (self.start_date, self.end_date or self.start_date)
        return self.start_date is not None and all(FIRST_DAY <= day <= LAST_DAY for day in days)

    def clean(self):
        super().clean()
        errors = date_errors(start_date=self.start_date, end_date=self.end_date)
        if not errors and self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The meeting cannot end before it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def breadcrumb_parent(self):
        """The meeting this one is part of, in the public trail: only when live."""
        return self.part_of if self.part_of_id and self.part_of.is_live() else None


class Participation(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("ASEAN Member State")
        PARTNER = "partner", _("Plus Three / Dialogue Partner")
        OBSERVER = "observer", _("Observer")
        GUEST = "guest", _("Guest")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    delegation_head = models.CharField(_("head of delegation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "country"], name="unique_participation")
        ]

    def __str__(self):
        return f"{self.country} @ {self.meeting}"


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    image = PhotoField(
        _("image"),
        upload_to="meetings/%Y/",
        blank=True,
        width_field="width",
        height_field="height",
        focus_fields=("focus_x", "focus_y"),
        help_text=_(
            "JPEG, PNG, WebP or GIF, at most 10 MB and 8000 pixels a side; stored without its "
            "metadata (EXIF, GPS). A photo without an image is a caption waiting for its "
            "picture: the public sees the caption as text."
        ),
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    focus_x = focus_field(_("focal point across (%)"))
    focus_y = focus_field(_("focal point down (%)"))
    caption = models.CharField(_("caption"), max_length=400, blank=True)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )
    credit = models.CharField(_("photo credit"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.caption or self.alt_text

    @property
    def media_owner(self):
        """The meeting's publication decides who may see the photo."""
        return self.meeting

    def clean(self):
        super().clean()
        if (self.caption_en or self.meeting_title_en) and not self.alt_text_en:
            raise ValidationError(
                {
                    "alt_text_en": _(
                        "Describe the photo in English too: the meeting has an English title."
                    )
                }
            )

    @property
    def meeting_title_en(self):
        return self.meeting.title_en if self.meeting_id else ""


class Category(TranslatedContent, Displayed):
    """News categories (chuyên mục)."""

    slug_source = "name"

    name = models.CharField(_("name"), max_length=100)
    slug = slug_field()
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    sitemap_section = "more"

    display_values = (Url("news:category"),)

    class Meta:
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")
        ordering = ["order", "pk"]
        constraints = slug_constraints("category")

    def __str__(self):
        return self.name


# An announcement's main photo as pages show it: read with the row, or each
# item reads its sizes and alt text again (and Django's ImageField its file),
# and the state that decides whether its public copy is linked (core/storage.py).
PHOTO_FIELDS = (
    *STATE_FIELDS,
    "image",
    "image_width",
    "image_height",
    "image_focus_x",
    "image_focus_y",
    *in_languages("image_alt"),
)


class Announcement(Publishable, TranslatedContent, Displayed):
    """A news item or press release: what press officers schedule."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        PRESS_RELEASE = "press", _("Press release")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.NEWS)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    title = models.CharField(_("title"), max_length=300)
    slug = slug_field()
    lead = models.TextField(_("lead"), blank=True)
    body = RichTextField(_("body"), blank=True)
    byline = models.CharField(_("byline"), max_length=200, blank=True)
    is_featured = models.BooleanField(
        _("focus"),
        default=False,
        help_text=_("Shown among the 'Focus' items of the home page between the two times below."),
    )
    featured_from = models.DateTimeField(_("focus from"), null=True, blank=True)
    featured_until = models.DateTimeField(_("focus until"), null=True, blank=True)
    image = PhotoField(
        _("main photo"),
        upload_to="news/%Y/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        focus_fields=("image_focus_x", "image_focus_y"),
        help_text=_(
            "JPEG, PNG, WebP or GIF, at most 10 MB and 8000 pixels a side; stored without its "
            "metadata (EXIF, GPS)."
        ),
    )
    image_width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    image_focus_x = focus_field(_("focal point across (%)"))
    image_focus_y = focus_field(_("focal point down (%)"))
    image_caption = models.CharField(_("photo caption"), max_length=400, blank=True)
    image_alt = models.CharField(_("photo alternative text"), max_length=300, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="announcements",
    )
    priority = models.ForeignKey(
        "priorities.Priority",
        verbose_name=_("priority"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="announcements",
    )
    activity = models.ForeignKey(
        "civil_service.Activity",
        verbose_name=_("work-plan activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="announcements",
    )
    source_url = models.URLField(_("original article"), blank=True)
    on_home = models.BooleanField(
        _("on the home page"),
        default=True,
        help_text=_(
            "Shown among the latest news of the home page (and in its Focus when 'focus' is "
            "ticked too). Untick it for news that is not about ASEAN cooperation."
        ),
    )
    posted_time_known = models.BooleanField(
        _("time of posting known"),
        default=True,
        help_text=_(
            "Untick when the source gives only the day of posting: the public then sees the "
            "date without a time."
        ),
    )
    editorial_note = models.TextField(
        _("editor's note"),
        blank=True,
        help_text=_(
            "Corrections of errors in the source, shown to the public with the article. The "
            "source's own words stay in the text as they were published."
        ),
    )

    search_index = SearchIndex(
        kind="news",
        label=_("News"),
        title=("title",),
        body=("lead", "body"),
        year=year_of("publish_at"),
    )
    sitemap_section = "news"
    # A Focus period changes the home page by itself.
    window_fields = ("featured_from", "featured_until")
    # An item's page reads its category's newest items and its neighbours in
    # time; a meeting's, priority's or activity's page reads their own news.
    read_scopes = (
        *TranslatedContent.read_scopes,
        "category_id",
        "meeting_id",
        "priority_id",
        "activity_id",
        "publish_at",
        # The earlier news of a category (the news page): a day of a category.
        ("category_id", "publish_at"),
    )

    display_values = (
        Url("news:detail"),
        Posted(),
        Summary("summary", "lead", words=40),
        Summary("teaser", "lead", words=30),
    )

    class Meta(Publishable.Meta):
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-publish_at", "-pk"]
        constraints = slug_constraints("announcement")
        indexes = [
            # Covers live(): lists count live items from the index alone.
            models.Index(
                fields=["status", "publish_at"],
                include=["unpublish_at"],
                name="announcement_live_idx",
            ),
            models.Index(fields=["category", "publish_at"], name="announcement_category_idx"),
            # The newest first, as every list and feed reads them: the
            # database walks this index and stops after one page.
            models.Index(fields=["-publish_at", "-id"], name="announcement_recent_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.image and not self.image_alt_vi:
            errors["image_alt_vi"] = _(
                "Describe the photo in Vietnamese for readers who cannot see it."
            )
        if self.image and self.title_en and not self.image_alt_en:
            errors["image_alt_en"] = _(
                "Describe the photo in English too: the item has an English title."
            )
        if self.featured_from and self.featured_until and self.featured_until <= self.featured_from:
            errors["featured_until"] = _("The end of the focus must be after its start.")
        if errors:
            raise ValidationError(errors)

    @property
    def breadcrumb_parent(self):
        return self.category


class EmbargoLink(models.Model):
    """A signed, expiring, revocable address at which a journalist may read a
    scheduled announcement before it goes live."""

    SALT = "events.embargo"

    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("announcement"),
        on_delete=models.CASCADE,
        related_name="embargo_links",
    )
    recipient = models.CharField(
        _("given to"), max_length=200, help_text=_("For example the journalist and the outlet.")
    )
    email = models.EmailField(
        _("email address"),
        blank=True,
        help_text=_("The portal can send the link to this address."),
    )
    language = models.CharField(
        _("language of the link"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The recipient's language: the address and the email are in it."),
    )
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(
        _("expires at"), help_text=_("Hanoi time (UTC+7). The link stops working at this instant.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("embargoed preview link")
        verbose_name_plural = _("embargoed preview links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.announcement} → {self.recipient}"

    def get_absolute_url(self):
        return reverse("news:embargo", args=[self.token])

    def path_for_recipient(self):
        """The path in the recipient's language."""
        with translation.override(self.language or settings.LANGUAGE_CODE):
            return self.get_absolute_url()

    @property
    def token(self):
        # The expiry is signed into the token, so an address handed out
        # expires by itself whatever later happens to the link's row.
        return signing.dumps(
            {"link": self.pk, "until": int(self.expires_at.timestamp())}, salt=self.SALT
        )

    @classmethod
    def from_token(cls, token):
        """(link, the expiry its token carries), or (None, None) for a forged
        or malformed token. Tokens from before expiries were signed carry none."""
        try:
            data = signing.loads(token, salt=cls.SALT)
        except signing.BadSignature:
            return None, None
        if not isinstance(data, dict) or not isinstance(data.get("link"), int):
            return None, None
        until = data.get("until")
        until = (
            datetime.fromtimestamp(until, tz=UTC)
            if isinstance(until, int) and 0 < until < 2**33
            else None
        )
        link = cls.objects.select_related("announcement__category").filter(pk=data["link"]).first()
        return link, until

    def is_usable(self, now=None, until=None):
        """Not revoked, and before both the link's expiry and the one its
        token carries."""
        now = now or timezone.now()
        expires = min(self.expires_at, until) if until else self.expires_at
        return self.revoked_at is None and expires > now

    def clean(self):
        super().clean()
        if self.expires_at and self.expires_at <= timezone.now() and self._expiry_changed():
            raise ValidationError({"expires_at": _("The expiry time must be in the future.")})

    def _expiry_changed(self):
        """An expired link may still be edited (its recipient, say); only a
        new expiry must lie in the future."""
        if self._state.adding or self.pk is None:
            return True
        stored = type(self).objects.filter(pk=self.pk).values_list("expires_at", flat=True)
        return stored.first() != self.expires_at


class EmbargoView(models.Model):
    """One reading of an embargoed preview."""

    link = models.ForeignKey(
        EmbargoLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="views"
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)
    address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("view of an embargoed preview")
        verbose_name_plural = _("views of embargoed previews")
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.link_id} @ {self.viewed_at:%Y-%m-%d %H:%M:%S}"

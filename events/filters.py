import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asean_portal.core.listing import ModelChoiceFilter, SlugChoiceFilter, YearFilter

from .models import Announcement, Category, Country, Meeting, MeetingSeries


class FocusWidget(django_filters.widgets.BooleanWidget):
    """The Focus filter's choices in the reader's words: django-filter's own offer
    "Unknown" for "any"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", _("All news")),
            ("true", _("Focus items only")),
            ("false", _("Items not in Focus")),
        ]


class AnnouncementFilter(django_filters.FilterSet):
    category = SlugChoiceFilter(
        queryset=Category.objects.all(),
        label=_("Category"),
        empty_label=_("All categories"),
    )
    year = YearFilter(field_name="publish_at", lookup_expr="year")
    focus = django_filters.BooleanFilter(
        field_name="is_featured",
        label=_("Focus"),
        widget=FocusWidget,
    )

    class Meta:
        model = Announcement
        fields = ["category", "year", "focus"]


class MeetingFilter(django_filters.FilterSet):
    series = ModelChoiceFilter(
        queryset=MeetingSeries.objects.all(),
        to_field_name="code",
        label=_("Series"),
        empty_label=_("All series"),
    )
    year = YearFilter(field_name="start_date", lookup_expr="year")
    country = ModelChoiceFilter(
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        label=_("Country"),
        empty_label=_("All countries"),
        method="filter_country",
    )

    class Meta:
        model = Meeting
        fields = ["series", "year", "country"]

    def filter_country(self, queryset, name, value):
        """Meetings a country hosted or took part in."""
        attended = Meeting.objects.filter(participations__country=value).values("pk")
        return queryset.filter(Q(host_country=value) | Q(pk__in=attended))

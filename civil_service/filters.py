import django_filters
from django.utils.translation import gettext_lazy as _

from asean_portal.core.listing import ModelChoiceFilter, YearFilter

from .models import Activity, Document, Framework

# Countries are reference data of another app: reached through the relation,
# so that this app does not import that one.
Country = Activity._meta.get_field("registering_country").related_model


class ActivityFilter(django_filters.FilterSet):
    year = YearFilter(field_name="start_year")
    status = django_filters.ChoiceFilter(
        field_name="progress",
        choices=Activity.Progress.choices,
        label=_("Status"),
        empty_label=_("All statuses"),
    )
    country = ModelChoiceFilter(
        field_name="registering_country",
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        label=_("Registered by"),
        empty_label=_("All countries"),
    )
    participation = django_filters.ChoiceFilter(
        choices=Framework.choices,
        label=_("Who takes part"),
        empty_label=_("Everyone"),
    )

    class Meta:
        model = Activity
        fields = ["year", "status", "country", "participation"]


class DocumentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Document.Kind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    year = YearFilter(field_name="issued_on", lookup_expr="year")

    class Meta:
        model = Document
        fields = ["kind", "year"]

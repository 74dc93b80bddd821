"""What the civil_service app shows on the home page (declared in its AppConfig)."""

from django.db.models import Count

from .models import Activity


def home_sections(now):
    # order_by(): the model's ordering would otherwise join the work plan and
    # split each status into one group per activity.
    progress = dict(
        Activity.objects.live(now).order_by().values_list("progress").annotate(count=Count("pk"))
    )
    return {
        "progress": [(label, progress.get(value, 0)) for value, label in Activity.Progress.choices],
        "activity_total": sum(progress.values()),
    }

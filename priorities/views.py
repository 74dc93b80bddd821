from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_safe

from asean_portal.core.detail import find_by_slug, mark_preview, newest_related

from .models import Chairmanship, Priority


@require_safe
def index(request):
    chairmanships = (
        Chairmanship.objects.live()
        .select_related("chair_country")
        .prefetch_related(
            Prefetch(
                "priorities",
                queryset=Priority.objects.live().order_by("number"),
                to_attr="live_priorities",
            )
        )
        .order_by("-year")
    )
    return render(request, "priorities/priority_list.html", {"chairmanships": chairmanships})


@require_safe
def chairmanship_detail(request, slug):
    chairmanship, answer, preview = find_by_slug(
        request, Chairmanship.objects.select_related("chair_country"), slug
    )
    if answer:
        return answer
    priorities = chairmanship.priorities.order_by("number")
    context = {
        "chairmanship": chairmanship,
        "translated_object": chairmanship,
        "priorities": priorities,
        "preview": preview,
    }
    return mark_preview(render(request, "priorities/chairmanship_detail.html", context), preview)


@require_safe
def priority_detail(request, slug):
    priority, answer, preview = find_by_slug(
        request, Priority.objects.select_related("chairmanship"), slug
    )
    if answer:
        return answer
    context = {
        "priority": priority,
        "translated_object": priority,
        "announcements": newest_related(priority, "announcements", 10),
        "activities": priority.activities.select_related("registering_country"),
        "preview": preview,
    }
    return mark_preview(render(request, "priorities/priority_detail.html", context), preview)

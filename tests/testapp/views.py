from django.http import HttpResponse
from django.utils.html import format_html
from django.views.decorators.http import require_safe

from asean_portal.core.detail import find_by_slug, mark_preview

from .models import Notice


@require_safe
def notice_detail(request, slug):
    notice, answer, preview = find_by_slug(request, Notice.objects.all(), slug)
    if answer:
        return answer
    return mark_preview(HttpResponse(format_html("<h1>{}</h1>", notice.title)), preview)

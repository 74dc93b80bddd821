"""Uploads served by the portal itself (SERVE_MEDIA, the embedded default).

An upload comes from a staff member, not from the portal's code, and must
never run as a page of the portal's origin. Each one carries nosniff (it is
read only as the type its name gives), a policy of its own that allows
nothing, and, unless it is an image or a PDF, which browsers show as such, is
downloaded rather than shown. README gives the same headers for nginx.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from asean_portal.core.storage import SHOWN_TYPES

POLICY = "default-src 'none'; sandbox"
# Browsers' PDF viewers refuse to run in a sandboxed document.
PDF_POLICY = "default-src 'none'"


def serve_upload(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    content_type = response.get("Content-Type", "").partition(";")[0]
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        PDF_POLICY if content_type == "application/pdf" else POLICY
    )
    if content_type not in SHOWN_TYPES:
        response["Content-Disposition"] = "attachment"
    return response


def urlpatterns():
    return [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_upload)]

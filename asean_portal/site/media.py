"""Uploads served by the portal itself.

An upload comes from a staff member, not from the portal's code, and must
never run as a page of the portal's origin. Each one carries nosniff (it is
read only as the type its name gives), a policy of its own that allows
nothing, and, unless it is an image or a PDF, which browsers show as such, is
downloaded rather than shown. README gives the same headers for nginx.

With uploads in MEDIA_ROOT (core/storage.py, LocalMediaStorage):

- the public copies (``/media/public/…``) are served as they are, by the
  portal when SERVE_MEDIA is on (the embedded default), else by the proxy;
- an original (``/media/private/<name>?until=…&signature=…``) is served by
  the portal only, and only at an address it signed that has not expired:
  anything else is a 404 that does not say whether the file exists.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404
from django.urls import re_path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from asean_portal.core import storage
from asean_portal.core.storage import PRIVATE_PREFIX, PUBLIC_PREFIX, SHOWN_TYPES

POLICY = "default-src 'none'; sandbox"
# Browsers' PDF viewers refuse to run in a sandboxed document.
PDF_POLICY = "default-src 'none'"


def _served(response):
    content_type = response.get("Content-Type", "").partition(";")[0]
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        PDF_POLICY if content_type == "application/pdf" else POLICY
    )
    if content_type not in SHOWN_TYPES:
        response["Content-Disposition"] = "attachment"
    return response


def _in_media_root():
    """Uploads are served from here only while they are kept in MEDIA_ROOT:
    decided at each request, as the storage is, not when the URLs load."""
    if not isinstance(default_storage, storage.LocalMediaStorage):
        raise Http404


@require_safe
def serve_upload(request, path):
    """A public copy."""
    if not settings.SERVE_MEDIA:
        raise Http404
    _in_media_root()
    return _served(serve(request, path, document_root=Path(settings.MEDIA_ROOT) / PUBLIC_PREFIX))


@require_safe
def serve_private(request, path):
    """An original, at an address signed by the storage's ``url``."""
    _in_media_root()
    until = request.GET.get("until")
    if not storage.signed_until(path, until, request.GET.get("signature")):
        raise Http404
    response = _served(serve(request, path, document_root=default_storage.location))
    # Only the browser that was given the address keeps it, and not past it.
    patch_cache_control(response, private=True, max_age=max(0, int(until) - int(time.time())))
    response["X-Robots-Tag"] = "noindex"
    return response


def urlpatterns():
    """The addresses of uploads the portal serves: the originals in
    MEDIA_ROOT always, the public copies with SERVE_MEDIA."""
    prefix = settings.MEDIA_URL.lstrip("/")
    return [
        re_path(rf"^{prefix}{PRIVATE_PREFIX}(?P<path>.+)$", serve_private),
        re_path(rf"^{prefix}{PUBLIC_PREFIX}(?P<path>.+)$", serve_upload),
    ]

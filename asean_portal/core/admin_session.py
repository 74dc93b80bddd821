"""An editor whose session expired while editing does not lose the text.

Saving a form after the session has expired would normally lead to the sign-in
page and drop what was posted. Instead, the posted fields are kept in the
(anonymous) session, which survives signing in; back on the same form, the
admin shows it filled in with what was posted, saves nothing, and asks the
editor to check it and save again. Files cannot be kept: the message says so.
Every field is kept, however long the text and however large the files posted
with it: a post that Django parses (its fields within
DATA_UPLOAD_MAX_MEMORY_SIZE, as for a signed-in editor) is never dropped.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "admin_expired_post"
# Admin pages that anyone may post to.
OPEN_VIEWS = {"login", "logout", "password_reset", "password_reset_done"}

EXPIRED = _(
    "Your session had expired. Sign in again: what you were saving is kept and will be "
    "shown to you again."
)
RESTORED = _(
    "Your session had expired when you saved, so nothing was saved. What you had entered "
    "is restored below: check it and save again."
)
FILES_LOST = _("Files you had chosen could not be kept: choose them again.")


class KeepExpiredAdminPostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method != "POST"
            or match is None
            or match.namespace != "admin"
            or match.url_name in OPEN_VIEWS
            or admin.site.has_permission(request)
        ):
            return None
        # The fields, whatever the size of the files beside them (which are
        # not kept): Django has already refused fields past
        # DATA_UPLOAD_MAX_MEMORY_SIZE, for everyone, so what it parsed is kept.
        data = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
        request.session[SESSION_KEY] = {
            "path": request.path,
            "data": data,
            "files": bool(request.FILES),
        }
        messages.warning(request, EXPIRED)
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))


def restore_expired_post(request):
    """Turn the GET after signing in into the post that was kept, once.
    Returns True when it did; the form must then refuse to save."""
    kept = request.session.get(SESSION_KEY)
    if request.method != "GET" or not kept or kept.get("path") != request.path:
        return False
    del request.session[SESSION_KEY]
    post = QueryDict(mutable=True, encoding=settings.DEFAULT_CHARSET)
    for key, values in kept["data"].items():
        post.setlist(key, values)
    request.POST = post
    request.method = "POST"
    if kept.get("files"):
        messages.warning(request, FILES_LOST)
    return True
